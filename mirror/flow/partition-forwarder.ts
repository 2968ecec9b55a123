// One source partition's forwarding into its remote partition (the same number): each fetch's batches
// (batch-forwarding.ts decides whole or re-encoded) are sent through the flow's idempotent producer,
// pipelined up to the producer's in-flight window (five batches per partition, so that a re-sent batch
// stays inside the broker's duplicate window); small uncompressed batches that queue up behind a full
// window are joined into one (records re-framed, not decoded), so a partition written in small batches
// is not held to five of them per round trip. Big batches always go whole. Acknowledgements are taken in partition order,
// and only then is the position recorded and the listeners (offset syncs, metrics) told. A batch the
// producer gives up on stops the partition: nothing after it counts, and the forwarding loop rewinds the
// source to `acknowledged` once every batch in flight has settled (at least once: what the target took
// after the failed batch comes again).
import type { FetchedBatches, Producer, RawBatchMetadata, StraitError } from '../../client/index.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import { canJoin, joinBatches, MAX_JOINED_BYTES, prepareBatches, type OutgoingBatch } from './batch-forwarding.js';
import type { ForwardedBatch, ForwardListener } from './forwarded-batch.js';

export interface PositionRecorder {
  record(topic: string, partition: number, next: number): void;
}

export interface PartitionForwarderDeps {
  sourceTopic: string;
  remoteTopic: string;
  partition: number;
  /** Where forwarding starts: the recorded position or the reset offset. */
  start: number;
  target: Pick<Producer, 'sendRawBatch'>;
  /** Batches of this partition sent and not yet answered, at most (the producer's
   * max.in.flight.requests.per.connection); more wait here, to be joined. */
  maxInFlightBatches: number;
  listeners: readonly ForwardListener[];
  metrics: FlowMetrics;
  positions: PositionRecorder;
  /** Bytes put in flight (positive) or settled (negative), for the loop's back-pressure. */
  onInFlight: (bytes: number) => void;
  /** The first failure since the last rewind. */
  onFailed: (forwarder: PartitionForwarder, err: unknown) => void;
  /** A listener threw: a bug there, reported, never allowed to stop forwarding. */
  onListenerError: (err: unknown) => void;
}

interface Entry {
  batch: OutgoingBatch | undefined;
  /** The source position once this entry is acknowledged. */
  next: number;
  state: 'queued' | 'sending' | 'acked' | 'failed';
  /** Bytes reported to onInFlight for it (the fetched bytes, before any join). */
  accounted: number;
  result: RawBatchMetadata | undefined;
  acknowledgedAtMs: number;
}


export class PartitionForwarder {
  readonly sourceTopic: string;
  readonly remoteTopic: string;
  readonly partition: number;
  /** Everything below this source offset is acknowledged by the target. */
  acknowledged: number;
  /** Set by the first failed batch; cleared by rewind(). */
  failure: unknown;
  private pending: Entry[] = [];
  private unsettled = 0;
  private idleWaiters: (() => void)[] = [];
  private highWatermark = -1;
  private generation = 0;

  constructor(private readonly deps: PartitionForwarderDeps) {
    this.sourceTopic = deps.sourceTopic;
    this.remoteTopic = deps.remoteTopic;
    this.partition = deps.partition;
    this.acknowledged = deps.start;
  }

  /** Queues the fetched batches (in order, after those before) and sends what the window allows.
   * Ignored while failed. */
  forward(fetched: FetchedBatches): void {
    if (this.failure !== undefined) return;
    this.highWatermark = fetched.highWatermark;
    let batches: OutgoingBatch[];
    try {
      batches = prepareBatches(fetched.records, fetched.position);
    } catch (err) {
      this.fail(err);
      return;
    }
    const fetchedAt = Date.now();
    const last = batches[batches.length - 1];
    if (last) this.deps.metrics.recordFetched(this.sourceTopic, this.partition, last.maxTimestamp, fetchedAt);
    for (const batch of batches) {
      const next = batch === last ? fetched.nextOffset : batch.lastUpstreamOffset + 1;
      this.pending.push({ batch, next, state: 'queued', accounted: batch.bytes.length, result: undefined, acknowledgedAtMs: 0 });
      this.deps.onInFlight(batch.bytes.length);
    }
    if (!last) {
      // Only control batches or records below the position: the position moves in turn with the rest.
      this.pending.push({ batch: undefined, next: fetched.nextOffset, state: 'acked', accounted: 0, result: undefined, acknowledgedAtMs: fetchedAt });
      this.settle();
    }
    this.pump();
  }

