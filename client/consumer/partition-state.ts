// Per assigned partition: where the application is (position, and `consumed`: the offset after the
// last record the application was handed, which is what a commit stores), where the next fetch starts
// (fetchOffset, ahead of position while fetched data waits in `buffered`), and a seek generation that
// lets in-flight answers from before a seek be recognised and dropped. A partition the group is taking
// away (`release`) or the application paused is neither fetched nor handed out.
import type { StraitError } from '../errors.js';
import type { CompletedFetch } from './completed-fetch.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Why a group member is giving a partition up: revoked (commit, then release) or lost (fenced: no commit). */
export type ReleaseReason = 'revoke' | 'lose';

export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset the fetched data is drained from; undefined until reset or seek. */
  position: number | undefined;
  /** Next offset not yet handed to the application: what commit() commits. */
  consumed: number | undefined;
  /** The leader epoch of the last record handed out, -1 when unknown. */
  consumedLeaderEpoch = -1;
  /** Next offset to fetch. */
  fetchOffset: number | undefined;
  generation = 0;
  buffered: CompletedFetch[] = [];
  bufferedBytes = 0;
  highWatermark = -1;
  /** An error to raise from the next poll (e.g. OFFSET_OUT_OF_RANGE with auto.offset.reset=none). */
  error: StraitError | undefined;
  inFlight = false;
  paused = false;
  release: ReleaseReason | undefined;
  /** Set once the partition is no longer assigned, so holders of this object can tell. */
  detached = false;
  /** The position fell out of the log (OFFSET_OUT_OF_RANGE): reset by auto.offset.reset, not to the
   * committed offset, which may be the very offset that fell out. */
  resetByPolicy = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Whether records of this partition may be fetched and handed out now. */
  get active(): boolean {
    return !this.paused && this.release === undefined && !this.detached;
  }

  seek(offset: number | undefined, leaderEpoch = -1): void {
    this.position = offset;
    this.consumed = offset;
    this.consumedLeaderEpoch = leaderEpoch;
    this.fetchOffset = offset;
    this.generation++;
    this.buffered = [];
    this.bufferedBytes = 0;
    this.error = undefined;
    this.resetByPolicy = false;
  }
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
