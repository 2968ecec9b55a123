// Topic lifecycle on a single node: the registry (names, ids, partition counts, overrides) and the
// partition logs kept in step. The registry is written first on create, so a crash between the two
// leaves a registered topic whose missing logs are created at the next start; on delete the registry
// entry goes first, so logs without an entry are leftovers of an interrupted delete.
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/errors.js';
import type { PartitionLog } from '../log/log-types.js';
import { parseTopicConfigs, validateTopicName, type TopicConfig } from '../log/topic-config.js';
import type { LogStore } from './log-store.js';
import type { TopicRecord, TopicRegistry } from './topic-registry.js';

export const MAX_PARTITIONS = 100_000;

export class TopicManager {
  private readonly configs = new Map<string, TopicConfig>();
  /** Serializes changes per topic (concurrent auto-creates of one name create it once). */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly registry: TopicRegistry,
    private readonly logs: LogStore,
    readonly defaults: TopicConfig,
    private readonly logger: Logger,
  ) {}

  get(name: string): TopicRecord | undefined {
    return this.registry.get(name);
  }

  list(): TopicRecord[] {
    return this.registry.list();
  }

  /** Defaults with the topic's overrides applied (what its logs run with). */
  configOf(name: string): TopicConfig {
    let config = this.configs.get(name);
    if (!config) {
      const record = this.registry.get(name);
      config = record ? parseTopicConfigs({ ...record.configs }, this.defaults) : this.defaults;
      if (record) this.configs.set(name, config);
    }
    return config;
  }

  log(name: string, partition: number): PartitionLog | undefined {
    return this.logs.getLog(name, partition);
  }

  private serialize<T>(name: string, work: () => Promise<T>): Promise<T> {
    const before = this.pending.get(name) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(() => undefined, () => undefined);
    this.pending.set(name, settled);
    void settled.then(() => {
      if (this.pending.get(name) === settled) this.pending.delete(name);
    });
    return run;
  }

  /** Checks a create request; returns the effective config. Throws StraitError. */
  validateCreate(name: string, partitions: number, overrides: Record<string, string>): TopicConfig {
    validateTopicName(name);
    if (this.registry.get(name)) throw new StraitError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new StraitError(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be between 1 and ${MAX_PARTITIONS}, got ${partitions}.`);
    }
    return parseTopicConfigs(overrides, this.defaults);
  }

  create(name: string, partitions: number, overrides: Record<string, string>): Promise<TopicRecord> {
    return this.serialize(name, async () => {
      const config = this.validateCreate(name, partitions, overrides);
      const record = this.registry.create(name, partitions, overrides);
      this.configs.set(name, config);
      await this.createMissingLogs(record, config);
      this.logger.info({ topic: name, partitions, overrides }, 'topic created');
      return record;
    });
  }

  /** The topic, created with broker defaults if it does not exist (auto.create.topics.enable). */
  async ensure(name: string, partitions: number): Promise<TopicRecord> {
    const existing = this.registry.get(name);
    if (existing) return existing;
    try {
      return await this.create(name, partitions, {});
    } catch (err) {
      const raced = this.registry.get(name);
      if (raced && err instanceof StraitError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return raced;
      throw err;
    }
  }

  delete(name: string): Promise<void> {
    return this.serialize(name, async () => {
      if (!this.registry.delete(name)) {
        throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      }
      this.configs.delete(name);
      await this.logs.deleteLogs(name);
      this.logger.info({ topic: name }, 'topic deleted');
    });
  }

  validateAddPartitions(name: string, count: number): TopicRecord {
    const record = this.registry.get(name);
    if (!record) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    if (!Number.isInteger(count) || count <= record.partitions) {
      throw new StraitError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${record.partitions} partitions, which is higher than or equal to the requested ${count}.`);
    }
    if (count > MAX_PARTITIONS) throw new StraitError(ErrorCode.INVALID_PARTITIONS, `At most ${MAX_PARTITIONS} partitions per topic.`);
    return record;
  }

  addPartitions(name: string, count: number): Promise<TopicRecord> {
    return this.serialize(name, async () => {
      this.validateAddPartitions(name, count);
      const record = this.registry.setPartitions(name, count);
      await this.createMissingLogs(record, this.configOf(name));
      this.logger.info({ topic: name, partitions: count }, 'partitions added');
      return record;
    });
  }

  /** Replaces the overrides; validates, persists and applies them to the live logs. */
  setOverrides(name: string, overrides: Record<string, string>): Promise<TopicConfig> {
    return this.serialize(name, async () => {
      const record = this.registry.get(name);
      if (!record) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
      const config = parseTopicConfigs(overrides, this.defaults);
      this.registry.setConfigs(name, overrides);
      this.configs.set(name, config);
      for (let p = 0; p < record.partitions; p++) this.logs.getLog(name, p)?.updateConfig(config);
      this.logger.info({ topic: name, overrides }, 'topic configs changed');
      return config;
    });
  }

  private async createMissingLogs(record: TopicRecord, config: TopicConfig): Promise<void> {
    const offline = new Set(this.logs.failedLogs().map((f) => path.basename(f.dir)));
    for (let p = 0; p < record.partitions; p++) {
      if (offline.has(`${record.name}-${p}`)) continue;
      if (!this.logs.getLog(record.name, p)) await this.logs.createLog(record.name, p, config);
    }
  }

  /**
   * Brings logs and registry in step after start-up: creates the logs a registered topic lacks and
   * removes logs of topics the registry no longer has (an interrupted delete). When the registry file
   * was missing altogether, logs found on disk are adopted instead, with default configs.
   */
  async reconcile(registryExisted: boolean): Promise<void> {
    const onDisk = new Map<string, number>();
    for (const log of this.logs.allLogs()) onDisk.set(log.topic, Math.max(onDisk.get(log.topic) ?? 0, log.partition + 1));
    for (const [topic, partitions] of onDisk) {
      if (this.registry.get(topic)) continue;
      if (registryExisted) {
        this.logger.warn({ topic }, 'removing logs of a topic that is not registered (interrupted delete)');
        await this.logs.deleteLogs(topic);
      } else {
        this.logger.warn({ topic, partitions }, 'adopting logs found on disk with default configs');
        this.registry.create(topic, partitions, {});
      }
    }
    for (const record of this.registry.list()) {
      const onDiskCount = onDisk.get(record.name) ?? 0;
      if (onDiskCount > record.partitions) this.registry.setPartitions(record.name, onDiskCount);
      await this.createMissingLogs(this.registry.get(record.name)!, this.configOf(record.name));
    }
  }
}