  /** Sends queued entries while the window has room: whole, except that the last free slot takes
   * the queued entries after it joined in, when they can be. */
  private pump(): void {
    for (let i = 0; i < this.pending.length && this.unsettled < this.deps.maxInFlightBatches && this.failure === undefined; i++) {
      const entry = this.pending[i]!;
      if (entry.state !== 'queued') continue;
      if (this.unsettled === this.deps.maxInFlightBatches - 1) this.join(i);
      this.send(entry);
    }
  }

  /** Folds the queued entries right after pending[i] into it while they can be joined. */
  private join(i: number): void {
    const entry = this.pending[i]!;
    const parts = [entry.batch!];
    if (!canJoin(parts[0]!)) return;
    let bytes = parts[0]!.bytes.length;
    let end = i + 1;
    for (; end < this.pending.length; end++) {
      const next = this.pending[end]!;
      if (next.state !== 'queued' || !canJoin(next.batch!) || bytes + next.batch!.bytes.length > MAX_JOINED_BYTES) break;
      parts.push(next.batch!);
      bytes += next.batch!.bytes.length;
    }
    if (parts.length === 1) return;
    const folded = this.pending.splice(i + 1, end - i - 1);
    entry.batch = joinBatches(parts);
    entry.next = folded[folded.length - 1]!.next;
    for (const f of folded) entry.accounted += f.accounted;
  }

  private send(entry: Entry): void {
    const batch = entry.batch!;
    const generation = this.generation;
    entry.state = 'sending';
    this.unsettled++;
    this.deps.target.sendRawBatch(this.remoteTopic, this.partition, batch.bytes).then(
      (result) => {
        entry.state = 'acked';
        entry.result = result;
        entry.acknowledgedAtMs = Date.now();
        this.settled(entry, generation);
      },
      (err: StraitError) => {
        entry.state = 'failed';
        this.settled(entry, generation);
        this.fail(err);
      },
    );
  }

  private settled(entry: Entry, generation: number): void {
    this.unsettled--;
    this.deps.onInFlight(-entry.accounted);
    if (generation === this.generation) {
      this.settle();
      this.pump();
    }
    if (this.unsettled === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.deps.onFailed(this, err);
  }

  /** Takes acknowledged entries off the head, in partition order. */
  private settle(): void {
    let moved = false;
    while (this.pending.length > 0 && this.pending[0]!.state === 'acked') {
      const entry = this.pending.shift()!;
      this.acknowledged = entry.next;
      moved = true;
      if (entry.batch && entry.result && entry.result.baseOffset >= 0) this.report(entry.batch, entry.result, entry.acknowledgedAtMs);
    }
    if (!moved) return;
    this.deps.positions.record(this.sourceTopic, this.partition, this.acknowledged);
    this.updateLag();
  }

  private report(batch: OutgoingBatch, result: RawBatchMetadata, acknowledgedAtMs: number): void {
    const forwarded: ForwardedBatch = {
      sourceTopic: this.sourceTopic, remoteTopic: this.remoteTopic, partition: this.partition,
      upstreamOffset: batch.upstreamOffset, lastUpstreamOffset: batch.lastUpstreamOffset,
      downstreamOffset: result.baseOffset, lastDownstreamOffset: result.baseOffset + batch.recordCount - 1,
      recordCount: batch.recordCount, bytes: batch.bytes.length,
      firstTimestamp: batch.firstTimestamp, maxTimestamp: batch.maxTimestamp, acknowledgedAtMs, whole: batch.whole,
    };
    for (const listener of this.deps.listeners) {
      try {
        listener.onForwarded(forwarded);
      } catch (err) {
        this.deps.onListenerError(err);
      }
    }
  }

  /** Lag in records (source high watermark as last fetched − acknowledged) and in seconds (age of the
   * oldest record in flight; 0 when nothing is behind). */
  updateLag(): void {
    const records = this.highWatermark < 0 ? 0 : Math.max(0, this.highWatermark - this.acknowledged);
    const oldest = this.pending.find((e) => e.batch !== undefined)?.batch?.firstTimestamp;
    const seconds = records === 0 || oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) / 1000;
    this.deps.metrics.setLag(this.sourceTopic, this.partition, records, seconds);
  }

  /** Resolves once no batch of this partition is in flight. */
  idle(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** After a failure, once idle: forget what was in flight or queued; forwarding goes on from `acknowledged`. */
  rewind(): number {
    this.generation++;
    const queued = this.pending.filter((e) => e.state === 'queued').reduce((sum, e) => sum + e.accounted, 0);
    if (queued > 0) this.deps.onInFlight(-queued);
    this.pending = [];
    this.failure = undefined;
    return this.acknowledged;
  }
}
