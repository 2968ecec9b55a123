// Per-topic configuration with Kafka's names, types, defaults and valid ranges (LogConfig.scala), and
// the mapping from Kafka's broker-level defaults (log.retention.hours, ...) to topic defaults.
// int64 values stay JS numbers; Kafka's "Long.MAX_VALUE means never" becomes Number.MAX_SAFE_INTEGER.
import { ErrorCode, StraitError } from '../../client/index.js';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';
export type TopicCompressionType = 'producer' | 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface TopicConfig {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  cleanupPolicy: CleanupPolicy;
  maxMessageBytes: number;
  minInsyncReplicas: number;
  messageTimestampType: MessageTimestampType;
  flushMessages: number;
  flushMs: number;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  fileDeleteDelayMs: number;
  uncleanLeaderElectionEnable: boolean;
  compressionType: TopicCompressionType;
  /** leader.replication.throttled.replicas / follower.replication.throttled.replicas, normalized:
   * '' (none), '*' (all) or `partition:broker,...` (throttledReplicasInclude reads them). */
  leaderReplicationThrottledReplicas: string;
  followerReplicationThrottledReplicas: string;
}

/** A config key or value was refused; carries Kafka's INVALID_CONFIG code and the offending key. */
export class InvalidConfigError extends StraitError {
  readonly key: string;

  constructor(key: string, message: string) {
    super(ErrorCode.INVALID_CONFIG, message);
    this.key = key;
    this.name = 'InvalidConfigError';
  }
}

export type ConfigType = 'long' | 'int' | 'double' | 'boolean' | 'string' | 'list';

export interface TopicConfigDef<K extends keyof TopicConfig = keyof TopicConfig> {
  /** The TopicConfig field this key sets. */
  field: K;
  type: ConfigType;
  default: TopicConfig[K];
  /** Turns the string form into a value, throwing InvalidConfigError when it is malformed or out of range. */
  validator: (key: string, raw: string) => TopicConfig[K];
  doc: string;
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function parseLong(key: string, raw: string, min: number): number {
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Not a number of type LONG`);
  const big = BigInt(text);
  if (big > LONG_MAX || big < LONG_MIN) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Not a number of type LONG`);
  // Anything past 2^53 only ever means "practically forever" in these configs.
  const value = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
  if (value < min) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Value must be at least ${min}`);
  return value;
}

function parseInt32(key: string, raw: string, min: number): number {
  const text = raw.trim();
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value > INT_MAX || value < INT_MIN) {
    throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Not a number of type INT`);
  }
  if (value < min) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Value must be at least ${min}`);
  return value;
}

function longAtLeast(min: number) {
  return (key: string, raw: string): number => parseLong(key, raw, min);
}

function intAtLeast(min: number) {
  return (key: string, raw: string): number => parseInt32(key, raw, min);
}

function oneOf<T extends string>(values: readonly T[]) {
  return (key: string, raw: string): T => {
    const text = raw.trim();
    const found = values.find((v) => v === text);
    if (found === undefined) {
      throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: String must be one of: ${values.join(', ')}`);
    }
    return found;
  };
}

