// Offset translation from offset syncs (MM2's OffsetSyncStore), pure: syncs go in (from the offset-syncs
// topic, in its order), translations come out. Where it differs from MM2, on purpose:
// - History: MM2 keeps 64 syncs per partition in power-of-two buckets, so a group far behind the newest
//   sync translates coarsely (before KAFKA-14666 not at all). Here the newest `maxSyncsPerPartition`
//   syncs are all kept, and when the cap is reached every other sync of the older half is dropped (the
//   oldest always stays): recent history stays exact, old history thins out geometrically, and any
//   committed offset at or after the oldest sync still translates.
// - Restart: MM2 before KAFKA-15905/16622 kept only the newest sync while reading the topic at start, so
//   a restarted mirror could not translate a lagging group until it caught up. Here every sync read at
//   start goes through the same rule as a live one; translation waits only for the read to reach the
//   end of the topic (markReadToEnd), so it never answers from a partial history.
// Syncs of a partition are kept strictly increasing in both offsets: a sync that goes back upstream (the
// mirror re-sent records after a restart) or downstream (the remote topic was truncated or recreated)
// drops every kept sync at or after it, as those describe copies that a consumer reading from the new
// sync's position would not need, or that no longer exist.
import type { OffsetSync } from './internal-records.js';

export const DEFAULT_MAX_SYNCS_PER_PARTITION = 4096;

interface PartitionSyncs {
  upstream: number[];
  downstream: number[];
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class OffsetSyncStore {
  private readonly partitions = new Map<string, PartitionSyncs>();
  /** Source topics with at least one sync, on any partition. */
  private readonly topicsWithSyncs = new Set<string>();
  private readToEnd = false;
  private readonly maxSyncsPerPartition: number;

  constructor(options: { maxSyncsPerPartition?: number } = {}) {
    this.maxSyncsPerPartition = Math.max(2, options.maxSyncsPerPartition ?? DEFAULT_MAX_SYNCS_PER_PARTITION);
  }

  add(sync: OffsetSync): void {
    const key = partitionKey(sync.topic, sync.partition);
    let syncs = this.partitions.get(key);
    if (!syncs) {
      syncs = { upstream: [], downstream: [] };
      this.partitions.set(key, syncs);
      this.topicsWithSyncs.add(sync.topic);
    }
    const keep = Math.min(firstAtOrAbove(syncs.upstream, sync.upstream), firstAtOrAbove(syncs.downstream, sync.downstream));
    syncs.upstream.length = keep;
    syncs.downstream.length = keep;
    syncs.upstream.push(sync.upstream);
    syncs.downstream.push(sync.downstream);
    if (syncs.upstream.length > this.maxSyncsPerPartition) thin(syncs);
  }

  /** The whole offset-syncs topic has been read once: translations may be answered from now on. */
  markReadToEnd(): void {
    this.readToEnd = true;
  }

  get isReadToEnd(): boolean {
    return this.readToEnd;
  }

  /**
   * The remote-topic offset a group that committed `upstreamOffset` on the source resumes at without
   * missing a record: the newest sync at or below it gives its downstream offset when equal, one past
   * it when the group is past it (records after the sync may or may not be mirrored yet: never
   * extrapolate). Offset 0 translates to 0 once the topic has a sync on any partition (a partition that
   * never got records). undefined: no translation (not read to the end yet, or no sync at or below).
   */
  translateDownstream(topic: string, partition: number, upstreamOffset: number): number | undefined {
    return this.translate(topic, partition, upstreamOffset, 'upstream');
  }

  /**
   * The reverse, for failback: the source offset a group that committed `downstreamOffset` on the remote
   * topic resumes at on the source without missing a record (same rule, read from the downstream side).
   */
  translateUpstream(topic: string, partition: number, downstreamOffset: number): number | undefined {
    return this.translate(topic, partition, downstreamOffset, 'downstream');
  }

  /** The syncs kept for a partition, oldest first. */
  syncsOf(topic: string, partition: number): OffsetSync[] {
    const syncs = this.partitions.get(partitionKey(topic, partition));
    if (!syncs) return [];
    return syncs.upstream.map((upstream, i) => ({ topic, partition, upstream, downstream: syncs.downstream[i]! }));
  }

  hasSyncsForTopic(topic: string): boolean {
    return this.topicsWithSyncs.has(topic);
  }

  private translate(topic: string, partition: number, offset: number, from: 'upstream' | 'downstream'): number | undefined {
    if (!this.readToEnd || offset < 0) return undefined;
    const syncs = this.partitions.get(partitionKey(topic, partition));
    const to = from === 'upstream' ? 'downstream' : 'upstream';
    const i = syncs ? firstAtOrAbove(syncs[from], offset + 1) - 1 : -1;
    if (!syncs || i < 0) return offset === 0 && this.topicsWithSyncs.has(topic) ? 0 : undefined;
    return syncs[from][i] === offset ? syncs[to][i]! : syncs[to][i]! + 1;
  }
}

/** Index of the first element >= value in an ascending array (its length when none). */
function firstAtOrAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Drops every other sync of the older half, keeping the oldest: the newer half stays exact. */
function thin(syncs: PartitionSyncs): void {
  const half = syncs.upstream.length >>> 1;
  const keptUp: number[] = [];
  const keptDown: number[] = [];
  for (let i = 0; i < syncs.upstream.length; i++) {
    if (i < half && i % 2 === 1) continue;
    keptUp.push(syncs.upstream[i]!);
    keptDown.push(syncs.downstream[i]!);
  }
  syncs.upstream = keptUp;
  syncs.downstream = keptDown;
}
