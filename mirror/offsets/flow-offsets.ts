// Everything of one flow A->B that is about offsets and heartbeats, composed the way the flow runs them:
// the offset-sync writer (the forwarders' listener), the offset-sync log the checkpoint side translates
// with, the checkpoint emitter, group offset sync, the heartbeat emitter and the heartbeat monitor,
// each only when the flow's settings ask for it. mirror-flow.ts builds one per flow with the flow's
// clients and adds `listener` to its forwarders; the heartbeat-only pairs of a config
// (MirrorConfig.heartbeatOnlyFlows) need a HeartbeatEmitter alone.
// Which parts run (MM2's connectors): offset syncs with emit.offset-syncs.enabled; checkpoints with
// emit.checkpoints.enabled or sync.group.offsets.enabled (the latter commits from the former's
// ledger); heartbeats with emit.heartbeats.enabled; the monitor always (it only reads).
import type { Logger } from 'pino';
import type { Admin, ConsumerOptions, Producer } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import type { ForwardedBatch, ForwardListener } from '../flow/forwarded-batch.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import { FlowPolicy } from '../policy/flow-policy.js';
import { CheckpointEmitter } from './checkpoint-emitter.js';
import { GroupOffsetSync } from './group-offset-sync.js';
import { HeartbeatEmitter, HeartbeatMonitor } from './heartbeats.js';
import { OffsetSyncLog } from './offset-sync-log.js';
import { OffsetSyncWriter } from './offset-sync-writer.js';

/** The flow's SDK clients; FlowOffsets uses them and never closes them. */
export interface OffsetsClients {
  sourceAdmin: Admin;
  targetAdmin: Admin;
  sourceProducer: Producer;
  targetProducer: Producer;
  /** Options for consumers FlowOffsets creates to read internal topics (bootstrap.servers included). */
  sourceConsumer: ConsumerOptions;
  targetConsumer: ConsumerOptions;
}

export interface FlowOffsetsOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  /** The config's enabled flow target->source, if any: its offset syncs translate checkpoints of the
   * source's copies of the target's topics back (see CheckpointEmitter). */
  reverseFlow?: FlowConfig;
  clients: OffsetsClients;
  metrics: FlowMetrics;
  logger: Logger;
}

export class FlowOffsets {
  readonly writer: OffsetSyncWriter | undefined;
  readonly offsetSyncs: OffsetSyncLog | undefined;
  /** The opposite flow's offset syncs, read by the checkpoint emitter (see reverseFlow). */
  readonly reverseOffsetSyncs: OffsetSyncLog | undefined;
  readonly checkpoints: CheckpointEmitter | undefined;
  readonly groupOffsetSync: GroupOffsetSync | undefined;
  readonly heartbeats: HeartbeatEmitter | undefined;
  readonly heartbeatMonitor: HeartbeatMonitor;
  /** For the partition forwarders: hears every acknowledged batch (a no-op without offset syncs). */
  readonly listener: ForwardListener;

  constructor(options: FlowOffsetsOptions) {
    const { flow, policy, clients, metrics, logger, reverseFlow } = options;
    const syncsOnSource = policy.offsetSyncsCluster() === flow.source;
    const syncsAdmin = syncsOnSource ? clients.sourceAdmin : clients.targetAdmin;
    if (flow.emitOffsetSyncs) {
      this.writer = new OffsetSyncWriter({ flow, policy, producer: syncsOnSource ? clients.sourceProducer : clients.targetProducer, admin: syncsAdmin, metrics, logger });
    }
    if (flow.emitCheckpoints || flow.syncGroupOffsets) {
      this.offsetSyncs = new OffsetSyncLog({ flow, policy, admin: syncsAdmin, consumer: syncsOnSource ? clients.sourceConsumer : clients.targetConsumer, logger });
      let reverse: { policy: FlowPolicy; offsetSyncs: OffsetSyncLog } | undefined;
      if (reverseFlow && reverseFlow.emitOffsetSyncs) {
        const reversePolicy = new FlowPolicy(reverseFlow);
        // The opposite flow's syncs are on its source (this flow's target) or its target (this source).
        const onTarget = reversePolicy.offsetSyncsCluster() === flow.target;
        this.reverseOffsetSyncs = new OffsetSyncLog({
          flow: reverseFlow, policy: reversePolicy, admin: onTarget ? clients.targetAdmin : clients.sourceAdmin,
          consumer: onTarget ? clients.targetConsumer : clients.sourceConsumer, logger, createTopic: false,
        });
        reverse = { policy: reversePolicy, offsetSyncs: this.reverseOffsetSyncs };
      }
      this.checkpoints = new CheckpointEmitter({
        flow, policy, sourceAdmin: clients.sourceAdmin, targetAdmin: clients.targetAdmin, targetProducer: clients.targetProducer, targetConsumer: clients.targetConsumer,
        offsetSyncs: this.offsetSyncs, ...(reverse ? { reverse } : {}), metrics, logger,
      });
    }
    if (flow.syncGroupOffsets && this.checkpoints) {
      this.groupOffsetSync = new GroupOffsetSync({ flow, targetAdmin: clients.targetAdmin, checkpoints: this.checkpoints, metrics, logger });
    }
    if (flow.emitHeartbeats) {
      this.heartbeats = new HeartbeatEmitter({ flow, policy, targetAdmin: clients.targetAdmin, targetProducer: clients.targetProducer, metrics, logger });
    }
    this.heartbeatMonitor = new HeartbeatMonitor({ flow, policy, targetAdmin: clients.targetAdmin, targetConsumer: clients.targetConsumer, metrics, logger });
    const writer = this.writer;
    this.listener = {
      onForwarded: (batch: ForwardedBatch) => writer?.onForwarded(batch),
      partitionReleased: (sourceTopic: string, partition: number) => writer?.partitionReleased(sourceTopic, partition),
    };
  }

  /** Creates the internal topics the parts write and starts their timers. */
  async start(): Promise<void> {
    await this.writer?.start();
    await this.heartbeats?.start();
    await this.checkpoints?.start();
    this.groupOffsetSync?.start();
    this.heartbeatMonitor.start();
  }

  /** Stops the timers, waits for rounds in progress, writes the pending offset syncs. */
  async stop(): Promise<void> {
    await this.groupOffsetSync?.stop();
    await this.checkpoints?.stop();
    await this.heartbeats?.stop();
    await this.heartbeatMonitor.stop();
    await this.writer?.stop();
    await this.offsetSyncs?.close();
    await this.reverseOffsetSyncs?.close();
  }
}
