// The data path of one flow in one worker: a source consumer (manual assignment of the source
// partitions this worker owns, raw fetch: whole batches, never a record decoded on the whole-batch
// path) feeding a PartitionForwarder per partition, which produce into the target through one
// idempotent producer. One loop polls the source; back-pressure stops polling while more than
// maxInFlightBytes wait for the target's acknowledgement (a target that is down fills that and the
// loop waits; the producer retries until the target is back). A partition whose batch failed is rewound
// to its acknowledged position once its in-flight batches settled.
import type { Logger } from 'pino';
import { StraitError, type Consumer, type Producer, type TopicPartition } from '../../client/index.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { ForwardListener } from './forwarded-batch.js';
import { PartitionForwarder } from './partition-forwarder.js';
import { positionKey, type SourcePositions } from './source-positions.js';

export interface ForwardingLoopDeps {
  source: Consumer;
  target: Producer;
  positions: SourcePositions;
  listeners: readonly ForwardListener[];
  metrics: FlowMetrics;
  logger: Logger;
  maxInFlightBytes: number;
  /** How long one poll of the source may wait for data. */
  pollTimeoutMs: number;
  /** Pause after a failed poll, so that a source that is down is not spun on. */
  errorBackoffMs: number;
}

/** A source partition to forward and where its remote partition is. */
export interface ForwardedPartition {
  sourceTopic: string;
  remoteTopic: string;
  partition: number;
}

export class ForwardingLoop {
  private readonly forwarders = new Map<string, PartitionForwarder>();
  private inFlightBytes = 0;
  private wakers: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly deps: ForwardingLoopDeps) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Starts forwarding these partitions from their recorded positions (else auto.offset.reset). */
  async add(partitions: readonly ForwardedPartition[]): Promise<void> {
    const fresh = partitions.filter((p) => !this.forwarders.has(positionKey(p.sourceTopic, p.partition)));
    if (fresh.length === 0) return;
    // A partition this worker owns and does not forward would stay behind for good: the look-ups
    // are retried until they succeed (the target or source may be down for a while) or the flow stops.
    const recorded = await this.retried('read-positions', () => this.deps.positions.readAll());
    const source = this.deps.source;
    const added: { p: ForwardedPartition; start: number | undefined }[] = fresh.map((p) => ({ p, start: recorded.get(positionKey(p.sourceTopic, p.partition)) }));
    const freshTps = fresh.map((p) => ({ topic: p.sourceTopic, partition: p.partition }));
    source.assign([...this.assignedPartitions(), ...freshTps]);
    // Paused until their forwarders exist: the loop's poll must not hand their data to nobody while
    // the reset offsets are looked up.
    source.pause(freshTps);
    for (const { p, start } of added) {
      const tp = { topic: p.sourceTopic, partition: p.partition };
      if (start !== undefined) source.seek(tp, start);
      const from = start ?? (await this.retried('reset-position', () => source.position(tp)));
      this.forwarders.set(positionKey(p.sourceTopic, p.partition), this.forwarder(p, from));
      this.deps.logger.info({ topic: p.sourceTopic, partition: p.partition, from, recorded: start !== undefined }, 'forwarding partition');
    }
    source.resume(freshTps);
    this.deps.metrics.setAssignedPartitions(this.forwarders.size);
    this.wake();
  }

  private async retried<T>(operation: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (this.stopping) throw err;
        this.deps.metrics.error(operation);
        this.deps.logger.warn({ err, operation, attempt }, 'looking up where to forward from failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(10_000, this.deps.errorBackoffMs * 2 ** Math.min(attempt, 4))));
      }
    }
  }

  /** Stops forwarding these partitions: their in-flight batches settle and their positions are written. */
  async remove(partitions: readonly TopicPartition[]): Promise<void> {
    const leaving = partitions.flatMap((tp) => {
      const f = this.forwarders.get(positionKey(tp.topic, tp.partition));
      return f ? [f] : [];
    });
    if (leaving.length === 0) return;
    for (const f of leaving) this.forwarders.delete(positionKey(f.sourceTopic, f.partition));
    this.deps.source.assign(this.assignedPartitions());
    await Promise.all(leaving.map((f) => f.idle()));
    for (const f of leaving) {
      this.deps.metrics.dropPartition(f.sourceTopic, f.partition);
      for (const listener of this.deps.listeners) listener.partitionReleased?.(f.sourceTopic, f.partition);
    }
    this.deps.metrics.setAssignedPartitions(this.forwarders.size);
    await this.deps.positions.flush();
  }

  /** The partitions forwarded now. */
  partitions(): ForwardedPartition[] {
    return [...this.forwarders.values()].map((f) => ({ sourceTopic: f.sourceTopic, remoteTopic: f.remoteTopic, partition: f.partition }));
  }

  private assignedPartitions(): TopicPartition[] {
    return [...this.forwarders.values()].map((f) => ({ topic: f.sourceTopic, partition: f.partition }));
  }

  private forwarder(p: ForwardedPartition, start: number): PartitionForwarder {
    return new PartitionForwarder({
      ...p,
      start,
      target: this.deps.target,
      maxInFlightBatches: this.deps.target.config.maxInFlight,
      listeners: this.deps.listeners,
      metrics: this.deps.metrics,
      positions: this.deps.positions,
      onInFlight: (bytes) => {
        this.inFlightBytes += bytes;
        if (bytes < 0) this.wake();
      },
      onFailed: (f, err) => void this.rewind(f, err),
      onListenerError: (err) => this.deps.logger.error({ err }, 'a forward listener threw'),
    });
  }

  /** Stops fetching the failed partition, waits for its batches to settle, and starts it again at
   * its acknowledged position. */
  private async rewind(f: PartitionForwarder, err: unknown): Promise<void> {
    this.deps.metrics.error('produce');
    const tp = { topic: f.sourceTopic, partition: f.partition };
    this.deps.logger.warn({ err, topic: tp.topic, partition: tp.partition, from: f.acknowledged }, 'forwarding failed; rewinding the partition');
    const current = (): boolean => this.forwarders.get(positionKey(tp.topic, tp.partition)) === f;
    if (current()) this.deps.source.pause([tp]);
    await f.idle();
    const from = f.rewind();
    if (!current() || this.stopping) return;
    this.deps.source.seek(tp, from);
    this.deps.source.resume([tp]);
    this.wake();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    const { source, maxInFlightBytes, pollTimeoutMs } = this.deps;
    while (!this.stopping) {
      if (this.forwarders.size === 0 || this.inFlightBytes >= maxInFlightBytes) {
        await this.sleep(pollTimeoutMs);
        continue;
      }
      let fetched;
      try {
        fetched = await source.pollBatches(pollTimeoutMs, maxInFlightBytes - this.inFlightBytes);
      } catch (err) {
        if (this.stopping) break;
        this.deps.metrics.error('fetch');
        this.deps.logger.warn({ err, retriable: err instanceof StraitError ? err.retriable : false }, 'source fetch failed; retrying');
        await this.sleep(this.deps.errorBackoffMs);
        continue;
      }
      for (const f of fetched) this.forwarders.get(positionKey(f.topic, f.partition))?.forward(f);
      // Nothing new: the lag in seconds still grows while batches wait for the target.
      if (fetched.length === 0) for (const f of this.forwarders.values()) f.updateLag();
    }
  }

  /** Stops polling, lets every batch in flight settle, writes the positions, closes the source consumer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await Promise.all([...this.forwarders.values()].map((f) => f.idle()));
    await this.deps.positions.flush();
    await this.deps.source.close();
  }
}
