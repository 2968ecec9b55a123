// The broker's settings, checked: every value typed and in range, or a ConfigError naming the key,
// the file and the line. Unknown keys are reported to the caller (who warns) and otherwise ignored.
import { ConfigError, readConfigEntries, refusedSecurityKey, type PropertyEntry } from '../../client/index.js';
import { BROKER_KEYS, type KeyDef } from './config-keys.js';
import { parseListenerSettings, type ListenerAddress } from './listener-config.js';

export { parseListener, type ListenerAddress } from './listener-config.js';

/** One voter of the metadata quorum: its node id and its gRPC listener. */
export interface QuorumVoter {
  id: number;
  host: string;
  port: number;
}

/** The group coordinator's settings (Kafka's offsets.* and group.consumer.* keys). */
export interface GroupCoordinatorConfig {
  offsetsTopicNumPartitions: number;
  offsetsTopicReplicationFactor: number;
  offsetsTopicSegmentBytes: number;
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  offsetsCommitTimeoutMs: number;
  offsetMetadataMaxBytes: number;
  sessionTimeoutMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxSize: number;
  /** Server assignor names ('uniform', 'range'); the first is the default. */
  assignors: string[];
  lagRefreshIntervalMs: number;
}

/** The assignors a group may use, by the names group.consumer.assignors accepts (Kafka's class names too). */
const ASSIGNOR_NAMES: Readonly<Record<string, string>> = {
  'uniform': 'uniform',
  'range': 'range',
  'org.apache.kafka.coordinator.group.assignor.UniformAssignor': 'uniform',
  'org.apache.kafka.coordinator.group.assignor.RangeAssignor': 'range',
};

export interface BrokerConfig {
  nodeId: number;
  /** Sorted: ['broker'], ['controller'] or ['broker', 'controller']. */
  processRoles: string[];
  /** controller.quorum.voters; undefined: this node is the only voter, at its own listener. */
  quorumVoters: QuorumVoter[] | undefined;
  electionTimeoutMs: number;
  quorumFetchTimeoutMs: number;
  quorumRequestTimeoutMs: number;
  snapshotIntervalRecords: number;
  brokerHeartbeatIntervalMs: number;
  brokerSessionTimeoutMs: number;
  controlledShutdownTimeoutMs: number;
  /** Every listener of `listeners`: the node's one gRPC server is bound on each (listener-config.ts). */
  listeners: ListenerAddress[];
  /** The primary listener: the one clients are told about (through `advertised`). */
  listener: ListenerAddress;
  advertised: ListenerAddress;
  /** controller.listener.names, upper case; empty when not set. */
  controllerListenerNames: string[];
  logDirs: string[];
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  metricsHost: string;
  metricsPort: number;
  retentionCheckIntervalMs: number;
  flushSchedulerIntervalMs: number;
  flushCheckpointIntervalMs: number;
  cleanerBackoffMs: number;
  cleanerEnable: boolean;
  producerIdExpirationMs: number;
  producerIdExpirationCheckIntervalMs: number;
  messageMaxBytes: number;
  /** Partition replication (Kafka's replica.* keys). */
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMinBytes: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  replicaFetchBackoffMs: number;
  replicaSocketTimeoutMs: number;
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** auto.leader.rebalance.enable, leader.imbalance.check.interval.seconds (as ms), leader.imbalance.per.broker.percentage */
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalMs: number;
  leaderImbalancePerBrokerPercentage: number;
  /** Consumer groups: __consumer_offsets, sessions, assignors, offset expiry. */
  groups: GroupCoordinatorConfig;
  rack: string;
  clusterId: string | undefined;
  /** Topic-level defaults as given (log.retention.ms, ...), for brokerDefaultsToTopicConfig. */
  topicDefaults: Record<string, string>;
  /** Every key set in the file, for DescribeConfigs on the BROKER resource. */
  explicit: Record<string, string>;
  /** Where each explicit key was set. */
  lines: Record<string, number>;
  file: string | undefined;
}

export interface ParsedBrokerConfig {
  config: BrokerConfig;
  unknownKeys: { key: string; line: number }[];
}

