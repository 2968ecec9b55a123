// Topics as the metadata image describes them, and this node's partition logs kept in step with it:
// a log for every partition this node is a replica of, created as the image gains them; the logs of
// a removed topic deleted (DeleteTopics removes the data on every node); config changes applied to
// the live logs. Changes go through the active controller (ControllerChannel); reads come from the
// image this node has applied.
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/errors.js';
import type { PartitionLog } from '../log/log-types.js';
import { parseTopicConfigs, type TopicConfig } from '../log/topic-config.js';
import type { CreateTopicResult, MetadataImage, PartitionImage, TopicImage, TopicResult } from '../metadata/index.js';
import type { ControllerChannel } from '../cluster/controller-channel.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { LogStore } from './log-store.js';

export interface TopicRecord {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: number;
  /** Topic-level overrides only (what CreateTopics/IncrementalAlterConfigs set). */
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicManagerOptions {
  nodeId: number;
  logs: LogStore;
  defaults: TopicConfig;
  state: MetadataState;
  channel: ControllerChannel;
  /** Replication factor of an auto-created topic (default.replication.factor). */
  defaultReplicationFactor: number;
  /** How long an auto-create waits for the controller. */
  requestTimeoutMs: number;
  logger: Logger;
}

/** The metadata log's own name (its directory sits beside the partition logs): no topic may take it. */
export const RESERVED_TOPIC = '__cluster_metadata';

export function checkNotReserved(name: string): void {
  if (name === RESERVED_TOPIC) throw new StraitError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name '${name}' is reserved for the cluster metadata log.`);
}

const recordOf = (t: TopicImage): TopicRecord => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.length, configs: t.configs });

/** -1 or absent: the caller does not know the leader epoch, so it is not checked (Kafka's rule). */
const epochGiven = (epoch: number | undefined): epoch is number => epoch !== undefined && epoch >= 0;

/** Replica logs created per event-loop turn when the image gains many at once. */
const LOGS_PER_TURN = 64;

export class TopicManager {
  readonly defaults: TopicConfig;
  private readonly configs = new Map<string, { topicId: string; config: TopicConfig }>();
  /** Replicas of this node whose logs are still to be created. */
  private missing: { topicId: string; partition: number }[] = [];
  private draining = false;

  constructor(private readonly options: TopicManagerOptions) {
    this.defaults = options.defaults;
  }

  private get image(): MetadataImage {
    return this.options.state.image;
  }

  get(name: string): TopicRecord | undefined {
    const t = this.image.topic(name);
    return t === undefined ? undefined : recordOf(t);
  }

  list(): TopicRecord[] {
    return this.image.topics().map(recordOf);
  }

  /** Defaults with the topic's overrides applied (what its logs run with). */
  configOf(name: string): TopicConfig {
    const topic = this.image.topic(name);
    if (!topic) return this.defaults;
    const cached = this.configs.get(name);
    if (cached?.topicId === topic.topicId) return cached.config;
    let config: TopicConfig;
    try {
      config = parseTopicConfigs({ ...topic.configs }, this.defaults);
    } catch (err) {
      this.options.logger.error({ err, topic: name }, 'topic overrides in the metadata are not valid here; using the defaults');
      config = this.defaults;
    }
    this.configs.set(name, { topicId: topic.topicId, config });
    return config;
  }

  log(name: string, partition: number): PartitionLog | undefined {
    return this.options.logs.getLog(name, partition);
  }

  partition(name: string, partition: number): PartitionImage | undefined {
    return this.image.partition(name, partition);
  }

  /**
   * The partition's log when this node leads it: UNKNOWN_TOPIC_OR_PARTITION for a partition the image
   * lacks, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when the caller's epoch is older / newer than
   * the image's, NOT_LEADER_OR_FOLLOWER when another broker leads (or none does).
   */
  leaderLog(name: string, partition: number, currentLeaderEpoch?: number): { log: PartitionLog; leaderEpoch: number } {
    const p = this.image.partition(name, partition);
    if (!p) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${name}-${partition} does not exist`);
    if (epochGiven(currentLeaderEpoch) && currentLeaderEpoch < p.leaderEpoch) {
      throw new StraitError(ErrorCode.FENCED_LEADER_EPOCH, `Leader epoch ${currentLeaderEpoch} of ${name}-${partition} is older than ${p.leaderEpoch}`);
    }
    if (epochGiven(currentLeaderEpoch) && currentLeaderEpoch > p.leaderEpoch) {
      throw new StraitError(ErrorCode.UNKNOWN_LEADER_EPOCH, `Leader epoch ${currentLeaderEpoch} of ${name}-${partition} is newer than ${p.leaderEpoch}`);
    }
    if (p.leader !== this.options.nodeId) {
      throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Node ${this.options.nodeId} does not lead ${name}-${partition} (leader ${p.leader})`);
    }
    const log = this.options.logs.getLog(name, partition) ?? this.createLog(name, partition);
    if (!log) throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${name}-${partition} is offline on node ${this.options.nodeId}`);
    return { log, leaderEpoch: p.leaderEpoch };
  }

  /** The topic, created through the controller with the defaults if it does not exist (auto.create.topics.enable). */
  async ensure(name: string, partitions: number): Promise<TopicRecord> {
    const existing = this.get(name);
    if (existing) return existing;
    checkNotReserved(name);
    const { response } = await this.options.channel.run('createTopics', {
      topics: [{ name, numPartitions: partitions, replicationFactor: this.options.defaultReplicationFactor }],
      validateOnly: false,
      defaults: { numPartitions: partitions, replicationFactor: this.options.defaultReplicationFactor },
    }, this.options.requestTimeoutMs);
    const result = (response as CreateTopicResult[])[0]!;
    if (result.errorCode !== ErrorCode.NONE && result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new StraitError(result.errorCode, result.errorMessage);
    }
    const created = this.get(name);
    if (!created) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist`);
    return created;
  }

  /** Replaces the topic's overrides through the controller (each changed key set, each dropped key deleted). */
  async setOverrides(name: string, overrides: Record<string, string>, timeoutMs = this.options.requestTimeoutMs): Promise<void> {
    const current = this.image.topicConfigOverrides(name);
    const ops = [
      ...Object.entries(overrides).filter(([k, v]) => current[k] !== v).map(([k, v]) => ({ name: k, op: 'set' as const, value: v })),
      ...Object.keys(current).filter((k) => !Object.hasOwn(overrides, k)).map((k) => ({ name: k, op: 'delete' as const })),
    ];
    if (ops.length === 0) return;
    const { response } = await this.options.channel.run('incrementalAlterConfigs', {
      resources: [{ resourceType: 'topic', resourceName: name, ops }], validateOnly: false,
    }, timeoutMs);
    const result = (response as TopicResult[])[0]!;
    if (result.errorCode !== ErrorCode.NONE) throw new StraitError(result.errorCode, result.errorMessage);
  }

  /** Brings this node's logs in step with a new image: removed topics' logs deleted, missing
   * replicas' logs created, changed configs applied. */
  apply(image: MetadataImage, previous: MetadataImage): void {
    const { logs, logger, nodeId } = this.options;
    for (const old of previous.topics()) {
      const now = image.topicById(old.topicId);
      if (now) continue;
      this.configs.delete(old.name);
      if (old.partitions.some((p) => logs.getLog(old.name, p.partition))) {
        logs.deleteLogs(old.name);
        logger.info({ topic: old.name, topicId: old.topicId }, 'topic deleted: logs removed');
      }
    }
    for (const topic of image.topics()) {
      const before = previous.topicById(topic.topicId);
      if (before === topic) continue;
      // A topic first seen (also at start-up, when the logs were opened with the defaults) or
      // with new overrides: its live logs take the image's config.
      const configChanged = before === undefined || before.configs !== topic.configs;
      if (configChanged) this.configs.delete(topic.name);
      const config = this.configOf(topic.name);
      for (const p of topic.partitions) {
        const log = logs.getLog(topic.name, p.partition);
        if (log) {
          if (configChanged) log.updateConfig(config);
        } else if (p.replicas.includes(nodeId)) {
          this.missing.push({ topicId: topic.topicId, partition: p.partition });
        }
      }
      if (!before) logger.info({ topic: topic.name, topicId: topic.topicId, partitions: topic.partitions.length }, 'topic created');
    }
    this.createMissingLogs();
  }

  /** Creates queued replica logs, a slice at a time so that a topic of thousands of partitions does
   * not stall this node's Raft timer (and with it the quorum); the rest follows on later turns. A
   * leader's log that is still queued is created on demand by leaderLog. */
  private createMissingLogs(): void {
    const batch = this.missing.splice(0, LOGS_PER_TURN);
    for (const { topicId, partition } of batch) {
      const topic = this.image.topicById(topicId);
      if (topic?.partitions[partition]?.replicas.includes(this.options.nodeId)) this.createLog(topic.name, partition);
    }
    if (this.missing.length > 0 && !this.draining) {
      this.draining = true;
      setImmediate(() => {
        this.draining = false;
        this.createMissingLogs();
      });
    }
  }

  private createLog(name: string, partition: number): PartitionLog | undefined {
    const { logs, logger } = this.options;
    const existing = logs.getLog(name, partition);
    if (existing) return existing;
    if (logs.failedLogs().some((f) => path.basename(f.dir) === `${name}-${partition}`)) return undefined;
    try {
      const created = logs.createLog(name, partition, this.configOf(name));
      if (!(created instanceof Promise)) return created;
      created.catch((err: unknown) => logger.error({ err, topic: name, partition }, 'could not create a partition log'));
    } catch (err) {
      logger.error({ err, topic: name, partition }, 'could not create a partition log');
    }
    return undefined;
  }

  /** Deletes logs of topics the image does not hold (deleted while this node was away). Only call
   * with an image that is known to be current (this broker has caught up). */
  removeStrayLogs(image: MetadataImage): void {
    const { logs, logger } = this.options;
    const strays = new Set<string>();
    for (const log of logs.allLogs()) {
      const topic = image.topic(log.topic);
      if (!topic || log.partition >= topic.partitions.length) strays.add(log.topic);
    }
    for (const name of strays) {
      if (image.topic(name)) continue;
      logs.deleteLogs(name);
      logger.warn({ topic: name }, 'removed the logs of a topic the metadata no longer has');
    }
  }
}
