// Where a follower's log and its leader's part ways, by leader epoch (KIP-101, KIP-279, KIP-320),
// never by high watermark. Pure: the logs' epoch histories are asked through the lookups passed in.
//
// The leader side: a follower fetches with its log end and the epoch of its last batch. The leader
// looks that epoch up in its own history (the largest epoch at or below it, and where it ends); when
// that epoch ends below the fetch offset, or is older than the follower's, the follower holds
// records the leader never had (or has under another epoch): the leader answers the diverging epoch
// and no records. The follower side: it truncates to the point both histories agree on.
import type { EpochEndOffset } from '../log/index.js';

export type DivergenceCheck =
  /** The histories agree: read from the fetch offset. */
  | { kind: 'consistent' }
  /** Truncate to at most endOffset (the follower works out where, see truncationOffset). */
  | { kind: 'diverging'; epoch: number; endOffset: number }
  /** The leader's history cannot place the epoch (it is newer than all of the leader's):
   * Kafka answers OFFSET_OUT_OF_RANGE. */
  | { kind: 'unknown' };

/**
 * The leader's answer to a fetch (Kafka's Partition.readRecords). `leaderEndOffsetFor(epoch)` is the
 * leader log's endOffsetForEpoch. A follower without any epoch (-1: an empty log, or one from before
 * epochs) is never told it diverges.
 */
export function checkDivergence(
  fetchOffset: number, lastFetchedEpoch: number, leaderEndOffsetFor: (epoch: number) => EpochEndOffset | undefined,
): DivergenceCheck {
  if (lastFetchedEpoch < 0) return { kind: 'consistent' };
  const found = leaderEndOffsetFor(lastFetchedEpoch);
  if (!found) return { kind: 'unknown' };
  // KAFKA-12657: the epoch found can be older than the follower's even where the offsets agree.
  if (found.epoch < lastFetchedEpoch || found.endOffset < fetchOffset) return { kind: 'diverging', epoch: found.epoch, endOffset: found.endOffset };
  return { kind: 'consistent' };
}

export interface Truncation {
  /** Truncate the follower's log to this offset (never above its log end). */
  readonly offset: number;
  /** False when the follower did not know the leader's epoch: an intermediate step, after which
   * the next fetch (with the follower's new last epoch) may diverge again. */
  readonly complete: boolean;
}

/**
 * The follower's truncation point for a diverging epoch (Kafka's AbstractFetcherThread
 * getOffsetTruncationState): its own largest epoch at or below the leader's answer and where that
 * ends. Same epoch: the smaller of the two ends. Another epoch: its own end, and ask again. No such
 * epoch here: the leader's end.
 */
export function truncationOffset(
  diverging: EpochEndOffset, followerLogEnd: number, followerEndOffsetFor: (epoch: number) => EpochEndOffset | undefined,
): Truncation {
  const mine = followerEndOffsetFor(diverging.epoch);
  if (!mine) return { offset: Math.min(diverging.endOffset, followerLogEnd), complete: true };
  if (mine.epoch !== diverging.epoch) return { offset: Math.min(mine.endOffset, followerLogEnd), complete: false };
  return { offset: Math.min(mine.endOffset, diverging.endOffset, followerLogEnd), complete: true };
}
