// Starts one node: its identity (node id, cluster id in meta.properties), its partition logs, its
// part in the metadata quorum (a voter's Raft driver and controller, or a follower of the log), the
// broker side kept in step with the metadata image (logs per replica, their roles as leader or
// follower once caught up, registration and heartbeats), the group coordinator (it serves the
// __consumer_offsets partitions this node leads), the gRPC listener (Broker, Admin, Groups,
// Replica, Quorum), the metrics endpoint and the background log tasks.
// stop() asks for a controlled shutdown first, hands the metadata quorum over when this node leads
// it, then undoes the rest in reverse order.
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError } from '../client/index.js';
import type { BrokerConfig } from './config/broker-config.js';
import { BrokerLifecycle } from './cluster/broker-lifecycle.js';
import { randomClusterId } from './cluster/cluster-id.js';
import { createMetadataNode, isSingleVoter } from './cluster/metadata-node.js';
import { ProducerIdBlocks } from './cluster/producer-id-blocks.js';
import { BrokerCore } from './core/broker-core.js';
import type { BrokerContext } from './core/broker-context.js';
import { TopicManager } from './core/topic-manager.js';
import {
  LogDirError, lockLogDirs, type LogDirLocks, LogManager, type OfflineLog, descriptorShortage, logDescriptorBudget,
  openDescriptorCount, readOpenFileLimit, readMetaProperties, writeMetaProperties, brokerDefaultsToTopicConfig,
  InvalidConfigError, type TopicConfig,
} from './log/index.js';
import { GroupCoordinator } from './groups/index.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { GroupMetrics } from './metrics/group-metrics.js';
import { QuorumMetrics } from './metrics/quorum-metrics.js';
import { ReplicationMetrics } from './metrics/replication-metrics.js';
import { Purgatory, ReplicaManager } from './replication/index.js';
import { startMetricsEndpoint, type MetricsEndpoint } from '../client/index.js';
import { startGrpcServer, type GrpcListener } from './rpc/grpc-server.js';

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a single-voter node waits at start for its own broker to be unfenced. */
const SINGLE_NODE_READY_MS = 10_000;
/** How long a node of a multi-voter quorum waits at start for its broker to be unfenced. */
const CLUSTER_READY_MS = 5_000;

export interface RunningBroker {
  /** The primary listener's port (the one clients are told about). */
  readonly port: number;
  /** The port bound for each listener, by name. */
  readonly listenerPorts: Readonly<Record<string, number>>;
  readonly metricsPort: number;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly core: BrokerCore;
  readonly registry: Registry;
  /** Controlled shutdown (leaderships move away first), then stops taking requests, finishes those
   * in flight, flushes and checkpoints the logs. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  /** Defaults to a new Registry; pass one to share it with an embedding process. */
  registry?: Registry;
  /** How long stop() waits for requests in flight. */
  shutdownGraceMs?: number;
  /** The node learned that it belongs to another cluster than its peers or controller. Default:
   * log it and stop the node; the broker process exits with code 1. */
  onFatal?: (message: string) => void;
}

/** Topic defaults from the broker file; a bad value is a ConfigError naming the key and line. */
export function topicDefaultsOf(config: BrokerConfig): TopicConfig {
  try {
    return brokerDefaultsToTopicConfig(config.topicDefaults);
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      const line = config.lines[err.key];
      throw new ConfigError(err.message, { ...(config.file ? { file: config.file } : {}), key: err.key, ...(line ? { line } : {}) });
    }
    throw err;
  }
}

/** Checks and locks every data dir before anything in them is read; an unusable dir is a ConfigError
 * naming log.dirs (or log.dir) and the path, a dir held by another live process a LogDirLockedError. */
function lockDataDirs(config: BrokerConfig, logger: Logger): LogDirLocks {
  try {
    return lockLogDirs(config.logDirs, (dir, holder) => {
      logger.warn({ logDir: dir, holderPid: holder?.pid }, 'took over a stale log dir lock (its holder is gone)');
    });
  } catch (err) {
    if (!(err instanceof LogDirError)) throw err;
    const key = config.explicit['log.dirs'] !== undefined ? 'log.dirs' : 'log.dir';
    const line = config.lines[key];
    throw new ConfigError(`${err.dir} ${err.problem}`, { ...(config.file ? { file: config.file } : {}), key, ...(line ? { line } : {}) }, { cause: err });
  }
}

