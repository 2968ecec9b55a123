// Consumer settings, read from Kafka's dotted names with Kafka's defaults.
import { ConfigReader, InvalidConfigError, type ConfigObject } from '../cluster/config-values.js';
import { MAX_INT32, readClientConfig, type ClientConfig } from '../cluster/client-config.js';

export type OffsetResetPolicy = 'latest' | 'earliest' | 'none';
export type IsolationLevelName = 'read_uncommitted' | 'read_committed';
/** group.remote.assignor: the coordinator's assignors (KIP-848's server-side assignment). */
export type GroupAssignorName = 'uniform' | 'range';

export interface ConsumerOptions {
  'bootstrap.servers': string | readonly string[];
  'client.id'?: string;
  /** The consumer group: needed by subscribe() and by commits; assign() works without it. */
  'group.id'?: string;
  /** Static membership: a restart within the session keeps the member's partitions. */
  'group.instance.id'?: string;
  /** Only 'consumer' (KIP-848's protocol); Kafka's 'classic' protocol is not served. */
  'group.protocol'?: string;
  'group.remote.assignor'?: GroupAssignorName;
  'session.timeout.ms'?: number | string;
  'heartbeat.interval.ms'?: number | string;
  'max.poll.interval.ms'?: number | string;
  'enable.auto.commit'?: boolean | string;
  'auto.commit.interval.ms'?: number | string;
  'default.api.timeout.ms'?: number | string;
  'client.rack'?: string;
  'auto.offset.reset'?: OffsetResetPolicy;
  'fetch.min.bytes'?: number | string;
  'fetch.max.bytes'?: number | string;
  'max.partition.fetch.bytes'?: number | string;
  'fetch.max.wait.ms'?: number | string;
  'isolation.level'?: IsolationLevelName;
  'max.poll.records'?: number | string;
  'request.timeout.ms'?: number | string;
  'retry.backoff.ms'?: number | string;
  'retry.backoff.max.ms'?: number | string;
  'metadata.max.age.ms'?: number | string;
  [key: string]: ConfigObject[string];
}

export interface GroupConfig {
  groupId: string;
  /** '' for a dynamic member. */
  instanceId: string;
  /** '' lets the coordinator choose (uniform). */
  assignor: '' | GroupAssignorName;
  /** 0 when unset: the coordinator's group.consumer.session.timeout.ms applies (KIP-848 moved the
   * session timeout to the broker; a value set here is sent and checked against its bounds). */
  sessionTimeoutMs: number;
  /** Until the coordinator names its own interval, which wins (KIP-848). */
  heartbeatIntervalMs: number;
  /** max.poll.interval.ms, sent as the rebalance timeout: how long the coordinator waits for this
   * member to give up partitions before it fences the member. */
  rebalanceTimeoutMs: number;
  rack: string;
}

export interface ConsumerConfig extends ClientConfig {
  groupId: string | undefined;
  /** Set when group.id is. */
  group: GroupConfig | undefined;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  /** Bound of the calls that wait on the group coordinator (commit, committed, positions). */
  defaultApiTimeoutMs: number;
  autoOffsetReset: OffsetResetPolicy;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  fetchMaxWaitMs: number;
  isolationLevel: 0 | 1;
  maxPollRecords: number;
  unknownKeys: string[];
}

function readGroupConfig(reader: ConfigReader, groupId: string | undefined): GroupConfig | undefined {
  const instanceId = reader.string('group.instance.id', '');
  const protocol = reader.oneOf('group.protocol', 'consumer', ['consumer', 'classic']);
  const assignor = reader.has('group.remote.assignor') ? reader.oneOf<GroupAssignorName>('group.remote.assignor', 'uniform', ['uniform', 'range']) : '';
  const sessionTimeoutMs = reader.int('session.timeout.ms', 0, { min: 0, max: MAX_INT32 });
  const heartbeatIntervalMs = reader.int('heartbeat.interval.ms', 3000, { min: 1, max: MAX_INT32 });
  const rebalanceTimeoutMs = reader.int('max.poll.interval.ms', 300_000, { min: 1, max: MAX_INT32 });
  const rack = reader.string('client.rack', '');
  if (groupId === undefined) {
    if (instanceId !== '') throw new InvalidConfigError('group.instance.id', 'needs group.id');
    return undefined;
  }
  if (protocol === 'classic') throw new InvalidConfigError('group.protocol', "'classic' is not served: Strait's coordinator speaks KIP-848's consumer protocol only");
  if (sessionTimeoutMs > 0 && heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new InvalidConfigError('heartbeat.interval.ms', `${heartbeatIntervalMs} must be below session.timeout.ms ${sessionTimeoutMs}`);
  }
  return { groupId, instanceId, assignor, sessionTimeoutMs, heartbeatIntervalMs, rebalanceTimeoutMs, rack };
}

export function parseConsumerConfig(options: ConsumerOptions): ConsumerConfig {
  const reader = new ConfigReader(options);
  const client = readClientConfig(reader, { retries: 5, clientIdPrefix: 'consumer' });
  const groupId = reader.has('group.id') ? reader.string('group.id', '') : undefined;
  const group = readGroupConfig(reader, groupId);
  // Kafka: auto-commit is on by default for a group and cannot be asked for without one.
  const enableAutoCommit = reader.bool('enable.auto.commit', groupId !== undefined);
  if (enableAutoCommit && groupId === undefined) throw new InvalidConfigError('enable.auto.commit', 'cannot be true without group.id');
  const autoCommitIntervalMs = reader.int('auto.commit.interval.ms', 5000, { min: 0, max: MAX_INT32 });
  const defaultApiTimeoutMs = reader.int('default.api.timeout.ms', 60_000, { min: 1, max: MAX_INT32 });
  const autoOffsetReset = reader.oneOf<OffsetResetPolicy>('auto.offset.reset', 'latest', ['latest', 'earliest', 'none']);
  const fetchMinBytes = reader.int('fetch.min.bytes', 1, { min: 0, max: MAX_INT32 });
  const fetchMaxBytes = reader.int('fetch.max.bytes', 52_428_800, { min: 0, max: MAX_INT32 });
  const maxPartitionFetchBytes = reader.int('max.partition.fetch.bytes', 1_048_576, { min: 0, max: MAX_INT32 });
  const fetchMaxWaitMs = reader.int('fetch.max.wait.ms', 500, { min: 0, max: MAX_INT32 });
  const isolation = reader.oneOf<IsolationLevelName>('isolation.level', 'read_uncommitted', ['read_uncommitted', 'read_committed']);
  const maxPollRecords = reader.int('max.poll.records', 500, { min: 1, max: MAX_INT32 });
  if (client.requestTimeoutMs <= fetchMaxWaitMs) {
    throw new InvalidConfigError('request.timeout.ms', `${client.requestTimeoutMs} must exceed fetch.max.wait.ms ${fetchMaxWaitMs}, or every long poll would time out`);
  }
  return {
    ...client,
    groupId,
    group,
    enableAutoCommit,
    autoCommitIntervalMs,
    defaultApiTimeoutMs,
    autoOffsetReset,
    fetchMinBytes,
    fetchMaxBytes,
    maxPartitionFetchBytes,
    fetchMaxWaitMs,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    maxPollRecords,
    unknownKeys: reader.unusedKeys(),
  };
}
