// A flow's checkpoints (MM2's MirrorCheckpointTask): every emit.checkpoints.interval.seconds, the committed
// offsets of the source groups the group filters select, on the source topics this flow mirrors, are
// translated with the offset syncs and written to `<source>.checkpoints.internal` on the target, keyed
// by group, remote topic and partition. A partition is checkpointed only once it can be translated (a
// sync exists; offset 0 of a mirrored topic always can), and only when the checkpoint ledger's rule says
// so, which keeps checkpoints monotonic across restarts: the ledger is read back from the topic before
// the first round (KAFKA-15905). The ledger is also what group offset sync commits from; with
// emit.checkpoints.enabled = false it is kept without writing the topic.
// With the opposite flow enabled (active-active), a group's offsets on the source's copies of the
// target's own topics (B.x on A) are checkpointed as well, under the target's name (x), translated
// back with the opposite flow's offset syncs: what MM2's renameTopicPartition meant to do but could
// not translate. Failover uses them when the source is down; group offset sync does not (the target's
// own topics may be consumed by a group of the same name there, and their offsets are its own).
import type { Logger } from 'pino';
import type { Admin, ConsumerOptions, Producer } from '../../client/index.js';
import type { FlowConfig } from '../config/mirror-config.js';
import { COMPACTED, ensureTopic, type InternalTopicSpec } from '../internal-topics.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import type { FlowPolicy } from '../policy/flow-policy.js';
import { CheckpointLedger } from './checkpoint-ledger.js';
import { decodeCheckpoint, encodeCheckpointKey, encodeCheckpointValue, type Checkpoint } from './internal-records.js';
import type { OffsetSyncLog } from './offset-sync-log.js';
import { PeriodicTask } from './periodic-task.js';
import { TopicReader } from './topic-reader.js';

/** MM2's checkpoints topic: one partition, compacted, on the target. */
export function checkpointsTopicSpec(flow: FlowConfig, policy: FlowPolicy): InternalTopicSpec {
  return { name: policy.checkpointsTopic(), partitions: 1, replicationFactor: flow.checkpointsTopicReplicationFactor, configs: COMPACTED };
}

export interface CheckpointEmitterOptions {
  flow: FlowConfig;
  policy: FlowPolicy;
  sourceAdmin: Admin;
  targetAdmin: Admin;
  targetProducer: Producer;
  /** Options of a consumer on the target (reads the checkpoints topic back at start). */
  targetConsumer: ConsumerOptions;
  /** The flow's offset syncs, shared with whatever else translates. */
  offsetSyncs: OffsetSyncLog;
  /** The opposite flow (target->source), when the config enables it: groups' offsets on the source's
   * copies of the target's topics (B.x on A) are checkpointed too, translated back with its syncs. */
  reverse?: { policy: FlowPolicy; offsetSyncs: OffsetSyncLog };
  metrics: FlowMetrics;
  logger: Logger;
}

