// One flow A->B in one worker, composed: topic sync (remote topics exist, grow, get their configs),
// the worker group on the target (which source partitions are this worker's), the forwarding loop
// (whole batches from A into B) with its source positions, and the listeners told of every
// acknowledged batch. The flow's other duties (offset syncs, checkpoints, group offset sync,
// heartbeats: mirror/offsets) plug in through FlowExtensions: each gets the flow's context (config,
// policy, clients, metrics, logger) and returns listeners (told of every forwarded batch, in partition
// order) and tasks (started after the data path, stopped before it).
import type { Logger } from 'pino';
import { Admin, Consumer, Producer, type ConsumerOptions, type ProducerOptions, type TopicPartition } from '../../client/index.js';
import type { ClusterSettings, FlowConfig } from '../config/mirror-config.js';
import type { FlowMetrics } from '../metrics/mirror-metrics.js';
import { FlowPolicy } from '../policy/flow-policy.js';
import type { ForwardListener } from './forwarded-batch.js';
import { FlowWorkers, workerGroupId } from './flow-workers.js';
import { ForwardingLoop, type ForwardedPartition } from './forwarding-loop.js';
import { SourcePositions } from './source-positions.js';
import { TopicSync, type MirroredTopic } from './topic-sync.js';

/** Options the mirror gives its clients unless the config file says otherwise. */
const MIRROR_PRODUCER_DEFAULTS: Readonly<Record<string, string>> = {
  // Kafka Connect's worker runs source-task producers with these: never give a batch up on time
  // (a target down for an hour is waited for), never reorder, write to every in-sync replica.
  'acks': 'all',
  'enable.idempotence': 'true',
  'delivery.timeout.ms': '2147483647',
  // Forwarded batches are already whole: nothing to linger for.
  'linger.ms': '0',
  // Source batches up to the broker's default max.message.bytes, several of them per request.
  'max.request.size': '8388608',
  // Remote topics are created by topic sync with the right partition count, never by a produce.
  'allow.auto.create.topics': 'false',
};
const MIRROR_CONSUMER_DEFAULTS: Readonly<Record<string, string>> = {
  'enable.auto.commit': 'false',
  'allow.auto.create.topics': 'false',
  'fetch.max.wait.ms': '500',
};
/** Bytes sent to the target and not yet acknowledged, over all partitions of a flow in one worker. */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

export interface FlowClients {
  admin: Admin;
  consumerOptions: ConsumerOptions;
  producerOptions: ProducerOptions;
}

export interface FlowContext {
  flow: FlowConfig;
  policy: FlowPolicy;
  /** Admin clients of both clusters (owned by the flow), and options for clients an extension opens. */
  source: FlowClients;
  target: FlowClients;
  metrics: FlowMetrics;
  logger: Logger;
}

export interface FlowTask {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface FlowExtension {
  listeners?: ForwardListener[];
  tasks?: FlowTask[];
}

/** Builds one part of a flow (the offset-sync writer, the checkpoint emitter...) from its context. */
export type FlowExtensionFactory = (context: FlowContext) => FlowExtension;

export interface MirrorFlowOptions {
  flow: FlowConfig;
  clusters: Record<string, ClusterSettings>;
  metrics: FlowMetrics;
  logger: Logger;
  extensions?: readonly FlowExtensionFactory[];
}

function clientOptions(cluster: ClusterSettings, own: Record<string, string>, defaults: Readonly<Record<string, string>>): Record<string, string> & { 'bootstrap.servers': string } {
  return { 'bootstrap.servers': cluster.bootstrapServers, ...defaults, ...own };
}

export class MirrorFlow {
  readonly flow: FlowConfig;
  readonly policy: FlowPolicy;
  private readonly context: FlowContext;
  private readonly logger: Logger;
  private readonly producer: Producer;
  private readonly positions: SourcePositions;
  private readonly loop: ForwardingLoop;
  private readonly topicSync: TopicSync;
  private readonly workers: FlowWorkers;
  private readonly tasks: FlowTask[] = [];
  /** Remote topic -> its source topic, as topic sync last saw them. */
  private remoteToSource = new Map<string, MirroredTopic>();

