// Starts one broker node: storage, topics, request handlers, gRPC listener, metrics endpoint, and
// the background log tasks; stop() undoes it in the reverse order and leaves a clean shutdown marker.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError } from './config/config-error.js';
import type { BrokerConfig } from './config/broker-config.js';
import { BrokerCore } from './core/broker-core.js';
import type { BrokerContext } from './core/broker-context.js';
import { FetchPurgatory } from './core/fetch-purgatory.js';
import { ProducerIdManager } from './core/producer-id-manager.js';
import { TopicManager } from './core/topic-manager.js';
import { FileTopicRegistry, TOPIC_REGISTRY_FILE } from './core/topic-registry.js';
import { LogManager } from './log/log-manager.js';
import { readMetaProperties, writeMetaProperties } from './log/meta-properties.js';
import { brokerDefaultsToTopicConfig, InvalidConfigError, type TopicConfig } from './log/topic-config.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { startMetricsEndpoint, type MetricsEndpoint } from './metrics/http-endpoint.js';
import { startGrpcServer, type GrpcListener } from './rpc/grpc-server.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunningBroker {
  readonly port: number;
  readonly metricsPort: number;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly core: BrokerCore;
  readonly registry: Registry;
  /** Stops taking requests, finishes those in flight, flushes and checkpoints the logs. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  /** Defaults to a new Registry; pass one to share it with an embedding process. */
  registry?: Registry;
  /** How long stop() waits for requests in flight. */
  shutdownGraceMs?: number;
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

/** Kafka-style cluster id: 16 random bytes, URL-safe base64. */
function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** Checks or writes meta.properties in every log dir: one node id and one cluster id throughout. */
function establishIdentity(config: BrokerConfig): string {
  let clusterId = config.clusterId;
  for (const dir of config.logDirs) {
    const meta = readMetaProperties(dir);
    if (!meta) continue;
    if (meta.nodeId !== config.nodeId) {
      throw new ConfigError(`${dir}/meta.properties belongs to node ${meta.nodeId}, not ${config.nodeId}`, { key: 'node.id' });
    }
    if (clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new ConfigError(`${dir}/meta.properties belongs to cluster ${meta.clusterId}, not ${clusterId}`, { key: 'cluster.id' });
    }
    clusterId = meta.clusterId;
  }
  clusterId ??= newClusterId();
  for (const dir of config.logDirs) {
    if (!readMetaProperties(dir)) writeMetaProperties(dir, { nodeId: config.nodeId, clusterId, version: 1 });
  }
  return clusterId;
}

export async function startBroker(config: BrokerConfig, options: StartOptions): Promise<RunningBroker> {
  const topicDefaults = topicDefaultsOf(config);
  for (const dir of config.logDirs) mkdirSync(dir, { recursive: true });
  const clusterId = establishIdentity(config);
  const logger = options.logger.child({ node: config.nodeId, cluster: clusterId });
  const dataDir = config.logDirs[0]!;

  const registryExisted = existsSync(path.join(dataDir, TOPIC_REGISTRY_FILE));
  const topicRegistry = new FileTopicRegistry(dataDir);
  const logs = new LogManager({ logDirs: config.logDirs, logger });
  const topics = new TopicManager(topicRegistry, logs, topicDefaults, logger.child({ component: 'topics' }));
  await logs.loadLogs((topic: string) => topics.configOf(topic));
  await topics.reconcile(registryExisted);
  // The checkpointed high watermark can trail the log after a crash; with this node the whole ISR,
  // everything in the log is committed.
  for (const log of logs.allLogs()) log.highWatermark = log.logEndOffset;

  const registry = options.registry ?? new Registry();
  const metrics = new BrokerMetrics(registry, {
    logs: () => logs.allLogs(),
    offlinePartitions: () => {
      let offline = 0;
      for (const t of topics.list()) for (let p = 0; p < t.partitions; p++) if (!logs.getLog(t.name, p)) offline++;
      return offline;
    },
  });
  const ctx: BrokerContext = {
    config,
    nodeId: config.nodeId,
    clusterId,
    advertised: { host: config.advertised.host, port: config.advertised.port },
    topics,
    purgatory: new FetchPurgatory(),
    producerIds: new ProducerIdManager(dataDir),
    traffic: metrics,
    logger: logger.child({ component: 'requests' }),
  };
  const core = new BrokerCore(ctx);

  let ready = false;
  let endpoint: MetricsEndpoint | undefined;
  let grpcServer: GrpcListener;
  try {
    endpoint = await startMetricsEndpoint({
      registry, host: config.metricsHost, port: config.metricsPort, ready: () => ready, logger: logger.child({ component: 'metrics' }),
    });
    grpcServer = await startGrpcServer({
      core, host: config.listener.host, port: config.listener.port,
      observer: metrics, logger: logger.child({ component: 'grpc' }),
    });
  } catch (err) {
    await endpoint?.close();
    logs.shutdown();
    throw err;
  }
  const metricsEndpoint = endpoint;
  if (ctx.advertised.port === 0) ctx.advertised.port = grpcServer.port;
  logs.startBackgroundTasks({
    retentionCheckMs: config.retentionCheckIntervalMs,
    flushCheckMs: config.flushSchedulerIntervalMs,
    checkpointMs: config.flushCheckpointIntervalMs,
    // log.cleaner.enable=false: the compaction timer is left at the longest period a timer allows.
    compactionMs: config.cleanerEnable ? Math.max(1, config.cleanerBackoffMs) : MAX_TIMER_MS,
  });
  ready = true;
  logger.info({ grpcPort: grpcServer.port, metricsPort: metricsEndpoint.port, logDirs: config.logDirs, topics: topics.list().length }, 'broker started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      logger.info('broker stopping');
      core.releaseWaitingFetches();
      await grpcServer.stop(options.shutdownGraceMs ?? 5000);
      core.releaseWaitingFetches();
      logs.stopBackgroundTasks();
      logs.shutdown();
      await metricsEndpoint.close();
      logger.info('broker stopped');
    })();
    return stopping;
  };
  return { port: grpcServer.port, metricsPort: metricsEndpoint.port, nodeId: config.nodeId, clusterId, core, registry, stop };
}