export class CheckpointEmitter {
  readonly ledger = new CheckpointLedger();
  readonly topic: string;
  private readonly task: PeriodicTask;
  private readonly checkpointsReader: TopicReader;
  private ledgerLoaded = false;
  private groups: { ids: string[]; listedAtMs: number } | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: CheckpointEmitterOptions) {
    const { flow, policy, metrics } = options;
    this.topic = policy.checkpointsTopic();
    this.logger = options.logger.child({ component: 'checkpoint-emitter', source: flow.source, target: flow.target });
    this.checkpointsReader = new TopicReader({
      topic: this.topic,
      admin: options.targetAdmin,
      consumer: options.targetConsumer,
      logger: this.logger,
      onRecord: (r) => {
        const checkpoint = decodeCheckpoint(r.key, r.value);
        if (policy.shouldReplicateGroup(checkpoint.group)) this.ledger.load(checkpoint);
      },
    });
    this.task = new PeriodicTask('checkpoints', flow.checkpointsIntervalMs, () => this.emitCheckpoints(), () => metrics.error('checkpoint'), this.logger);
  }

  async start(): Promise<void> {
    if (this.options.flow.emitCheckpoints) await ensureTopic(this.options.targetAdmin, checkpointsTopicSpec(this.options.flow, this.options.policy));
    this.task.start({ immediately: true });
  }

  /** One round now (after a round in progress); failures are logged and counted, as in the schedule. */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  /** The group's newest checkpoints of the remote topics this flow writes (not those translated back
   * to the target's own topics): what group offset sync commits. */
  forwardCheckpoints(group: string): Checkpoint[] {
    const { policy } = this.options;
    return this.ledger.ofGroup(group).filter((cp) => {
      const replication = policy.replication;
      const upstream = replication.topicSource(cp.topic) === policy.source ? replication.upstreamTopic(cp.topic) : undefined;
      // Under the identity policy every name is its own remote name: all checkpoints are forward ones.
      return policy.remoteTopic(upstream ?? cp.topic) === cp.topic;
    });
  }

  /** Whether the ledger holds what the checkpoints topic held at start (group offset sync waits for it). */
  get ready(): boolean {
    return this.ledgerLoaded && this.options.offsetSyncs.store.isReadToEnd;
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.checkpointsReader.close();
  }

  private async emitCheckpoints(): Promise<void> {
    const { flow, policy, sourceAdmin, offsetSyncs } = this.options;
    if (!this.ledgerLoaded) {
      if (flow.emitCheckpoints) await this.checkpointsReader.readToEnd(flow.adminTimeoutMs);
      this.ledgerLoaded = true;
    }
    await offsetSyncs.catchUp(flow.adminTimeoutMs);
    const reverse = this.options.reverse;
    if (reverse) await reverse.offsetSyncs.catchUp(flow.adminTimeoutMs);
    const startedAtMs = Date.now();
    const writes: Promise<void>[] = [];
    for (const group of await this.groupIds()) {
      let committed;
      try {
        committed = await sourceAdmin.listConsumerGroupOffsets(group);
      } catch (err) {
        this.logger.warn({ err, group }, 'committed offsets of the group not read; it is tried again next round');
        continue;
      }
      for (const c of committed) {
        if (c.offset < 0) continue;
        let checkpoint: Checkpoint | undefined;
        if (policy.shouldReplicateTopic(c.topic)) {
          const downstream = offsetSyncs.store.translateDownstream(c.topic, c.partition, c.offset);
          if (downstream !== undefined) checkpoint = { group, topic: policy.remoteTopic(c.topic), partition: c.partition, upstream: c.offset, downstream, metadata: c.metadata };
        } else if (reverse && policy.replication.topicSource(c.topic) === flow.target) {
          const targetTopic = policy.replication.upstreamTopic(c.topic)!;
          const downstream = reverse.policy.shouldReplicateTopic(targetTopic) ? reverse.offsetSyncs.store.translateUpstream(targetTopic, c.partition, c.offset) : undefined;
          if (downstream !== undefined) checkpoint = { group, topic: targetTopic, partition: c.partition, upstream: c.offset, downstream, metadata: c.metadata };
        }
        if (checkpoint && this.ledger.supersedes(checkpoint)) writes.push(this.write(checkpoint, startedAtMs));
      }
    }
    await Promise.all(writes);
  }

  private async write(checkpoint: Checkpoint, startedAtMs: number): Promise<void> {
    const { flow, targetProducer, metrics } = this.options;
    if (!flow.emitCheckpoints) {
      this.ledger.record(checkpoint);
      return;
    }
    try {
      await targetProducer.send(this.topic, { partition: 0, key: encodeCheckpointKey(checkpoint), value: encodeCheckpointValue(checkpoint) });
    } catch (err) {
      metrics.error('checkpoint');
      this.logger.warn({ err, group: checkpoint.group, remoteTopic: checkpoint.topic, partition: checkpoint.partition }, 'checkpoint not written; tried again next round');
      return;
    }
    this.ledger.record(checkpoint);
    metrics.checkpointWritten(checkpoint.group, (Date.now() - startedAtMs) / 1000);
  }

  /** The source groups to checkpoint, listed again every refresh.groups.interval.seconds (MM2). */
  private async groupIds(): Promise<string[]> {
    const { flow, policy, sourceAdmin } = this.options;
    const now = Date.now();
    const stale = !this.groups || (flow.refreshGroupsEnabled && now - this.groups.listedAtMs >= flow.refreshGroupsIntervalMs);
    if (stale) {
      const listed = await sourceAdmin.listGroups();
      this.groups = { ids: listed.map((g) => g.groupId).filter((g) => policy.shouldReplicateGroup(g)).sort(), listedAtMs: now };
    }
    return this.groups!.ids;
  }
}