function checkValue(key: string, def: KeyDef, raw: string, where: { file?: string; line?: number }): void {
  const fail = (problem: string): never => {
    throw new ConfigError(problem, { ...where, key });
  };
  const value = raw.trim();
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value)) fail(`"${raw}" is not an integer`);
      const n = Number(value);
      if (!Number.isSafeInteger(n)) fail(`${value} is too large`);
      if (def.type === 'int' && (n < -(2 ** 31) || n > 2 ** 31 - 1)) fail(`${value} is outside the int32 range`);
      if (def.min !== undefined && n < def.min) fail(`${value} is below the minimum ${def.min}`);
      if (def.max !== undefined && n > def.max) fail(`${value} is above the maximum ${def.max}`);
      break;
    }
    case 'double': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) fail(`"${raw}" is not a number`);
      if (def.min !== undefined && n < def.min) fail(`${value} is below the minimum ${def.min}`);
      if (def.max !== undefined && n > def.max) fail(`${value} is above the maximum ${def.max}`);
      break;
    }
    case 'bool':
      if (!/^(true|false)$/i.test(value)) fail(`"${raw}" is not true or false`);
      break;
    case 'string':
    case 'list':
      if (def.oneOf && !def.oneOf.includes(value)) fail(`"${raw}" is not one of ${def.oneOf.join(', ')}`);
      break;
  }
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** Parses `id@host:port,...`; returns the problem as a string when it is not that. */
export function parseQuorumVoters(text: string): QuorumVoter[] | string {
  const items = list(text);
  if (items.length === 0) return 'names no voter; expected id@host:port,...';
  const voters: QuorumVoter[] = [];
  for (const item of items) {
    const m = /^(\d{1,10})@(\[[^\]]+\]|[^:@/\s]+):(\d{1,5})$/.exec(item);
    const id = m ? Number(m[1]) : NaN;
    const port = m ? Number(m[3]) : NaN;
    if (!m || id > 2 ** 31 - 1 || port < 1 || port > 65_535) return `"${item}" is not id@host:port`;
    if (voters.some((v) => v.id === id)) return `voter id ${id} appears twice`;
    voters.push({ id, host: m[2]!.replace(/^\[|\]$/g, ''), port });
  }
  return voters;
}