  constructor(options: MirrorFlowOptions) {
    const { flow, clusters, metrics } = options;
    this.flow = flow;
    this.policy = new FlowPolicy(flow);
    this.logger = options.logger.child({ flow: `${flow.source}->${flow.target}` });
    const sourceCluster = clusters[flow.source]!;
    const targetCluster = clusters[flow.target]!;
    const source: FlowClients = {
      admin: new Admin({ ...clientOptions(sourceCluster, flow.sourceAdmin, {}), 'request.timeout.ms': String(Math.min(flow.adminTimeoutMs, 30_000)) }),
      consumerOptions: clientOptions(sourceCluster, flow.sourceConsumer, MIRROR_CONSUMER_DEFAULTS),
      producerOptions: clientOptions(sourceCluster, flow.sourceProducer, MIRROR_PRODUCER_DEFAULTS),
    };
    const target: FlowClients = {
      admin: new Admin({ ...clientOptions(targetCluster, flow.targetAdmin, {}), 'request.timeout.ms': String(Math.min(flow.adminTimeoutMs, 30_000)) }),
      consumerOptions: clientOptions(targetCluster, flow.targetConsumer, MIRROR_CONSUMER_DEFAULTS),
      producerOptions: clientOptions(targetCluster, flow.targetProducer, MIRROR_PRODUCER_DEFAULTS),
    };
    this.context = { flow, policy: this.policy, source, target, metrics, logger: this.logger };
    const listeners: ForwardListener[] = [metrics];
    for (const factory of options.extensions ?? []) {
      const part = factory(this.context);
      listeners.push(...(part.listeners ?? []));
      this.tasks.push(...(part.tasks ?? []));
    }
    this.producer = new Producer(target.producerOptions);
    const report = (operation: string) => (err: unknown): void => {
      metrics.error(operation);
      this.logger.warn({ err, operation }, 'mirror operation failed; retrying');
    };
    this.positions = new SourcePositions({
      topic: this.policy.positionsTopic(), replicationFactor: flow.positionsTopicReplicationFactor, flushIntervalMs: flow.offsetFlushIntervalMs,
      targetAdmin: target.admin, targetProducer: this.producer, targetConsumerOptions: target.consumerOptions, onError: report('record-positions'),
    });
    this.loop = new ForwardingLoop({
      source: new Consumer(source.consumerOptions), target: this.producer, positions: this.positions, listeners, metrics, logger: this.logger,
      maxInFlightBytes: MAX_IN_FLIGHT_BYTES, pollTimeoutMs: 500, errorBackoffMs: 1000,
    });
    this.topicSync = new TopicSync({
      flow, policy: this.policy, sourceAdmin: source.admin, targetAdmin: target.admin, metrics, logger: this.logger,
      onTopics: (topics) => {
        this.remoteToSource = new Map(topics.map((t) => [t.remoteTopic, t]));
        this.workers.subscribe(topics.map((t) => t.remoteTopic));
      },
    });
    this.workers = new FlowWorkers(target.consumerOptions, workerGroupId(flow.source, flow.target), {
      assigned: (partitions) => this.loop.add(this.sourcePartitions(partitions)),
      revoked: (partitions) => this.loop.remove(this.sourcePartitions(partitions).map((p) => ({ topic: p.sourceTopic, partition: p.partition }))),
    }, this.logger, report('worker-group'));
  }

  /** The source partitions behind remote partitions (the same numbers). */
  private sourcePartitions(remote: readonly TopicPartition[]): ForwardedPartition[] {
    return remote.flatMap((tp) => {
      const t = this.remoteToSource.get(tp.topic);
      if (!t) {
        this.logger.warn({ remoteTopic: tp.topic }, 'assigned a remote topic this worker does not mirror; ignored');
        return [];
      }
      return [{ sourceTopic: t.sourceTopic, remoteTopic: tp.topic, partition: tp.partition }];
    });
  }

  /** Creates the flow's topics, joins the worker group and starts forwarding; then the extensions' tasks. */
  async start(): Promise<void> {
    await this.positions.start();
    this.loop.start();
    await this.topicSync.start();
    for (const task of this.tasks) await task.start();
    this.logger.info({ topics: this.topicSync.current().length }, 'flow started');
  }

  /** The topics mirrored now and the partitions this worker forwards. */
  status(): { topics: readonly MirroredTopic[]; partitions: ForwardedPartition[] } {
    return { topics: this.topicSync.current(), partitions: this.loop.partitions() };
  }

  /**
   * Drains: the extensions' tasks stop, topic sync stops, the worker leaves its group (each partition
   * drained and its position written before it is released), forwarding stops, then the clients close.
   */
  async stop(): Promise<void> {
    for (const task of [...this.tasks].reverse()) await task.stop();
    await this.topicSync.stop();
    await this.workers.stop();
    await this.loop.stop();
    await this.positions.stop();
    await this.producer.close();
    await this.context.source.admin.close();
    await this.context.target.admin.close();
    this.logger.info('flow stopped');
  }
}