/**
 * The cluster id: cluster.id, else meta.properties (written by `strait storage format`), else — only
 * for a node that is its own whole quorum — a new one. It is stored in meta.properties of every log
 * dir on first start; config and meta.properties disagreeing stops the start naming both.
 */
function establishIdentity(config: BrokerConfig): string {
  const at = (key: string) => ({ ...(config.file ? { file: config.file } : {}), key, ...(config.lines[key] ? { line: config.lines[key] } : {}) });
  let clusterId = config.clusterId;
  for (const dir of config.logDirs) {
    const meta = readMetaProperties(dir);
    if (!meta) continue;
    if (meta.nodeId !== config.nodeId) {
      throw new ConfigError(`${dir}/meta.properties belongs to node ${meta.nodeId}, not ${config.nodeId}`, at('node.id'));
    }
    if (clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new ConfigError(`${dir}/meta.properties belongs to cluster ${meta.clusterId}, but the config says cluster.id=${clusterId}`, at('cluster.id'));
    }
    clusterId = meta.clusterId;
  }
  if (clusterId === undefined) {
    if (!isSingleVoter(config)) {
      throw new ConfigError(`no cluster id for a node of a multi-voter quorum: run strait storage format --config FILE --cluster-id ID or set cluster.id`, at('cluster.id'));
    }
    clusterId = randomClusterId();
  }
  for (const dir of config.logDirs) {
    if (!readMetaProperties(dir)) writeMetaProperties(dir, { nodeId: config.nodeId, clusterId, version: 1 });
  }
  return clusterId;
}

export async function startBroker(config: BrokerConfig, options: StartOptions): Promise<RunningBroker> {
  const topicDefaults = topicDefaultsOf(config);
  const dirLocks = lockDataDirs(config, options.logger);
  try {
    return await startLocked(config, options, topicDefaults, dirLocks);
  } catch (err) {
    dirLocks.release();
    throw err;
  }
}