/** Checks entries against the key table and builds the typed config. */
export function parseBrokerConfig(entries: PropertyEntry[], file?: string): ParsedBrokerConfig {
  const explicit: Record<string, string> = {};
  const lines: Record<string, number> = {};
  const unknownKeys: { key: string; line: number }[] = [];
  for (const e of entries) {
    const where = file === undefined ? { line: e.line } : { file, line: e.line };
    const refusal = refusedSecurityKey(e.key, e.value);
    if (refusal !== undefined) throw new ConfigError(refusal, { ...where, key: e.key });
    const def = BROKER_KEYS[e.key];
    if (!def) {
      unknownKeys.push({ key: e.key, line: e.line });
      continue;
    }
    checkValue(e.key, def, e.value, where);
    explicit[e.key] = e.value.trim();
    lines[e.key] = e.line;
  }
  const at = (key: string): { file?: string; key: string; line?: number } =>
    ({ ...(file === undefined ? {} : { file }), key, ...(lines[key] ? { line: lines[key] } : {}) });
  const get = (key: string): string => explicit[key] ?? BROKER_KEYS[key]?.default ?? '';
  const int = (key: string): number => Number(get(key));
  const bool = (key: string): boolean => get(key).toLowerCase() === 'true';

  const roles = [...new Set(list(get('process.roles')))].sort();
  const rolesText = roles.join(',');
  if (rolesText !== 'broker' && rolesText !== 'controller' && rolesText !== 'broker,controller') {
    throw new ConfigError(`"${get('process.roles')}" is not one of broker, controller, broker,controller`, at('process.roles'));
  }
  const listenerSettings = parseListenerSettings({ explicit: (key) => explicit[key], value: get, where: at }, roles);
  const listener = listenerSettings.primary;
  const logDirs = explicit['log.dirs'] !== undefined ? list(explicit['log.dirs']) : [get('log.dir')];
  if (logDirs.length === 0 || logDirs.some((d) => d === '')) {
    throw new ConfigError('must name at least one directory', at(explicit['log.dirs'] !== undefined ? 'log.dirs' : 'log.dir'));
  }
  let metricsHost = listener.host;
  let metricsPort = int('metrics.port');
  if (explicit['metrics.listener'] !== undefined) {
    const m = /^(?:https?:\/\/)?(\[[^\]]*\]|[^:/]*):(\d+)\/?$/.exec(explicit['metrics.listener']);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port <= 65_535)) throw new ConfigError(`"${explicit['metrics.listener']}" is not an address like http://127.0.0.1:9100`, at('metrics.listener'));
    metricsHost = m[1] === '' ? '0.0.0.0' : m[1]!.replace(/^\[|\]$/g, '');
    metricsPort = port;
  }
  const nodeId = explicit['node.id'] !== undefined || explicit['broker.id'] === undefined ? int('node.id') : int('broker.id');
  if (explicit['cluster.id'] !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(explicit['cluster.id'])) {
    throw new ConfigError('must be 1 to 64 characters of [A-Za-z0-9_-]', at('cluster.id'));
  }
  let quorumVoters: QuorumVoter[] | undefined;
  if (explicit['controller.quorum.voters'] !== undefined) {
    const parsed = parseQuorumVoters(explicit['controller.quorum.voters']);
    if (typeof parsed === 'string') throw new ConfigError(parsed, at('controller.quorum.voters'));
    quorumVoters = parsed;
  }
  const isVoter = quorumVoters === undefined || quorumVoters.some((v) => v.id === nodeId);
  if (roles.includes('controller') && !isVoter) {
    throw new ConfigError(`node ${nodeId} has the controller role but is not in controller.quorum.voters`, at('controller.quorum.voters'));
  }
  if (!roles.includes('controller') && quorumVoters === undefined) {
    throw new ConfigError('a node without the controller role needs controller.quorum.voters to find the quorum', at('process.roles'));
  }
  if (!roles.includes('controller') && isVoter) {
    throw new ConfigError(`node ${nodeId} is in controller.quorum.voters, so process.roles must include controller`, at('process.roles'));
  }
  // Kafka's own checks: a fetch that waits longer than the lag bound would take followers out of
  // the ISR while they wait, and a fetch must be allowed to wait before it is given up.
  if (int('replica.fetch.wait.max.ms') > int('replica.lag.time.max.ms')) {
    throw new ConfigError(`${int('replica.fetch.wait.max.ms')} is above replica.lag.time.max.ms ${int('replica.lag.time.max.ms')}`, at('replica.fetch.wait.max.ms'));
  }
  if (int('replica.socket.timeout.ms') < int('replica.fetch.wait.max.ms')) {
    throw new ConfigError(`${int('replica.socket.timeout.ms')} is below replica.fetch.wait.max.ms ${int('replica.fetch.wait.max.ms')}`, at('replica.socket.timeout.ms'));
  }
  const groups = parseGroupSettings(get, int, at);
  const topicDefaults: Record<string, string> = {};
  for (const [key, value] of Object.entries(explicit)) {
    if (BROKER_KEYS[key]?.topicDefault) topicDefaults[key] = value;
  }
  const config: BrokerConfig = {
    nodeId,
    processRoles: roles,
    quorumVoters,
    electionTimeoutMs: int('controller.quorum.election.timeout.ms'),
    quorumFetchTimeoutMs: int('controller.quorum.fetch.timeout.ms'),
    quorumRequestTimeoutMs: int('controller.quorum.request.timeout.ms'),
    snapshotIntervalRecords: int('metadata.log.snapshot.interval.records'),
    brokerHeartbeatIntervalMs: int('broker.heartbeat.interval.ms'),
    brokerSessionTimeoutMs: int('broker.session.timeout.ms'),
    controlledShutdownTimeoutMs: int('controlled.shutdown.timeout.ms'),
    listeners: listenerSettings.listeners,
    listener,
    advertised: listenerSettings.advertised,
    controllerListenerNames: listenerSettings.controllerListenerNames,
    logDirs,
    numPartitions: int('num.partitions'),
    defaultReplicationFactor: int('default.replication.factor'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    metricsHost,
    metricsPort,
    retentionCheckIntervalMs: int('log.retention.check.interval.ms'),
    flushSchedulerIntervalMs: int('log.flush.scheduler.interval.ms'),
    flushCheckpointIntervalMs: int('log.flush.offset.checkpoint.interval.ms'),
    cleanerBackoffMs: int('log.cleaner.backoff.ms'),
    cleanerEnable: bool('log.cleaner.enable'),
    producerIdExpirationMs: int('producer.id.expiration.ms'),
    producerIdExpirationCheckIntervalMs: int('producer.id.expiration.check.interval.ms'),
    messageMaxBytes: int('message.max.bytes'),
    replicaLagTimeMaxMs: int('replica.lag.time.max.ms'),
    replicaFetchWaitMaxMs: int('replica.fetch.wait.max.ms'),
    replicaFetchMinBytes: int('replica.fetch.min.bytes'),
    replicaFetchMaxBytes: int('replica.fetch.max.bytes'),
    replicaFetchResponseMaxBytes: int('replica.fetch.response.max.bytes'),
    replicaFetchBackoffMs: int('replica.fetch.backoff.ms'),
    replicaSocketTimeoutMs: int('replica.socket.timeout.ms'),
    replicaHighWatermarkCheckpointIntervalMs: int('replica.high.watermark.checkpoint.interval.ms'),
    autoLeaderRebalanceEnable: bool('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalMs: int('leader.imbalance.check.interval.seconds') * 1000,
    leaderImbalancePerBrokerPercentage: int('leader.imbalance.per.broker.percentage'),
    groups,
    rack: get('broker.rack'),
    clusterId: explicit['cluster.id'],
    topicDefaults,
    explicit,
    lines,
    file,
  };
  return { config, unknownKeys };
}

/** The group coordinator's keys, checked against each other as Kafka's GroupCoordinatorConfig does. */
function parseGroupSettings(
  get: (key: string) => string, int: (key: string) => number, at: (key: string) => { file?: string; key: string; line?: number },
): GroupCoordinatorConfig {
  const session = int('group.consumer.session.timeout.ms');
  const min = int('group.consumer.min.session.timeout.ms');
  const max = int('group.consumer.max.session.timeout.ms');
  if (min > max) throw new ConfigError(`${min} is above group.consumer.max.session.timeout.ms ${max}`, at('group.consumer.min.session.timeout.ms'));
  if (session < min || session > max) {
    throw new ConfigError(`${session} is outside [group.consumer.min.session.timeout.ms, group.consumer.max.session.timeout.ms] = [${min}, ${max}]`, at('group.consumer.session.timeout.ms'));
  }
  const heartbeat = int('group.consumer.heartbeat.interval.ms');
  if (heartbeat >= session) throw new ConfigError(`${heartbeat} must be below group.consumer.session.timeout.ms ${session}`, at('group.consumer.heartbeat.interval.ms'));
  const assignors: string[] = [];
  for (const name of list(get('group.consumer.assignors'))) {
    const known = ASSIGNOR_NAMES[name];
    if (known === undefined) throw new ConfigError(`"${name}" is not an assignor: uniform or range`, at('group.consumer.assignors'));
    if (assignors.includes(known)) throw new ConfigError(`assignor ${known} is named twice`, at('group.consumer.assignors'));
    assignors.push(known);
  }
  if (assignors.length === 0) throw new ConfigError('must name at least one assignor', at('group.consumer.assignors'));
  return {
    offsetsTopicNumPartitions: int('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: int('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: int('offsets.topic.segment.bytes'),
    offsetsRetentionMs: int('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: int('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: int('offsets.commit.timeout.ms'),
    offsetMetadataMaxBytes: int('offset.metadata.max.bytes'),
    sessionTimeoutMs: session,
    minSessionTimeoutMs: min,
    maxSessionTimeoutMs: max,
    heartbeatIntervalMs: heartbeat,
    maxSize: int('group.consumer.max.size'),
    assignors,
    lagRefreshIntervalMs: int('group.lag.refresh.interval.ms'),
  };
}

export function loadBrokerConfigFile(file: string): ParsedBrokerConfig {
  return parseBrokerConfig(readConfigEntries(file), file);
}

/** Builds a config from key/values in code (tests, embedded brokers). */
export function brokerConfigFromMap(values: Record<string, string>): ParsedBrokerConfig {
  return parseBrokerConfig(Object.entries(values).map(([key, value]) => ({ key, value, line: 0 })));
}
