// Writes a flow's offset syncs (MM2's OffsetSyncWriter): it hears of every batch the target acknowledged
// (ForwardListener), applies MM2's emission rules per source partition (sync-emission.ts) and produces the
// syncs they call for to `mm2-offset-syncs.<cluster>.internal` (partition 0, as MM2) on the cluster
// offset-syncs.topic.location names; the newest position of each partition that no rule synced is
// written every offset.flush.interval.ms. The producer and admin are the caller's (clients of that
// cluster); the writer neither creates nor closes them.
import type { Logger } from 'pino';
import type { Admin, Producer } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import type { ForwardedBatch, ForwardListener } from '../flow/forwarded-batch.js';
import { ensureTopic } from '../internal-topics.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { FlowPolicy } from '../policy/flow-policy.js';
import { encodeOffsetSyncKey, encodeOffsetSyncValue, type OffsetSync } from './internal-records.js';
import { offsetSyncsTopicSpec } from './offset-sync-log.js';
import { PartitionSyncRules, type SyncPoint } from './sync-emission.js';

export interface OffsetSyncWriterOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  /** A producer and an admin on policy.offsetSyncsCluster(). */
  producer: Producer;
  admin: Admin;
  metrics: FlowMetrics;
  logger: Logger;
}

interface PartitionWriteState {
  topic: string;
  partition: number;
  rules: PartitionSyncRules;
}

export class OffsetSyncWriter implements ForwardListener {
  readonly topic: string;
  private readonly partitions = new Map<string, PartitionWriteState>();
  private readonly inFlight = new Set<Promise<void>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: OffsetSyncWriterOptions) {
    this.topic = options.policy.offsetSyncsTopic();
    this.logger = options.logger.child({ component: 'offset-sync-writer', topic: this.topic });
  }

  /** Creates the offset-syncs topic unless it exists and starts the periodic flush. */
  async start(): Promise<void> {
    const { flow, policy } = this.options;
    await ensureTopic(this.options.admin, offsetSyncsTopicSpec(flow, policy));
    this.flushTimer = setInterval(() => this.emitPending(), flow.offsetFlushIntervalMs);
    this.flushTimer.unref();
  }

  onForwarded(batch: ForwardedBatch): void {
    if (batch.recordCount <= 0) return;
    const state = this.stateOf(batch.sourceTopic, batch.partition);
    for (const sync of state.rules.onBatch(batch)) this.send(state, sync);
  }

  /** The partition moved to another worker: its state and pending sync go, so that nothing older than
   * the new owner's syncs is written after them. */
  partitionReleased(sourceTopic: string, partition: number): void {
    this.partitions.delete(`${sourceTopic}\u0000${partition}`);
  }

  /** Writes every pending sync and resolves when all sent syncs are acknowledged or failed. */
  async flush(): Promise<void> {
    this.emitPending();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops the timer and writes the pending syncs, waiting at most `waitMs` for them: a sync not written
   * only makes translation coarser until the next writer's first, and a cluster that is down must not
   * hold a draining worker. */
  async stop(waitMs = 5000): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => { timer = setTimeout(resolve, waitMs); });
    await Promise.race([this.flush(), gaveUp]);
    clearTimeout(timer);
  }

  private stateOf(topic: string, partition: number): PartitionWriteState {
    const key = `${topic}\u0000${partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      state = { topic, partition, rules: new PartitionSyncRules(this.options.flow.offsetLagMax) };
      this.partitions.set(key, state);
    }
    return state;
  }

  private emitPending(): void {
    for (const state of this.partitions.values()) {
      const pending = state.rules.takePending();
      if (pending) this.send(state, pending);
    }
  }

  private send(state: PartitionWriteState, point: SyncPoint): void {
    const sync: OffsetSync = { topic: state.topic, partition: state.partition, ...point };
    let sending: Promise<unknown>;
    try {
      sending = this.options.producer.send(this.topic, { partition: 0, key: encodeOffsetSyncKey(sync.topic, sync.partition, state.rules.nextLevel()), value: encodeOffsetSyncValue(sync) });
    } catch (err) {
      // onForwarded must not throw: a producer that refuses at once (closed) fails like a failed send.
      sending = Promise.reject(err);
    }
    const sent = sending
      .then(
        () => this.options.metrics.offsetSyncWritten(),
        (err: unknown) => {
          this.options.metrics.error('offset-sync');
          this.logger.warn({ err, sourceTopic: sync.topic, partition: sync.partition }, 'offset sync not written; retried at the next flush while it is the newest');
          // Only the partition's newest position is retried: an older sync written after a newer one
          // would make the translation store drop the newer.
          if (this.partitions.get(`${sync.topic}\u0000${sync.partition}`) === state) state.rules.restorePending(point);
        },
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }
}