async function startLocked(config: BrokerConfig, options: StartOptions, topicDefaults: TopicConfig, dirLocks: LogDirLocks): Promise<RunningBroker> {
  const clusterId = establishIdentity(config);
  const logger = options.logger.child({ node: config.nodeId, cluster: clusterId });
  const isBroker = config.processRoles.includes('broker');

  // A partition going offline after load: parked fetches answer now, and the controller hears of it
  // at once (set once the parts that act on it exist).
  let onLogOffline: (log: OfflineLog) => void = () => {};
  const openFileLimit = readOpenFileLimit();
  const descriptorBudget = logDescriptorBudget(openFileLimit, openDescriptorCount());
  const logs = new LogManager({
    logDirs: config.logDirs, logger, onOffline: (log) => onLogOffline(log), ...(descriptorBudget === undefined ? {} : { descriptorBudget }),
  });
  // Logs open with the defaults; the metadata image gives each topic its overrides once applied.
  // Each starts from its checkpointed high watermark; replication moves it from there.
  logs.loadLogs(() => topicDefaults);
  const shortage = descriptorShortage(
    [...logs.allLogs().map((l) => l.numberOfSegments), ...logs.offlineLogs().map(() => 1)], openFileLimit);
  if (shortage) {
    logger.warn({ ...shortage, partitions: logs.allLogs().length + logs.offlineLogs().length },
      `the partition logs need about ${shortage.needed} file descriptors but the open-file limit is ${shortage.limit}: `
      + 'partitions beyond it will be offline; raise the limit (ulimit -n, systemd LimitNOFILE, docker --ulimit nofile)');
  }

  let stop: () => Promise<void> = () => Promise.resolve();
  const onFatal = options.onFatal ?? ((message: string) => {
    logger.fatal({ clusterId }, message);
    void stop();
  });
  const registry = options.registry ?? new Registry();
  const node = createMetadataNode({
    config, clusterId, topicDefaults, logger, onFatal,
    observer: { decisionDone: (operation, seconds) => quorumMetrics.decisionDone(operation, seconds) },
  });
  const quorumMetrics = new QuorumMetrics(registry, {
    metadataOffset: () => node.state.appliedIndex,
    fencedBrokers: () => node.state.image.brokers().filter((b) => b.fenced).length,
    term: () => node.quorum.term(),
    leaderChanges: () => node.raft?.leaderChanges ?? 0,
  });
  const advertised = { host: config.advertised.host, port: config.advertised.port };
  const purgatory = new Purgatory();
  const topics = new TopicManager({
    nodeId: config.nodeId, logs, defaults: topicDefaults, state: node.state, channel: node.channel,
    defaultReplicationFactor: config.defaultReplicationFactor, requestTimeoutMs: config.quorumRequestTimeoutMs,
    logger: logger.child({ component: 'topics' }),
    onLogReady: (topic, partition) => replicaManager.logReady(topic, partition),
    onReplicaRemoved: (topic, partition) => replicaManager.replicaRemoved(topic, partition),
  });
  let brokerEpoch: () => number = () => -1;
  const groupMetrics = new GroupMetrics(registry);
  // Built after the replica manager, which tells it of every leadership of __consumer_offsets.
  let groups: GroupCoordinator | undefined;
  const replicationMetrics = new ReplicationMetrics(registry, { leaders: () => replicaManager.leaders(), followerLags: () => replicaManager.followerLags() });
  const replicaManager = new ReplicaManager({
    nodeId: config.nodeId, clusterId, config, state: node.state, channel: node.channel,
    logs: { log: (topic, partition) => topics.log(topic, partition), isOffline: (topic, partition) => logs.offlineLog(topic, partition) !== undefined },
    brokerEpoch: () => brokerEpoch(),
    wakeConsumers: (topic, partition) => purgatory.wake(topic, partition),
    observer: replicationMetrics,
    leadership: { leaderStarted: (leader) => groups?.leaderStarted(leader), leaderEnded: (leader) => groups?.leaderEnded(leader) },
    logger: logger.child({ component: 'replication' }),
  });
  groups = new GroupCoordinator({
    nodeId: config.nodeId, config: config.groups, metadata: node.state, channel: node.channel, requestTimeoutMs: config.quorumRequestTimeoutMs,
    localHighWatermark: (topic, partition) => replicaManager.activeLeader(topic, partition)?.highWatermark(),
    observer: groupMetrics, logger: logger.child({ component: 'groups' }),
  });
  const coordinator = groups;
  groupMetrics.readFrom(coordinator);
  node.state.onChange((image, previous) => {
    if (isBroker) {
      topics.apply(image, previous);
      replicaManager.apply(image);
      coordinator.imageChanged();
    }
    // Fetches parked on a deleted topic answer now (UNKNOWN_TOPIC_OR_PARTITION), not at max_wait_ms.
    for (const old of previous.topics()) {
      if (!image.topicById(old.topicId)) for (const p of old.partitions) purgatory.wake(old.name, p.partition);
    }
  });
  const lifecycle = new BrokerLifecycle({
    nodeId: config.nodeId, clusterId, advertised, rack: config.rack, heartbeatIntervalMs: config.brokerHeartbeatIntervalMs,
    requestTimeoutMs: config.quorumRequestTimeoutMs, channel: node.channel, state: node.state,
    logger: logger.child({ component: 'lifecycle' }), onFatal, controllerKnown: () => node.quorum.leaderId() !== undefined,
    // Caught up: the image is current, so directories that do not match it can be judged (those of
    // topics deleted while this node was away, and strays of another incarnation of a name), and
    // the replicas take the roles it gives them.
    onCaughtUp: () => {
      topics.catchUp(node.state.image);
      replicaManager.start();
    },
    offlineReplicas: () => topics.offlineReplicas(),
  });
  brokerEpoch = () => lifecycle.brokerEpoch;
  onLogOffline = (log) => {
    replicaManager.logOffline(log.topic, log.partition);
    purgatory.wake(log.topic, log.partition);
    lifecycle.heartbeatSoon();
  };
  // A voter loaded its metadata snapshot before anyone listened: its topics take their configs now.
  if (isBroker) topics.syncAll(node.state.image);

  const metrics = new BrokerMetrics(registry, {
    logs: () => logs.allLogs(),
    offlinePartitions: () => {
      let offline = 0;
      for (const t of node.state.image.topics()) for (const p of t.partitions) if (p.leader < 0) offline++;
      return offline;
    },
    offlineReplicas: () => logs.offlineLogs().length,
    isActiveController: () => node.controller?.isActive === true,
  });
  const ctx: BrokerContext = {
    config, nodeId: config.nodeId, clusterId, advertised, topics, purgatory, replicas: replicaManager,
    producerIds: new ProducerIdBlocks(config.nodeId, lifecycle, node.channel, node.state, config.quorumRequestTimeoutMs), groups: coordinator,
    controller: node.channel, metadata: node.state, quorum: node.quorum, isBroker, traffic: metrics,
    logger: logger.child({ component: 'requests' }),
  };
  const core = new BrokerCore(ctx);

  let ready = false;
  let endpoint: MetricsEndpoint | undefined;
  let grpcServer: GrpcListener;
  try {
    endpoint = await startMetricsEndpoint({
      registry, host: config.metricsHost, port: config.metricsPort, ready: () => ready && (!isBroker || !lifecycle.isFenced),
      logger: logger.child({ component: 'metrics' }),
    });
    grpcServer = await startGrpcServer({
      core, addresses: config.listeners,
      observer: metrics, logger: logger.child({ component: 'grpc' }),
      quorum: {
        clusterId, state: node.state, quorum: node.raft, controller: node.controller, decisionContext: node.decisionContext,
        requestTimeoutMs: config.quorumRequestTimeoutMs,
      },
    });
  } catch (err) {
    await endpoint?.close();
    node.stop();
    logs.shutdown();
    throw err;
  }
  const metricsEndpoint = endpoint;
  const boundPorts = new Map(config.listeners.map((l, i) => [l.name, grpcServer.ports[i]!]));
  const grpcPort = boundPorts.get(config.listener.name)!;
  if (advertised.port === 0) advertised.port = grpcPort;
  node.setOwnPort(advertised.port);
  node.start();
  if (isBroker) {
    lifecycle.start();
    // A node that is its own quorum is unfenced in milliseconds; a cluster node needs a majority of
    // the voters up, so it waits a bounded time (nodes of a cluster start together) and otherwise
    // reports started while fenced (/readyz says when it is unfenced).
    const waitMs = isSingleVoter(config) ? SINGLE_NODE_READY_MS : CLUSTER_READY_MS;
    if (!(await lifecycle.whenUnfenced(waitMs))) logger.warn({ waitedMs: waitMs }, 'this broker is still fenced');
  }
  logs.startBackgroundTasks({
    retentionCheckMs: config.retentionCheckIntervalMs,
    flushCheckMs: config.flushSchedulerIntervalMs,
    checkpointMs: config.flushCheckpointIntervalMs,
    highWatermarkCheckpointMs: config.replicaHighWatermarkCheckpointIntervalMs,
    producerIdExpiration: { expirationMs: config.producerIdExpirationMs, checkMs: config.producerIdExpirationCheckIntervalMs },
    // log.cleaner.enable=false: the compaction timer is left at the longest period a timer allows.
    compactionMs: config.cleanerEnable ? Math.max(1, config.cleanerBackoffMs) : MAX_TIMER_MS,
  });
  coordinator.start();
  ready = true;
  logger.info({
    grpcPort, listeners: Object.fromEntries(boundPorts), metricsPort: metricsEndpoint.port, logDirs: config.logDirs, roles: config.processRoles,
    voters: node.voters.map((v) => v.id), topics: node.state.image.topics().length,
  }, 'broker started');

  let stopping: Promise<void> | undefined;
  stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info('broker stopping');
      // Leaderships move to other brokers before this one goes (nothing to move when it is the only one).
      const others = node.state.image.liveBrokers().some((b) => b.brokerId !== config.nodeId);
      if (isBroker && others) await lifecycle.controlledShutdown(config.controlledShutdownTimeoutMs);
      lifecycle.stop();
      // The active controller hands the metadata quorum over before it goes (Raft's leadership
      // transfer), so the other voters need not wait out an election timeout. Before the gRPC server
      // stops: the transfer needs the target's answers. The core drops a transfer after one election
      // timeout; the second one leaves time to hear from the new leader.
      if (node.raft) await node.raft.handOver(2 * config.electionTimeoutMs);
      ready = false;
      // The coordinator goes before the streams close: its members are told NOT_COORDINATOR and
      // stay members (a closed stream would otherwise end a dynamic member as if it had left).
      coordinator.stop();
      core.releaseWaitingFetches();
      await grpcServer.stop(options.shutdownGraceMs ?? 5000);
      core.releaseWaitingFetches();
      // Nothing appends to the logs after this: the fetchers are closed before the logs are.
      replicaManager.stop();
      node.stop();
      node.state.failAll(new Error('the node is stopping'));
      logs.stopBackgroundTasks();
      logs.shutdown();
      dirLocks.release();
      await metricsEndpoint.close();
      logger.info('broker stopped');
    })();
    return stopping;
  };
  return { port: grpcPort, listenerPorts: Object.fromEntries(boundPorts), metricsPort: metricsEndpoint.port, nodeId: config.nodeId, clusterId, core, registry, stop: () => stop() };
}
