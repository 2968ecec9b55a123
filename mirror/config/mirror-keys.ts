// Every key a mirror config file may hold, by MM2's names (Kafka 3.7+, connect/mirror): the flow
// settings with their defaults (MM2's, except where the comment says why not), the keys MM2 has that
// Strait does not implement (a warning that says so), and the ones it refuses (start-up stops). The
// layering and the cluster keys (`clusters`, `<alias>.bootstrap.servers`, the client prefixes) are
// in mirror-config.ts; mirror/README.md is the reference a user reads, and a test keeps it listing
// every key of FLOW_KEYS.
import {
  parseBoolean, parseIntervalSeconds, parseInteger, parseMilliseconds, parseOneOf, parsePolicyClass, parseRegexList,
  parseReplicationFactor, parseSeparator,
} from './value-parsers.js';

export interface FlowKeyDef<T> {
  /** The value when no layer sets it, written as a user would. */
  default: string;
  parse(value: string): T;
  /** MM2's legacy name for the same setting (`topics.blacklist`), read when the new name is not set at the same layer. */
  legacyName?: string;
  doc: string;
}

const INT_MAX = 2 ** 31 - 1;

/** MM2's DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT. */
export const TOPICS_EXCLUDE_DEFAULT = '.*[\\-\\.]internal, .*\\.replica, __.*';
/** MM2's DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT. */
export const GROUPS_EXCLUDE_DEFAULT = 'console-consumer-.*, connect-.*, __.*';
/** MM2's DefaultConfigPropertyFilter.CONFIG_PROPERTIES_EXCLUDE_DEFAULT (3.7 to 3.9). */
export const CONFIG_PROPERTIES_EXCLUDE_DEFAULT = 'follower\\.replication\\.throttled\\.replicas, '
  + 'leader\\.replication\\.throttled\\.replicas, message\\.timestamp\\.difference\\.max\\.ms, '
  + 'message\\.timestamp\\.type, unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas';

const bool = (value: string): boolean => parseBoolean(value);
const count = (min: number) => (value: string): number => parseInteger(value, min, INT_MAX);

