// When a forwarded batch calls for offset syncs: MM2's OffsetSyncWriter.PartitionState rules, applied to
// the records of a batch without visiting each one. Pure. A sync is emitted for a record when
// - it is the first record this writer sees for the partition (no sync in this lifetime),
// - its downstream offset is at least offset.lag.max past one after the last sync's (the translation of
//   a group at that record would re-read offset.lag.max records or more),
// - the upstream offsets skipped (compaction holes, transaction markers, a restart that re-sent),
// - the downstream offset went back (the remote partition was truncated or recreated).
// The last record of every batch is otherwise kept as the partition's pending sync, which the writer
// emits every offset.flush.interval.ms (MM2's KAFKA-15906), so an idle partition's newest position is
// synced too. One difference from MM2: the staleness rule counts from the last sync emitted for any
// reason (MM2 counts from the last one its rules emitted), which only makes syncs fresher.
import type { ForwardedBatch } from '../flow/forwarded-batch.js';

export interface SyncPoint {
  upstream: number;
  downstream: number;
}

export class PartitionSyncRules {
  private previousUpstream = -1;
  private previousDownstream = -1;
  private lastSyncDownstream = -1;
  /** Syncs emitted in this lifetime (names their history level, see encodeOffsetSyncKey). */
  private emitted = 0;
  /** The newest forwarded position no sync covers yet, for the periodic flush. */
  private pending: SyncPoint | undefined;

  constructor(private readonly maxOffsetLag: number) {}

  /** The syncs a batch calls for, oldest first, to be written in that order; the batch's last record
   * becomes the pending sync when it is not among them. */
  onBatch(b: Pick<ForwardedBatch, 'upstreamOffset' | 'lastUpstreamOffset' | 'downstreamOffset' | 'lastDownstreamOffset' | 'recordCount'>): SyncPoint[] {
    const syncs: SyncPoint[] = [];
    const first = { upstream: b.upstreamOffset, downstream: b.downstreamOffset };
    const latest = { upstream: b.lastUpstreamOffset, downstream: b.lastDownstreamOffset };
    const stale = (downstream: number): boolean => downstream - (this.lastSyncDownstream + 1) >= this.maxOffsetLag;
    const take = (p: SyncPoint): void => {
      syncs.push(p);
      this.lastSyncDownstream = p.downstream;
    };
    if (this.lastSyncDownstream === -1 || stale(first.downstream) || first.upstream - this.previousUpstream !== 1 || first.downstream < this.previousDownstream) {
      take(first);
    }
    const contiguous = b.lastUpstreamOffset - b.upstreamOffset === b.recordCount - 1;
    if (b.recordCount > 1) {
      if (contiguous) {
        // Inside a contiguous batch only staleness can call for a sync: at the records where the
        // downstream offset reaches one past the last sync plus offset.lag.max (always after the
        // first record: had the first reached it, it was synced above and the mark moved past it).
        for (let d = this.lastSyncDownstream + 1 + this.maxOffsetLag; d <= latest.downstream; d = this.lastSyncDownstream + 1 + this.maxOffsetLag) {
          take({ upstream: first.upstream + (d - first.downstream), downstream: d });
        }
      } else {
        // Holes upstream (a re-encoded batch of a compacted topic): only the first and last records'
        // positions are known, and the skip calls for a sync at the last.
        take(latest);
      }
    }
    this.previousUpstream = latest.upstream;
    this.previousDownstream = latest.downstream;
    const last = syncs[syncs.length - 1];
    this.pending = last && last.upstream === latest.upstream && last.downstream === latest.downstream ? undefined : latest;
    return syncs;
  }

  /** The pending sync, for the periodic flush to write (undefined when every position is synced). */
  takePending(): SyncPoint | undefined {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.lastSyncDownstream = pending.downstream;
    return pending;
  }

  /** A sync taken here could not be written: it becomes pending again unless a newer position is. */
  restorePending(p: SyncPoint): void {
    if (this.pending === undefined && p.upstream === this.previousUpstream && p.downstream === this.previousDownstream) this.pending = p;
  }

  /** The history level of the next sync emitted (ctz of its 1-based number, at most 31). */
  nextLevel(): number {
    this.emitted += 1;
    return historyLevel(this.emitted);
  }
}

/** ctz(n) for n >= 1, capped at 31: the level under which the n-th sync of a partition is keyed. */
export function historyLevel(n: number): number {
  let level = 0;
  let m = n;
  while (m % 2 === 0 && level < 31) {
    m /= 2;
    level++;
  }
  return level;
}