function parseBoolean(key: string, raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Expected value to be either true or false`);
}

function parseRatio(key: string, raw: string): number {
  const text = raw.trim();
  const value = text.length > 0 ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Not a number of type DOUBLE`);
  if (value < 0 || value > 1) throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: Value must be between 0 and 1`);
  return value;
}

function parseCleanupPolicy(key: string, raw: string): CleanupPolicy {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = items.find((s) => s !== 'delete' && s !== 'compact');
  if (items.length === 0 || unknown !== undefined) {
    throw new InvalidConfigError(key, `Invalid value ${raw} for configuration ${key}: a list of [compact, delete] is required`);
  }
  const compact = items.includes('compact');
  const del = items.includes('delete');
  return compact && del ? 'compact,delete' : compact ? 'compact' : 'delete';
}

/** Kafka's ThrottledReplicaListValidator: the literal '*' or `[partitionId]:[brokerId],...`;
 * returned without blanks. */
function parseThrottledReplicas(key: string, raw: string): string {
  const text = raw.trim();
  if (text === '*') return text;
  const items = raw.split(',').map((s) => s.trim());
  if (!items.every((s) => /^(\d{1,10}:\d{1,10})?$/.test(s))) {
    throw new InvalidConfigError(key,
      `Invalid value ${raw} for configuration ${key}: ${key} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`);
  }
  return items.filter((s) => s !== '').join(',');
}

/** Whether a throttled-replicas value (normalized, as TopicConfig holds it) names the replica of
 * `partition` on `brokerId`. */
export function throttledReplicasInclude(value: string, partition: number, brokerId: number): boolean {
  if (value === '') return false;
  if (value === '*') return true;
  const wanted = `${partition}:${brokerId}`;
  return value.split(',').some((item) => item === wanted);
}

function def<K extends keyof TopicConfig>(d: TopicConfigDef<K>): TopicConfigDef<K> {
  return d;
}

export const TOPIC_CONFIG_DEFS = {
  'cleanup.policy': def({
    field: 'cleanupPolicy', type: 'list', default: 'delete', validator: parseCleanupPolicy,
    doc: 'A string that is either "delete" or "compact" or both. "delete" discards old segments when their retention time or size limit has been reached; "compact" keeps the latest value for each key.',
  }),
  'compression.type': def({
    field: 'compressionType', type: 'string', default: 'producer',
    validator: oneOf(['producer', 'none', 'gzip', 'snappy', 'lz4', 'zstd'] as const),
    doc: 'The final compression type for a topic: a standard codec (gzip, snappy, lz4, zstd), "none", or "producer" which retains the codec set by the producer.',
  }),
  'delete.retention.ms': def({
    field: 'deleteRetentionMs', type: 'long', default: 86400000, validator: longAtLeast(0),
    doc: 'How long delete tombstone markers are retained for log compacted topics.',
  }),
  'file.delete.delay.ms': def({
    field: 'fileDeleteDelayMs', type: 'long', default: 60000, validator: longAtLeast(0),
    doc: 'The time to wait before deleting a file from the filesystem.',
  }),
  'flush.messages': def({
    field: 'flushMessages', type: 'long', default: Number.MAX_SAFE_INTEGER, validator: longAtLeast(1),
    doc: 'The number of messages written to a log partition before an fsync is forced; the default means never.',
  }),
  'flush.ms': def({
    field: 'flushMs', type: 'long', default: Number.MAX_SAFE_INTEGER, validator: longAtLeast(0),
    doc: 'The maximum time in ms that a message may sit in the page cache before an fsync is forced; the default means never.',
  }),
  'index.interval.bytes': def({
    field: 'indexIntervalBytes', type: 'int', default: 4096, validator: intAtLeast(0),
    doc: 'How frequently an entry is added to the offset index: one entry per this many bytes of log.',
  }),
  'leader.replication.throttled.replicas': def({
    field: 'leaderReplicationThrottledReplicas', type: 'list', default: '', validator: parseThrottledReplicas,
    doc: 'Replicas whose log replication is throttled on the leader side (at leader.replication.throttled.rate of the broker that leads them), as [PartitionId]:[BrokerId],... or the wildcard \'*\' for every replica of the topic.',
  }),
  'max.message.bytes': def({
    field: 'maxMessageBytes', type: 'int', default: 1048588, validator: intAtLeast(0),
    doc: 'The largest record batch size allowed after compression.',
  }),
  'follower.replication.throttled.replicas': def({
    field: 'followerReplicationThrottledReplicas', type: 'list', default: '', validator: parseThrottledReplicas,
    doc: 'Replicas whose log replication is throttled on the follower side (at follower.replication.throttled.rate of the broker that holds them), as [PartitionId]:[BrokerId],... or the wildcard \'*\' for every replica of the topic.',
  }),
  'message.timestamp.type': def({
    field: 'messageTimestampType', type: 'string', default: 'CreateTime',
    validator: oneOf(['CreateTime', 'LogAppendTime'] as const),
    doc: 'Whether the timestamp in a record is the producer\'s create time or the broker\'s log append time.',
  }),
  'min.cleanable.dirty.ratio': def({
    field: 'minCleanableDirtyRatio', type: 'double', default: 0.5, validator: parseRatio,
    doc: 'How frequently the log compactor attempts to clean the log: the ratio of dirty log to total log above which it runs.',
  }),
  'min.compaction.lag.ms': def({
    field: 'minCompactionLagMs', type: 'long', default: 0, validator: longAtLeast(0),
    doc: 'The minimum time a message remains uncompacted in the log.',
  }),
  'min.insync.replicas': def({
    field: 'minInsyncReplicas', type: 'int', default: 1, validator: intAtLeast(1),
    doc: 'When a producer sets acks=all, the minimum number of replicas that must acknowledge a write for it to succeed.',
  }),
  'retention.bytes': def({
    field: 'retentionBytes', type: 'long', default: -1, validator: longAtLeast(Number.MIN_SAFE_INTEGER),
    doc: 'The maximum size a partition can grow to before old segments are discarded; -1 means no size limit.',
  }),
  'retention.ms': def({
    field: 'retentionMs', type: 'long', default: 604800000, validator: longAtLeast(-1),
    doc: 'The maximum time a log is retained before old segments are discarded; -1 means no time limit.',
  }),
  'segment.bytes': def({
    field: 'segmentBytes', type: 'int', default: 1073741824, validator: intAtLeast(14),
    doc: 'The segment file size for the log.',
  }),
  'segment.index.bytes': def({
    field: 'segmentIndexBytes', type: 'int', default: 10485760, validator: intAtLeast(4),
    doc: 'The size of the index that maps offsets to file positions.',
  }),
  'segment.ms': def({
    field: 'segmentMs', type: 'long', default: 604800000, validator: longAtLeast(1),
    doc: 'The period of time after which the log rolls a new segment even if the segment is not full.',
  }),
  'unclean.leader.election.enable': def({
    field: 'uncleanLeaderElectionEnable', type: 'boolean', default: false, validator: parseBoolean,
    doc: 'Whether replicas not in the ISR may be elected as leader as a last resort, even though doing so may lose data.',
  }),
} as const satisfies Record<string, TopicConfigDef>;

export type TopicConfigName = keyof typeof TOPIC_CONFIG_DEFS;

const DEF_ENTRIES = Object.entries(TOPIC_CONFIG_DEFS) as Array<[TopicConfigName, TopicConfigDef]>;

export function isTopicConfigName(key: string): key is TopicConfigName {
  return Object.hasOwn(TOPIC_CONFIG_DEFS, key);
}

export function defaultTopicConfig(): TopicConfig {
  const config: Record<string, unknown> = {};
  for (const [, d] of DEF_ENTRIES) config[d.field] = d.default;
  return config as unknown as TopicConfig;
}

/** Applies string-valued overrides to base. Throws InvalidConfigError on the first unknown key or
 * bad value; base is never modified. */
export function parseTopicConfigs(entries: Record<string, string>, base: TopicConfig): TopicConfig {
  const result: Record<string, unknown> = { ...base };
  for (const [key, raw] of Object.entries(entries)) {
    if (!isTopicConfigName(key)) throw new InvalidConfigError(key, `Unknown topic config name: ${key}`);
    if (typeof raw !== 'string') throw new InvalidConfigError(key, `Invalid value for configuration ${key}: expected a string`);
    const d: TopicConfigDef = TOPIC_CONFIG_DEFS[key];
    result[d.field] = d.validator(key, raw);
  }
  return result as unknown as TopicConfig;
}

function formatValue(d: TopicConfigDef, value: unknown): string {
  if (d.type === 'long' && value === Number.MAX_SAFE_INTEGER) return LONG_MAX.toString();
  return String(value);
}

/** Every topic config as Kafka names and string values (what DescribeConfigs reports). */
export function topicConfigToStrings(config: TopicConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, d] of DEF_ENTRIES) out[name] = formatValue(d, config[d.field]);
  return out;
}

/** The same key's string form for one config, or undefined for an unknown key. */
export function topicConfigValueToString(config: TopicConfig, key: string): string | undefined {
  if (!isTopicConfigName(key)) return undefined;
  const d: TopicConfigDef = TOPIC_CONFIG_DEFS[key];
  return formatValue(d, config[d.field]);
}

/** Broker-level names that set a topic default directly (Kafka's KafkaConfig -> LogConfig mapping). */
const BROKER_TO_TOPIC: Record<string, TopicConfigName> = {
  'log.retention.bytes': 'retention.bytes',
  'log.segment.bytes': 'segment.bytes',
  'log.cleanup.policy': 'cleanup.policy',
  'message.max.bytes': 'max.message.bytes',
  'log.flush.interval.messages': 'flush.messages',
  'log.flush.interval.ms': 'flush.ms',
  'log.cleaner.delete.retention.ms': 'delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms': 'min.compaction.lag.ms',
  'log.cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
  'log.segment.delete.delay.ms': 'file.delete.delay.ms',
  'log.index.size.max.bytes': 'segment.index.bytes',
  'min.insync.replicas': 'min.insync.replicas',
  'log.message.timestamp.type': 'message.timestamp.type',
  'compression.type': 'compression.type',
  'log.index.interval.bytes': 'index.interval.bytes',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
};

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Topic defaults from a broker's properties. As in Kafka, log.retention.ms wins over
 * log.retention.minutes over log.retention.hours, and log.roll.ms over log.roll.hours. Keys that
 * are not log settings are ignored; a bad value throws InvalidConfigError naming the broker key. */
export function brokerDefaultsToTopicConfig(brokerProps: Record<string, string>): TopicConfig {
  let config = defaultTopicConfig();
  const apply = (brokerKey: string, topicKey: TopicConfigName, raw: string): void => {
    try {
      config = parseTopicConfigs({ [topicKey]: raw }, config);
    } catch (err) {
      if (err instanceof InvalidConfigError) throw new InvalidConfigError(brokerKey, err.message.replaceAll(topicKey, brokerKey));
      throw err;
    }
  };
  for (const [brokerKey, topicKey] of Object.entries(BROKER_TO_TOPIC)) {
    const raw = brokerProps[brokerKey];
    if (raw !== undefined) apply(brokerKey, topicKey, raw);
  }
  const scaled = (key: string, factor: number): string | undefined => {
    const raw = brokerProps[key];
    if (raw === undefined) return undefined;
    const n = parseLong(key, raw, Number.MIN_SAFE_INTEGER);
    // Kafka keeps -1 as "unlimited" whatever the unit.
    return n < 0 ? String(n) : String(Math.min(n * factor, Number.MAX_SAFE_INTEGER));
  };
  const retention = brokerProps['log.retention.ms'] ?? scaled('log.retention.minutes', MINUTE_MS) ?? scaled('log.retention.hours', HOUR_MS);
  const retentionKey = brokerProps['log.retention.ms'] !== undefined ? 'log.retention.ms'
    : brokerProps['log.retention.minutes'] !== undefined ? 'log.retention.minutes' : 'log.retention.hours';
  if (retention !== undefined) apply(retentionKey, 'retention.ms', retention);
  const roll = brokerProps['log.roll.ms'] ?? scaled('log.roll.hours', HOUR_MS);
  if (roll !== undefined) apply(brokerProps['log.roll.ms'] !== undefined ? 'log.roll.ms' : 'log.roll.hours', 'segment.ms', roll);
  return config;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's topic name rules; throws StraitError(INVALID_TOPIC_EXCEPTION). */
export function validateTopicName(name: string): void {
  const fail = (why: string): never => {
    throw new StraitError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Invalid topic name ${JSON.stringify(name)}: ${why}`);
  };
  if (typeof name !== 'string' || name.length === 0) fail('the name is empty');
  if (name === '.' || name === '..') fail('"." and ".." are not allowed');
  if (name.length > MAX_TOPIC_NAME_LENGTH) fail(`the name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  if (!TOPIC_NAME.test(name)) fail('only ASCII letters, digits, ".", "_" and "-" are allowed');
}