/** The settings of a flow, each resolved top level < `<target alias>.` < `<src>-><tgt>.`. */
export const FLOW_KEYS = {
  'topics': { default: '.*', parse: parseRegexList, doc: 'Source topics to mirror: regexes, each matching the whole name' },
  'topics.exclude': { default: TOPICS_EXCLUDE_DEFAULT, parse: parseRegexList, legacyName: 'topics.blacklist', doc: 'Source topics never mirrored; wins over topics' },
  'groups': { default: '.*', parse: parseRegexList, doc: 'Source consumer groups whose offsets are checkpointed' },
  'groups.exclude': { default: GROUPS_EXCLUDE_DEFAULT, parse: parseRegexList, legacyName: 'groups.blacklist', doc: 'Groups never checkpointed; wins over groups' },
  'replication.policy.class': { default: 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy', parse: parsePolicyClass, doc: 'How remote topics are named: DefaultReplicationPolicy (<source><separator><topic>) or IdentityReplicationPolicy (the source name)' },
  'replication.policy.separator': { default: '.', parse: parseSeparator, doc: 'Between the source alias and the topic in a remote topic name' },
  'replication.policy.internal.topic.separator.enabled': { default: 'true', parse: bool, doc: 'Whether the separator is used in the offset-syncs and checkpoints topic names too (false: always ".")' },
  'replication.factor': { default: '2', parse: parseReplicationFactor, doc: 'Replication factor of remote topics created on the target; -1 = the target broker\'s default' },
  'sync.topic.configs.enabled': { default: 'true', parse: bool, doc: 'Copy topic configs from source topics to their remote topics' },
  'sync.topic.configs.interval.seconds': { default: '600', parse: parseIntervalSeconds, doc: 'How often topic configs are synced' },
  'config.properties.exclude': { default: CONFIG_PROPERTIES_EXCLUDE_DEFAULT, parse: parseRegexList, legacyName: 'config.properties.blacklist', doc: 'Topic config names never synced' },
  'use.defaults.from': { default: 'target', parse: (v: string) => parseOneOf(v, ['target', 'source'] as const), doc: 'Whose defaults a synced topic gets for the configs the source leaves at their default: the target\'s (left unset) or the source\'s (copied)' },
  'refresh.topics.enabled': { default: 'true', parse: bool, doc: 'Look for new source topics and partitions periodically (false: once, at start)' },
  'refresh.topics.interval.seconds': { default: '600', parse: parseIntervalSeconds, doc: 'How often new source topics and partitions are looked for' },
  'refresh.groups.enabled': { default: 'true', parse: bool, doc: 'Look for new source groups periodically (false: once, at start)' },
  'refresh.groups.interval.seconds': { default: '600', parse: parseIntervalSeconds, doc: 'How often new source groups are looked for' },
  'emit.heartbeats.enabled': { default: 'true', parse: bool, doc: 'Write heartbeats (source alias, target alias, time) into the target\'s heartbeats topic' },
  'emit.heartbeats.interval.seconds': { default: '1', parse: parseIntervalSeconds, doc: 'How often heartbeats are written' },
  'emit.checkpoints.enabled': { default: 'true', parse: bool, doc: 'Write translated group offsets to <source>.checkpoints.internal on the target' },
  'emit.checkpoints.interval.seconds': { default: '60', parse: parseIntervalSeconds, doc: 'How often checkpoints are written' },
  'sync.group.offsets.enabled': { default: 'false', parse: bool, doc: 'Commit translated offsets to the target\'s groups that have no active members there' },
  'sync.group.offsets.interval.seconds': { default: '60', parse: parseIntervalSeconds, doc: 'How often group offsets are synced' },
  'emit.offset-syncs.enabled': { default: 'true', parse: bool, doc: 'Write offset syncs (KIP-1031, newer than MM2 3.7); checkpoints and group offset sync need them' },
  'offset.lag.max': { default: '100', parse: (v: string) => parseInteger(v, 0, Number.MAX_SAFE_INTEGER), doc: 'How far the target offset may drift from the last offset sync before a new one is written' },
  'offset-syncs.topic.location': { default: 'source', parse: (v: string) => parseOneOf(v, ['source', 'target'] as const), doc: 'Which cluster holds the offset-syncs topic' },
  'heartbeats.topic.replication.factor': { default: '3', parse: parseReplicationFactor, doc: 'Replication factor of the heartbeats topic when the mirror creates it' },
  'checkpoints.topic.replication.factor': { default: '3', parse: parseReplicationFactor, doc: 'Replication factor of <source>.checkpoints.internal when the mirror creates it' },
  'offset-syncs.topic.replication.factor': { default: '3', parse: parseReplicationFactor, doc: 'Replication factor of mm2-offset-syncs.<cluster>.internal when the mirror creates it' },
  'offset.storage.replication.factor': { default: '3', parse: parseReplicationFactor, doc: 'Replication factor of mm2-offsets.<source>.internal (the mirror\'s source positions, kept on the target) when the mirror creates it' },
  // Connect's default is 60000 ms; a restart re-sends what was forwarded since the last flush, so
  // Strait flushes every second to keep the duplicates few (mirror.md, "Delivery").
  'offset.flush.interval.ms': { default: '1000', parse: parseMilliseconds, doc: 'How often forwarded positions are recorded (MM2/Connect: 60000)' },
  'admin.timeout.ms': { default: '60000', parse: parseMilliseconds, doc: 'Deadline of the mirror\'s admin work (listing topics, creating them, syncing configs)' },
  'tasks.max': { default: '1', parse: count(1), doc: 'Accepted for MM2 files; the workers of a flow share its partitions through the target\'s group protocol instead' },
} satisfies Record<string, FlowKeyDef<unknown>>;

export type FlowKey = keyof typeof FLOW_KEYS;
export type FlowValue<K extends FlowKey> = ReturnType<(typeof FLOW_KEYS)[K]['parse']>;

/** The legacy names, to the key they stand for. */
export const LEGACY_NAMES: ReadonlyMap<string, FlowKey> = new Map(
  (Object.entries(FLOW_KEYS) as [FlowKey, FlowKeyDef<unknown>][])
    .filter(([, def]) => def.legacyName !== undefined)
    .map(([key, def]) => [def.legacyName!, key]),
);

export function isFlowKey(key: string): key is FlowKey {
  return Object.hasOwn(FLOW_KEYS, key);
}

/** The client prefixes: `consumer.*` goes to the consumers of a cluster, and so on. */
export const CLIENT_KINDS = ['consumer', 'producer', 'admin'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** A key MM2 has that Strait does not implement: a warning, unless the value asks for nothing more
 * than Strait does anyway. */
export interface UnimplementedKey {
  why: string;
  harmless?: (value: string) => boolean;
}

const CONNECT_INTERNALS = 'Strait runs no Kafka Connect worker (it keeps no Connect config, status or offset topics; its source positions are mm2-offsets.<source>.internal)';
const WORKER_GROUP = 'a Connect worker group setting; mirror workers share a flow through a consumer group on its target cluster';
const is = (...values: string[]) => (value: string): boolean => values.includes(value.trim());

export const UNIMPLEMENTED_KEYS: Readonly<Record<string, UnimplementedKey>> = {
  'security.protocol': { why: 'Strait has no TLS or SASL: every connection is PLAINTEXT', harmless: (value) => value.trim().toUpperCase() === 'PLAINTEXT' },
  'exactly.once.support': { why: 'exactly-once delivery is not implemented: records are delivered at least once, with the duplicates a restart can cause bounded by offset.flush.interval.ms (DESIGN §9)' },
  'exactly.once.source.support': { why: 'exactly-once delivery is not implemented: records are delivered at least once, with the duplicates a restart can cause bounded by offset.flush.interval.ms (DESIGN §9)', harmless: is('disabled') },
  'transaction.boundary': { why: 'exactly-once delivery is not implemented, so there are no transactions to bound', harmless: is('poll') },
  'transaction.boundary.interval.ms': { why: 'exactly-once delivery is not implemented, so there are no transactions to bound' },
  'sync.topic.acls.enabled': { why: 'Strait has no ACLs, so there are none to sync', harmless: is('false') },
  'sync.topic.acls.interval.seconds': { why: 'Strait has no ACLs, so there are none to sync' },
  'add.source.alias.to.metrics': { why: 'every mirror metric has a source label' },
  'consumer.poll.timeout.ms': { why: 'the partition forwarders long-poll the source (fetch.max.wait.ms of the source consumer)' },
  'heartbeats.replication.enabled': { why: 'heartbeats topics are always mirrored, as in MM2 3.7', harmless: is('true') },
  'default.replication.policy.heartbeats.topic.name': { why: 'the heartbeats topic is "heartbeats"', harmless: is('heartbeats') },
  'topic.filter.class': { why: 'only MM2\'s default filter exists (topics / topics.exclude)', harmless: is('org.apache.kafka.connect.mirror.DefaultTopicFilter') },
  'group.filter.class': { why: 'only MM2\'s default filter exists (groups / groups.exclude)', harmless: is('org.apache.kafka.connect.mirror.DefaultGroupFilter') },
  'config.property.filter.class': { why: 'only MM2\'s default filter exists (config.properties.exclude)', harmless: is('org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter') },
  'forwarding.admin.class': { why: 'the mirror manages topics through the Strait admin client', harmless: is('org.apache.kafka.clients.admin.ForwardingAdmin') },
  'dedicated.mode.enable.internal.rest': { why: 'mirror workers coordinate through the target cluster\'s group protocol, not a REST server' },
  'config.providers': { why: 'config providers are not implemented: write values in the file' },
  'metric.reporters': { why: 'the mirror exports Prometheus metrics (GET /metrics)' },
  'name': { why: 'Strait runs no Connect connectors to name' },
  'connector.class': { why: 'Strait runs no Connect connectors' },
  'source.cluster.alias': { why: 'a flow\'s aliases come from <src>-><tgt>' },
  'target.cluster.alias': { why: 'a flow\'s aliases come from <src>-><tgt>' },
  'group.id': { why: CONNECT_INTERNALS },
  'client.id': { why: 'set <alias>.consumer.client.id / <alias>.producer.client.id for the mirror\'s clients' },
  'offset.storage.topic': { why: 'a flow\'s source positions are always mm2-offsets.<source>.internal on its target' },
  'offset.flush.timeout.ms': { why: 'positions are recorded after the target acknowledged, without a separate flush deadline' },
  'key.converter': { why: 'records are mirrored as bytes, as MM2 does with ByteArrayConverter', harmless: is('org.apache.kafka.connect.converters.ByteArrayConverter') },
  'value.converter': { why: 'records are mirrored as bytes, as MM2 does with ByteArrayConverter', harmless: is('org.apache.kafka.connect.converters.ByteArrayConverter') },
  'header.converter': { why: 'records are mirrored as bytes, as MM2 does with ByteArrayConverter', harmless: is('org.apache.kafka.connect.converters.ByteArrayConverter') },
  'listeners': { why: 'the mirror serves no Connect REST API' },
  'plugin.path': { why: 'Strait loads no Connect plugins' },
  'scheduled.rebalance.max.delay.ms': { why: 'the target cluster\'s group protocol balances the workers' },
  'session.timeout.ms': { why: WORKER_GROUP },
  'heartbeat.interval.ms': { why: WORKER_GROUP },
  'rebalance.timeout.ms': { why: WORKER_GROUP },
  'task.shutdown.graceful.timeout.ms': { why: CONNECT_INTERNALS },
};

/** Prefixes of MM2 and Connect keys Strait does not implement. */
export const UNIMPLEMENTED_PREFIXES: readonly (readonly [string, UnimplementedKey])[] = [
  ['config.storage.', { why: CONNECT_INTERNALS }],
  ['status.storage.', { why: CONNECT_INTERNALS }],
  ['offset.storage.', { why: CONNECT_INTERNALS }],
  ['key.converter.', { why: 'records are mirrored as bytes' }],
  ['value.converter.', { why: 'records are mirrored as bytes' }],
  ['header.converter.', { why: 'records are mirrored as bytes' }],
  ['config.providers.', { why: 'config providers are not implemented: write values in the file' }],
  ['rest.', { why: 'the mirror serves no Connect REST API' }],
  ['metrics.', { why: 'the mirror exports Prometheus metrics (GET /metrics)' }],
  ['errors.', { why: 'the mirror never skips a record it cannot write (Connect\'s error tolerance does not apply)' }],
  ['topic.creation.', { why: 'remote topics get the source\'s partition count, replication.factor and synced configs' }],
  ['worker.', { why: CONNECT_INTERNALS }],
];

/** Keys whose meaning Strait cannot honour and cannot ignore: start-up stops. */
export function refusedMirrorKey(key: string, value: string): string | undefined {
  if (key === 'transforms' || key.startsWith('transforms.') || key === 'predicates' || key.startsWith('predicates.')) {
    return 'single message transforms are not implemented: records would be mirrored untransformed, which is not what this file asks for';
  }
  const filterDefaults: Readonly<Record<string, string>> = {
    'topic.filter.class': 'org.apache.kafka.connect.mirror.DefaultTopicFilter',
    'group.filter.class': 'org.apache.kafka.connect.mirror.DefaultGroupFilter',
    'config.property.filter.class': 'org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter',
  };
  const defaultFilter = filterDefaults[key];
  if (defaultFilter !== undefined && value.trim() !== defaultFilter) {
    return `"${value.trim()}" cannot be loaded (only ${defaultFilter} exists): the mirror would select other topics, groups or configs than this filter does`;
  }
  return undefined;
}

/** Why a key MM2 has is not implemented, or undefined for any other key. */
export function unimplementedKey(key: string): UnimplementedKey | undefined {
  return UNIMPLEMENTED_KEYS[key] ?? UNIMPLEMENTED_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}
