// Topics as the metadata image describes them, and this node's partition logs kept in step with it:
// a log for every partition this node is a replica of, created as the image gains them; the logs of
// a removed topic deleted (DeleteTopics removes the data on every node); config changes applied to
// the live logs. Changes go through the active controller (ControllerChannel); reads come from the
// image this node has applied.
//
// A partition directory is that topic's log only when its topic id (partition.metadata) is the
// image's. While this broker catches up, the images it applies can be older than its directories (a
// topic deleted and created again under the same name later in the log), so a directory that does
// not match is left alone, neither used nor removed; once caught up (the image is current) it is a
// stray and removed, and an older directory without an id takes the image's. A partition whose log
// is offline here answers KAFKA_STORAGE_ERROR and is reported to the controller (offlineReplicas).
// A partition of a live topic that no longer lists this node among its replicas (a reassignment
// moved it away, possibly while this node was down) has its log deleted once this node is caught up,
// after replication has let go of it (onReplicaRemoved).
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import { type PartitionLog, parseTopicConfigs, type TopicConfig } from '../log/index.js';
import type { ControllerChannel, CreateTopicResult, TopicResult } from '../controller/index.js';
import type { MetadataImage, PartitionImage, TopicImage } from '../metadata/index.js';
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
  /** A partition's log became usable after the image named it (created, or an older directory
   * claimed): replication can take the partition's role now. */
  onLogReady?: (topic: string, partition: number) => void;
  /** This node is no longer a replica of the partition and its log is about to be deleted:
   * replication must stop leading and fetching it first. */
  onReplicaRemoved?: (topic: string, partition: number) => void;
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
  /** This broker has caught up with the metadata: directories that do not match the image may be
   * judged (removed as strays, or claimed when they have no id). */
  private current = false;

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

  /** The partition's log, when this node has it and it belongs to the image's topic of that name. */
  log(name: string, partition: number): PartitionLog | undefined {
    const topic = this.image.topic(name);
    return topic === undefined ? undefined : this.usableLog(topic, partition);
  }

  /** This node's replicas (by topic id) whose logs are offline here, for the controller. */
  offlineReplicas(): { topicId: string; partition: number }[] {
    const out: { topicId: string; partition: number }[] = [];
    for (const down of this.options.logs.offlineLogs()) {
      const topic = this.image.topic(down.topic);
      if (!topic || (down.topicId !== undefined && down.topicId !== topic.topicId)) continue;
      if (topic.partitions[down.partition]?.replicas.includes(this.options.nodeId)) out.push({ topicId: topic.topicId, partition: down.partition });
    }
    return out;
  }

  partition(name: string, partition: number): PartitionImage | undefined {
    return this.image.partition(name, partition);
  }

  /**
   * The partition's log when this node leads it: UNKNOWN_TOPIC_OR_PARTITION for a partition the image
   * lacks, KAFKA_STORAGE_ERROR when its log is offline here (checked first, as Kafka does for an
   * offline replica), FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when the caller's epoch is older /
   * newer than the image's, NOT_LEADER_OR_FOLLOWER when another broker leads (or none does).
   */
  leaderLog(name: string, partition: number, currentLeaderEpoch?: number): { log: PartitionLog; leaderEpoch: number } {
    const topic = this.image.topic(name);
    const p = topic?.partitions[partition];
    if (!topic || !p) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${name}-${partition} does not exist`);
    const down = this.options.logs.offlineLog(name, partition);
    if (down) throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${name}-${partition} is offline on node ${this.options.nodeId}: ${down.error}`);
    if (epochGiven(currentLeaderEpoch) && currentLeaderEpoch < p.leaderEpoch) {
      throw new StraitError(ErrorCode.FENCED_LEADER_EPOCH, `Leader epoch ${currentLeaderEpoch} of ${name}-${partition} is older than ${p.leaderEpoch}`);
    }
    if (epochGiven(currentLeaderEpoch) && currentLeaderEpoch > p.leaderEpoch) {
      throw new StraitError(ErrorCode.UNKNOWN_LEADER_EPOCH, `Leader epoch ${currentLeaderEpoch} of ${name}-${partition} is newer than ${p.leaderEpoch}`);
    }
    if (p.leader !== this.options.nodeId) {
      throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Node ${this.options.nodeId} does not lead ${name}-${partition} (leader ${p.leader})`);
    }
    return { log: this.leaderLogOf(topic, partition), leaderEpoch: p.leaderEpoch };
  }

  private leaderLogOf(topic: TopicImage, partition: number): PartitionLog {
    const { logs, nodeId } = this.options;
    const where = `${topic.name}-${partition}`;
    if (!logs.getLog(topic.name, partition)) {
      const created = logs.createLog(topic.name, partition, this.configOf(topic.name), topic.topicId);
      this.options.onLogReady?.(topic.name, partition);
      return created;
    }
    const log = this.usableLog(topic, partition);
    if (log) return log;
    // Only until this broker has caught up: then the directory is claimed or removed as a stray.
    throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER,
      `The directory of ${where} on node ${nodeId} belongs to topic id ${logs.topicIdOf(topic.name, partition) ?? '(none)'}, not ${topic.topicId}; `
      + 'it is settled once this broker has caught up with the metadata');
  }

  /** The log on disk when its recorded topic id is the topic's. */
  private usableLog(topic: TopicImage, partition: number): PartitionLog | undefined {
    const log = this.options.logs.getLog(topic.name, partition);
    return log && this.options.logs.topicIdOf(topic.name, partition) === topic.topicId ? log : undefined;
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

  /** Brings this node's logs in step with a new image: removed topics' logs deleted (by topic id,
   * so a directory of a later incarnation of the name stays), missing replicas' logs created,
   * changed configs applied. */
  apply(image: MetadataImage, previous: MetadataImage): void {
    const { logs, logger } = this.options;
    for (const old of previous.topics()) {
      if (image.topicById(old.topicId)) continue;
      this.configs.delete(old.name);
      if (logs.deleteLogs(old.name, old.topicId) > 0) logger.info({ topic: old.name, topicId: old.topicId }, 'topic deleted: logs removed');
    }
    for (const topic of image.topics()) {
      const before = previous.topicById(topic.topicId);
      if (before === topic) continue;
      this.sync(topic, before === undefined || before.configs !== topic.configs);
      if (!before) logger.info({ topic: topic.name, topicId: topic.topicId, partitions: topic.partitions.length }, 'topic created');
    }
    this.createMissingLogs();
  }

  /** Every topic of the image synced with its logs (configs applied, missing replica logs queued):
   * at start-up, where the image may come from a snapshot loaded before anyone listened. */
  syncAll(image: MetadataImage): void {
    for (const topic of image.topics()) this.sync(topic, true);
    this.createMissingLogs();
  }

  /**
   * One topic's partitions against this node's directories. A topic first seen (also at start-up,
   * when the logs were opened with the defaults) or with new overrides: its logs take the image's
   * config. Once caught up, a directory of another topic id is removed as a stray and one without an
   * id takes the topic's.
   */
  private sync(topic: TopicImage, configChanged: boolean): void {
    const { logs, logger, nodeId } = this.options;
    if (configChanged) this.configs.delete(topic.name);
    const config = this.configOf(topic.name);
    for (const p of topic.partitions) {
      const log = logs.getLog(topic.name, p.partition);
      const diskTopicId = log ? logs.topicIdOf(topic.name, p.partition) : logs.offlineLog(topic.name, p.partition)?.topicId;
      if (log && diskTopicId === undefined && this.current) {
        try {
          logs.assignTopicId(topic.name, p.partition, topic.topicId);
          logger.info({ topic: topic.name, partition: p.partition, topicId: topic.topicId }, 'an older partition directory without a topic id takes the metadata\'s');
          this.options.onLogReady?.(topic.name, p.partition);
        } catch (err) {
          logger.error({ err, topic: topic.name, partition: p.partition }, 'could not record the topic id of a partition directory');
          continue;
        }
      } else if (diskTopicId !== undefined && diskTopicId !== topic.topicId) {
        if (!this.current) continue;
        logs.removeStray(topic.name, p.partition, topic.topicId);
      }
      const usable = this.usableLog(topic, p.partition);
      if (this.current && !p.replicas.includes(nodeId) && (usable || logs.offlineLog(topic.name, p.partition)?.topicId === topic.topicId)) {
        this.options.onReplicaRemoved?.(topic.name, p.partition);
        logs.deleteLog(topic.name, p.partition, topic.topicId);
        logger.info({ topic: topic.name, partition: p.partition, replicas: p.replicas }, 'no longer a replica of this partition: its log was deleted');
        continue;
      }
      if (usable) {
        if (configChanged) usable.updateConfig(config);
      } else if (p.replicas.includes(nodeId) && !logs.getLog(topic.name, p.partition) && !logs.offlineLog(topic.name, p.partition)) {
        this.missing.push({ topicId: topic.topicId, partition: p.partition });
      }
    }
  }

  /** Creates queued replica logs, a slice at a time so that a topic of thousands of partitions does
   * not stall this node's Raft timer (and with it the quorum); the rest follows on later turns. A
   * leader's log that is still queued is created on demand by leaderLog. */
  private createMissingLogs(): void {
    const batch = this.missing.splice(0, LOGS_PER_TURN);
    for (const { topicId, partition } of batch) {
      const topic = this.image.topicById(topicId);
      if (topic?.partitions[partition]?.replicas.includes(this.options.nodeId)) this.createLog(topic, partition);
    }
    if (this.missing.length > 0 && !this.draining) {
      this.draining = true;
      setImmediate(() => {
        this.draining = false;
        this.createMissingLogs();
      });
    }
  }

  /** Creates a replica's log unless a directory (or an offline one) already holds the partition. A
   * failure is logged by the log manager and leaves the partition offline. */
  private createLog(topic: TopicImage, partition: number): void {
    const { logs, logger } = this.options;
    if (logs.getLog(topic.name, partition) || logs.offlineLog(topic.name, partition)) return;
    try {
      logs.createLog(topic.name, partition, this.configOf(topic.name), topic.topicId);
      this.options.onLogReady?.(topic.name, partition);
    } catch (err) {
      if (!(err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR)) {
        logger.error({ err, topic: topic.name, partition }, 'could not create a partition log');
      }
    }
  }

  /**
   * Called once this broker has caught up (the image is current). Directories of topics the image
   * does not hold (deleted while this node was away) are removed; then every topic is synced, which
   * removes directories of another incarnation of a name as strays and gives older directories
   * without an id the image's. From now on apply() judges every change the same way.
   */
  catchUp(image: MetadataImage): void {
    const { logs, logger } = this.options;
    this.current = true;
    const names = new Set([...[...logs.allLogs()].map((l) => l.topic), ...logs.offlineLogs().map((o) => o.topic)]);
    for (const name of names) {
      if (image.topic(name)) continue;
      const removed = logs.deleteLogs(name);
      if (removed > 0) logger.warn({ topic: name, partitions: removed }, 'removed the logs of a topic the metadata no longer has');
    }
    this.syncAll(image);
  }
}
