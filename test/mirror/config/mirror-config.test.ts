import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseProperties, parseYamlConfig } from '../../../client/index.js';
import { loadMirrorConfigFile, parseMirrorConfig, type FlowConfig, type MirrorConfig } from '../../../mirror/index.js';

const props = (text: string): MirrorConfig => parseMirrorConfig(parseProperties(text), 'mm2.properties');
const yaml = (text: string): MirrorConfig => parseMirrorConfig(parseYamlConfig(text, 'mirror.yaml'), 'mirror.yaml');
const lines = (...l: string[]): string => `${l.join('\n')}\n`;
const sources = (patterns: readonly RegExp[]): string[] => patterns.map((p) => p.source);
const flow = (config: MirrorConfig, name: string): FlowConfig => {
  const found = config.flows.find((f) => `${f.source}->${f.target}` === name);
  assert.ok(found, `flow ${name} in ${config.flows.map((f) => `${f.source}->${f.target}`).join(', ')}`);
  return found;
};

const TWO_CLUSTERS = ['clusters = A, B', 'A.bootstrap.servers = 127.0.0.1:9092', 'B.bootstrap.servers = 127.0.0.1:9292'];

// MM2's own config/connect-mirror-maker.properties (Kafka 3.7), written again here: a user's MM2 file
// must load as it is. Its Connect-internal replication factors are the only keys Strait has no use for.
const MM2_SAMPLE = lines(
  '# Sample MirrorMaker 2.0 top-level configuration file',
  'clusters = A, B',
  '',
  'A.bootstrap.servers = A_host1:9092, A_host2:9092, A_host3:9092',
  'B.bootstrap.servers = B_host1:9092, B_host2:9092, B_host3:9092',
  '',
  'A->B.enabled = true',
  'A->B.topics = .*',
  'B->A.enabled = true',
  'B->A.topics = .*',
  '',
  'replication.factor=1',
  'checkpoints.topic.replication.factor=1',
  'heartbeats.topic.replication.factor=1',
  'offset-syncs.topic.replication.factor=1',
  'offset.storage.replication.factor=1',
  'status.storage.replication.factor=1',
  'config.storage.replication.factor=1',
  '',
  '# replication.policy.separator = _',
  '# sync.topic.acls.enabled = false',
  '# emit.heartbeats.interval.seconds = 5',
);

test("MM2's sample connect-mirror-maker.properties loads as it is: two flows with its settings", () => {
  const config = props(MM2_SAMPLE);
  assert.deepEqual(config.clusters, ['A', 'B']);
  assert.equal(config.clusterSettings.A!.bootstrapServers, 'A_host1:9092,A_host2:9092,A_host3:9092');
  assert.equal(config.clusterSettings.B!.bootstrapServers, 'B_host1:9092,B_host2:9092,B_host3:9092');
  assert.deepEqual(config.flows.map((f) => [f.source, f.target, f.line]), [['A', 'B', 7], ['B', 'A', 9]]);
  for (const f of config.flows) {
    assert.deepEqual(sources(f.topics), ['^(?:.*)$']);
    assert.equal(f.replicationFactor, 1);
    assert.equal(f.checkpointsTopicReplicationFactor, 1);
    assert.equal(f.heartbeatsTopicReplicationFactor, 1);
    assert.equal(f.offsetSyncsTopicReplicationFactor, 1);
    assert.equal(f.positionsTopicReplicationFactor, 1);
  }
  assert.deepEqual(config.unknownKeys, []);
  assert.deepEqual(config.warnings.map((w) => [w.key, w.line]), [['status.storage.replication.factor', 17], ['config.storage.replication.factor', 18]]);
  assert.match(config.warnings[0]!.message, /Strait does not implement/);
  assert.deepEqual(config.heartbeatOnlyFlows, []);
});

test("every flow setting defaults to MM2's value (offset.flush.interval.ms excepted: 1 s, not Connect's 60 s)", () => {
  const f = flow(props(lines(...TWO_CLUSTERS, 'A->B.enabled = true')), 'A->B');
  assert.deepEqual(sources(f.topics), ['^(?:.*)$']);
  assert.deepEqual(sources(f.topicsExclude), ['^(?:.*[\\-\\.]internal)$', '^(?:.*\\.replica)$', '^(?:__.*)$']);
  assert.deepEqual(sources(f.groups), ['^(?:.*)$']);
  assert.deepEqual(sources(f.groupsExclude), ['^(?:console-consumer-.*)$', '^(?:connect-.*)$', '^(?:__.*)$']);
  assert.deepEqual(sources(f.configPropertiesExclude), [
    'follower\\.replication\\.throttled\\.replicas', 'leader\\.replication\\.throttled\\.replicas', 'message\\.timestamp\\.difference\\.max\\.ms',
    'message\\.timestamp\\.type', 'unclean\\.leader\\.election\\.enable', 'min\\.insync\\.replicas',
  ].map((p) => `^(?:${p})$`));
  const { topics, topicsExclude, groups, groupsExclude, configPropertiesExclude, ...rest } = f;
  void [topics, topicsExclude, groups, groupsExclude, configPropertiesExclude];
  assert.deepEqual(rest, {
    source: 'A',
    target: 'B',
    line: 4,
    replicationPolicy: 'default',
    separator: '.',
    internalTopicSeparatorEnabled: true,
    replicationFactor: 2,
    syncTopicConfigs: true,
    syncTopicConfigsIntervalMs: 600_000,
    useDefaultsFrom: 'target',
    refreshTopicsEnabled: true,
    refreshTopicsIntervalMs: 600_000,
    refreshGroupsEnabled: true,
    refreshGroupsIntervalMs: 600_000,
    emitHeartbeats: true,
    heartbeatsIntervalMs: 1000,
    emitCheckpoints: true,
    checkpointsIntervalMs: 60_000,
    syncGroupOffsets: false,
    syncGroupOffsetsIntervalMs: 60_000,
    emitOffsetSyncs: true,
    offsetLagMax: 100,
    offsetSyncsTopicLocation: 'source',
    heartbeatsTopicReplicationFactor: 3,
    checkpointsTopicReplicationFactor: 3,
    offsetSyncsTopicReplicationFactor: 3,
    positionsTopicReplicationFactor: 3,
    offsetFlushIntervalMs: 1000,
    adminTimeoutMs: 60_000,
    sourceConsumer: { 'auto.offset.reset': 'earliest' },
    sourceProducer: {},
    sourceAdmin: {},
    targetConsumer: { 'auto.offset.reset': 'earliest' },
    targetProducer: {},
    targetAdmin: {},
    tasksMax: 1,
  });
});

test('every setting is read, and intervals in seconds become milliseconds', () => {
  const f = flow(props(lines(
    ...TWO_CLUSTERS,
    'A->B.enabled = true',
    'topics = orders.*, audit',
    // A backslash escapes in a properties file, so the regex orders\.tmp is written orders\\.tmp
    // there (as for MM2), which is orders\\\\.tmp in this string.
    'topics.exclude = orders\\\\.tmp',
    'groups = billing-.*',
    'groups.exclude = ',
    'replication.policy.class = IdentityReplicationPolicy',
    'replication.policy.separator = _',
    'replication.policy.internal.topic.separator.enabled = false',
    'replication.factor = -1',
    'sync.topic.configs.enabled = FALSE',
    'sync.topic.configs.interval.seconds = 7',
    'config.properties.exclude = retention\\\\..*',
    'use.defaults.from = source',
    'refresh.topics.enabled = false',
    'refresh.topics.interval.seconds = 2',
    'refresh.groups.enabled = false',
    'refresh.groups.interval.seconds = 3',
    'emit.heartbeats.enabled = false',
    'emit.heartbeats.interval.seconds = 4',
    'emit.checkpoints.enabled = false',
    'emit.checkpoints.interval.seconds = 5',
    'sync.group.offsets.enabled = true',
    'sync.group.offsets.interval.seconds = 6',
    'offset.lag.max = 0',
    'offset-syncs.topic.location = target',
    'heartbeats.topic.replication.factor = 1',
    'checkpoints.topic.replication.factor = 2',
    'offset-syncs.topic.replication.factor = -1',
    'offset.storage.replication.factor = 1',
    'offset.flush.interval.ms = 250',
    'admin.timeout.ms = 5000',
    'tasks.max = 4',
  )), 'A->B');
  assert.deepEqual(sources(f.topics), ['^(?:orders.*)$', '^(?:audit)$']);
  assert.deepEqual(sources(f.topicsExclude), ['^(?:orders\\.tmp)$']);
  assert.deepEqual(sources(f.groups), ['^(?:billing-.*)$']);
  assert.deepEqual(f.groupsExclude, []);
  assert.deepEqual(sources(f.configPropertiesExclude), ['^(?:retention\\..*)$']);
  assert.equal(f.replicationPolicy, 'identity');
  assert.equal(f.separator, '_');
  assert.equal(f.internalTopicSeparatorEnabled, false);
  assert.equal(f.replicationFactor, -1);
  assert.equal(f.syncTopicConfigs, false);
  assert.equal(f.syncTopicConfigsIntervalMs, 7000);
  assert.equal(f.useDefaultsFrom, 'source');
  assert.equal(f.refreshTopicsEnabled, false);
  assert.equal(f.refreshTopicsIntervalMs, 2000);
  assert.equal(f.refreshGroupsEnabled, false);
  assert.equal(f.refreshGroupsIntervalMs, 3000);
  assert.equal(f.emitHeartbeats, false);
  assert.equal(f.heartbeatsIntervalMs, 4000);
  assert.equal(f.emitCheckpoints, false);
  assert.equal(f.checkpointsIntervalMs, 5000);
  assert.equal(f.syncGroupOffsets, true);
  assert.equal(f.syncGroupOffsetsIntervalMs, 6000);
  assert.equal(f.offsetLagMax, 0);
  assert.equal(f.offsetSyncsTopicLocation, 'target');
  assert.equal(f.heartbeatsTopicReplicationFactor, 1);
  assert.equal(f.checkpointsTopicReplicationFactor, 2);
  assert.equal(f.offsetSyncsTopicReplicationFactor, -1);
  assert.equal(f.positionsTopicReplicationFactor, 1);
  assert.equal(f.offsetFlushIntervalMs, 250);
  assert.equal(f.adminTimeoutMs, 5000);
  assert.equal(f.tasksMax, 4);
});

test('layering: top level < <target alias>. < <src>-><tgt>.', () => {
  const config = props(lines(
    'clusters = A, B, C',
    'A.bootstrap.servers = 127.0.0.1:9092',
    'B.bootstrap.servers = 127.0.0.1:9292',
    'C.bootstrap.servers = 127.0.0.1:9492',
    'A->B.enabled = true',
    'A->C.enabled = true',
    'B->C.enabled = true',
    'replication.factor = 3',
    'C.replication.factor = 1',
    'A->C.replication.factor = -1',
    'A.topics = only-for-flows-into-A',
    'offset.lag.max = 10',
    'B->C.offset.lag.max = 20',
  ));
  assert.equal(flow(config, 'A->B').replicationFactor, 3, 'top level');
  assert.equal(flow(config, 'B->C').replicationFactor, 1, 'the target alias');
  assert.equal(flow(config, 'A->C').replicationFactor, -1, 'the flow');
  assert.deepEqual(sources(flow(config, 'A->B').topics), ['^(?:.*)$'], 'a setting under the source alias is not the flow\'s');
  assert.equal(flow(config, 'A->B').offsetLagMax, 10);
  assert.equal(flow(config, 'B->C').offsetLagMax, 20);
  assert.deepEqual(config.warnings, []);
});

test('client options: top level < the alias of the cluster the client talks to < the flow < the flow\'s source./target. prefix', () => {
  const config = props(lines(
    ...TWO_CLUSTERS,
    'A->B.enabled = true',
    'consumer.max.poll.records = 10',
    'consumer.fetch.min.bytes = 1',
    'A.consumer.max.poll.records = 20',
    'B.consumer.max.poll.records = 30',
    'A->B.consumer.fetch.min.bytes = 2',
    'A->B.source.consumer.fetch.max.wait.ms = 100',
    'A->B.target.consumer.auto.offset.reset = latest',
    'producer.linger.ms = 1',
    'B.producer.linger.ms = 2',
    'A.producer.compression.type = gzip',
    'A->B.target.producer.batch.size = 1000',
    'admin.request.timeout.ms = 1000',
    'B.admin.request.timeout.ms = 2000',
  ));
  const f = flow(config, 'A->B');
  assert.deepEqual(f.sourceConsumer, { 'auto.offset.reset': 'earliest', 'max.poll.records': '20', 'fetch.min.bytes': '2', 'fetch.max.wait.ms': '100' });
  assert.deepEqual(f.targetConsumer, { 'max.poll.records': '30', 'fetch.min.bytes': '2', 'auto.offset.reset': 'latest' });
  assert.deepEqual(f.targetProducer, { 'linger.ms': '2', 'batch.size': '1000' });
  assert.deepEqual(f.sourceProducer, { 'linger.ms': '1', 'compression.type': 'gzip' });
  assert.deepEqual(f.targetAdmin, { 'request.timeout.ms': '2000' });
  assert.deepEqual(f.sourceAdmin, { 'request.timeout.ms': '1000' });
  assert.deepEqual(config.clusterSettings.A, {
    alias: 'A',
    bootstrapServers: '127.0.0.1:9092',
    consumer: { 'max.poll.records': '20', 'fetch.min.bytes': '1' },
    producer: { 'linger.ms': '1', 'compression.type': 'gzip' },
    admin: { 'request.timeout.ms': '1000' },
  });
  assert.deepEqual(config.warnings, []);
});

test('a client option the SDK does not know warns once at its line; a top-level bootstrap.servers is every cluster\'s default', () => {
  const config = props(lines(
    'clusters = A, B',
    'bootstrap.servers = 127.0.0.1:9092',
    'B.bootstrap.servers = 127.0.0.1:9292',
    'A->B.enabled = true',
    'B->A.enabled = true',
    'B.producer.buffer.memory = 32768',
  ));
  assert.equal(config.clusterSettings.A!.bootstrapServers, '127.0.0.1:9092');
  assert.equal(config.clusterSettings.B!.bootstrapServers, '127.0.0.1:9292');
  assert.deepEqual(config.warnings.map((w) => [w.key, w.line]), [['B.producer.buffer.memory', 6]]);
  assert.match(config.warnings[0]!.message, /buffer\.memory is not a producer option of the Strait SDK/);
});

test('a client\'s own bootstrap.servers replaces its cluster\'s (MM2\'s primary.admin.bootstrap.servers); PLAINTEXT is accepted silently', () => {
  const config = props(lines(
    ...TWO_CLUSTERS,
    'A->B.enabled = true',
    'B.admin.bootstrap.servers = 127.0.0.1:9300',
    'security.protocol = PLAINTEXT',
    'A.consumer.security.protocol = plaintext',
  ));
  assert.deepEqual(flow(config, 'A->B').targetAdmin, { 'bootstrap.servers': '127.0.0.1:9300' });
  assert.deepEqual(flow(config, 'A->B').sourceConsumer, { 'auto.offset.reset': 'earliest' });
  assert.deepEqual(config.warnings, []);
  assert.throws(() => props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'A.consumer.bootstrap.servers = nowhere')),
    (err: unknown) => err instanceof Error && /A\.consumer\.bootstrap\.servers.*'nowhere' is not host:port/.test(err.message));
});

test("MM2's legacy names stand for the current ones; at one layer the current name wins, a nearer layer wins over a farther one", () => {
  const config = props(lines(
    ...TWO_CLUSTERS,
    'A->B.enabled = true',
    'B->A.enabled = true',
    'topics.exclude = top-exclude',
    'A->B.topics.blacklist = flow-blacklist',
    'groups.blacklist = legacy-groups',
    'groups.exclude = current-groups',
    'config.properties.blacklist = segment\\\\.bytes',
  ));
  assert.deepEqual(sources(flow(config, 'A->B').topicsExclude), ['^(?:flow-blacklist)$']);
  assert.deepEqual(sources(flow(config, 'B->A').topicsExclude), ['^(?:top-exclude)$']);
  assert.deepEqual(sources(flow(config, 'A->B').groupsExclude), ['^(?:current-groups)$']);
  assert.deepEqual(sources(flow(config, 'A->B').configPropertiesExclude), ['^(?:segment\\.bytes)$']);
  assert.deepEqual(config.warnings.map((w) => [w.key, w.line]), [['groups.blacklist', 8]]);
});

test('replication.policy.class takes MM2\'s class names and short names', () => {
  for (const [value, policy] of [
    ['org.apache.kafka.connect.mirror.DefaultReplicationPolicy', 'default'],
    ['DefaultReplicationPolicy', 'default'],
    ['default', 'default'],
    ['org.apache.kafka.connect.mirror.IdentityReplicationPolicy', 'identity'],
    ['IdentityReplicationPolicy', 'identity'],
    ['identity', 'identity'],
  ] as const) {
    const f = flow(props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', `replication.policy.class = ${value}`)), 'A->B');
    assert.equal(f.replicationPolicy, policy, value);
  }
});

test('a flow runs only when enabled; flows come in the order of the lines that enable them', () => {
  const config = props(lines(
    'clusters = A, B, C',
    'A.bootstrap.servers = 127.0.0.1:9092',
    'B.bootstrap.servers = 127.0.0.1:9292',
    'C.bootstrap.servers = 127.0.0.1:9492',
    'C->A.enabled = true',
    'A->B.enabled = TRUE',
    'B->A.enabled = false',
    'B->C.topics = x',
  ));
  assert.deepEqual(config.flows.map((f) => `${f.source}->${f.target}`), ['C->A', 'A->B']);
  assert.deepEqual(config.warnings.map((w) => [w.key, w.line]), [['B->C.topics', 8]]);
  assert.match(config.warnings[0]!.message, /B->C is not enabled/);
});

test('heartbeats: every pair that is not enabled still emits them, as MM2 runs a heartbeat connector for it, unless turned off', () => {
  const on = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true'));
  assert.deepEqual(on.heartbeatOnlyFlows.map((f) => `${f.source}->${f.target}`), ['B->A']);
  assert.equal(on.heartbeatOnlyFlows[0]!.heartbeatsIntervalMs, 1000);
  const pairOff = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'B->A.emit.heartbeats.enabled = false'));
  assert.deepEqual(pairOff.heartbeatOnlyFlows, []);
  assert.deepEqual(pairOff.warnings, [], 'heartbeat settings of a flow that is not enabled take effect');
  const allOff = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'emit.heartbeats.enabled = false'));
  assert.deepEqual(allOff.heartbeatOnlyFlows, []);
  assert.equal(flow(allOff, 'A->B').emitHeartbeats, false);
});

test('unknown keys, unimplemented MM2 keys and ineffective settings warn with their lines; harmless values do not', () => {
  const config = props(lines(
    ...TWO_CLUSTERS,
    'A->B.enabled = true',
    'no.such.key = 1',
    'A->B.sync.group.offsets = true',
    'exactly.once.support = required',
    'B.exactly.once.source.support = enabled',
    'sync.topic.acls.enabled = false',
    'key.converter = org.apache.kafka.connect.converters.ByteArrayConverter',
    'sync.topic.acls.enabled = true',
    'enabled = true',
    'A->B.bootstrap.servers = 127.0.0.1:1',
    'A.offset.storage.topic = mm2-offsets',
    'topic.filter.class = org.apache.kafka.connect.mirror.DefaultTopicFilter',
    'source.consumer.x = 1',
  ));
  assert.deepEqual(config.unknownKeys, [
    { key: 'no.such.key', line: 5 },
    { key: 'A->B.sync.group.offsets', line: 6 },
    { key: 'source.consumer.x', line: 16 },
  ]);
  const byKey = new Map(config.warnings.map((w) => [`${w.key}@${w.line}`, w.message]));
  assert.deepEqual([...byKey.keys()], [
    'no.such.key@5', 'A->B.sync.group.offsets@6', 'exactly.once.support@7', 'B.exactly.once.source.support@8',
    'sync.topic.acls.enabled@9', 'sync.topic.acls.enabled@11', 'enabled@12', 'A->B.bootstrap.servers@13', 'A.offset.storage.topic@14',
    'source.consumer.x@16',
  ]);
  assert.match(byKey.get('exactly.once.support@7')!, /does not implement.*at least once/);
  assert.match(byKey.get('sync.topic.acls.enabled@9')!, /set again on line 11/);
  assert.match(byKey.get('sync.topic.acls.enabled@11')!, /no ACLs/);
  assert.match(byKey.get('enabled@12')!, /only as <source>-><target>\.enabled/);
  assert.match(byKey.get('A->B.bootstrap.servers@13')!, /<alias>\.bootstrap\.servers/);
});

test('an identity policy on a cycle of flows warns (records would go round); one-way it does not', () => {
  const cycle = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'B->A.enabled = true', 'replication.policy.class = IdentityReplicationPolicy'));
  assert.deepEqual(cycle.warnings.map((w) => [w.key, w.line]), [['replication.policy.class', 6]]);
  assert.match(cycle.warnings[0]!.message, /A->B and B->A use IdentityReplicationPolicy on the cycle A->B->A/);
  assert.match(cycle.warnings[0]!.message, /one-way/);
  const oneWay = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'replication.policy.class = IdentityReplicationPolicy'));
  assert.deepEqual(oneWay.warnings, []);
  const three = props(lines(
    'clusters = A, B, C', 'A.bootstrap.servers = h:1', 'B.bootstrap.servers = h:2', 'C.bootstrap.servers = h:3',
    'A->B.enabled = true', 'B->C.enabled = true', 'C->A.enabled = true', 'B->C.replication.policy.class = identity',
  ));
  assert.deepEqual(three.warnings.map((w) => [w.key, w.line]), [['B->C.replication.policy.class', 8]]);
  assert.match(three.warnings[0]!.message, /cycle B->C->A->B/);
});

test('aliases may hold dots when the separator is another character; the longest declared alias wins a prefix', () => {
  const config = props(lines(
    'clusters = us.west, us.west.2',
    'replication.policy.separator = _',
    'us.west.bootstrap.servers = 127.0.0.1:9092',
    'us.west.2.bootstrap.servers = 127.0.0.1:9292',
    'us.west->us.west.2.enabled = true',
    'us.west->us.west.2.topics = a',
  ));
  assert.equal(config.clusterSettings['us.west']!.bootstrapServers, '127.0.0.1:9092');
  assert.equal(config.clusterSettings['us.west.2']!.bootstrapServers, '127.0.0.1:9292');
  assert.deepEqual(config.flows.map((f) => [f.source, f.target, sources(f.topics)]), [['us.west', 'us.west.2', ['^(?:a)$']]]);
});

test('an empty topics list warns: the flow mirrors nothing, as in MM2', () => {
  const config = props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'A->B.topics ='));
  assert.deepEqual(flow(config, 'A->B').topics, []);
  assert.deepEqual(config.warnings.map((w) => [w.key, w.line]), [['A->B.topics', 5]]);
});

test('a leading (?i) makes a pattern caseless, as Java\'s inline flag does', () => {
  const f = flow(props(lines(...TWO_CLUSTERS, 'A->B.enabled = true', 'topics = (?i)orders')), 'A->B');
  assert.ok(f.topics[0]!.test('ORDERS'));
  assert.ok(!f.topics[0]!.test('orders2'));
});

test('YAML: the same model as the properties file, with "A->B" maps, flat A->B.x keys and nested cluster maps', () => {
  const fromProps = props(lines(
    'clusters = A, B',
    'A.bootstrap.servers = 127.0.0.1:9092',
    'B.bootstrap.servers = 127.0.0.1:9292',
    'A.consumer.max.poll.records = 100',
    'A->B.enabled = true',
    'A->B.topics = orders.*, audit',
    'B->A.enabled = true',
    'B->A.sync.group.offsets.enabled = true',
    'replication.factor = 3',
  ));
  const fromYaml = yaml(lines(
    'clusters: [A, B]',
    'A:',
    '  bootstrap.servers: 127.0.0.1:9092',
    '  consumer:',
    '    max.poll.records: 100',
    'B:',
    '  bootstrap.servers: 127.0.0.1:9292',
    '"A->B":',
    '  enabled: true',
    '  topics:',
    '    - orders.*',
    '    - audit',
    'B->A.enabled: true',
    'B->A.sync.group.offsets.enabled: true',
    'replication.factor: 3',
  ));
  const withoutLines = (c: MirrorConfig): unknown => ({ ...c, file: '', flows: c.flows.map((f) => ({ ...f, line: 0 })) });
  assert.deepEqual(withoutLines(fromYaml), withoutLines(fromProps));
  assert.deepEqual(fromYaml.flows.map((f) => f.line), [9, 13]);
  const inline = yaml('clusters: A, B\nA: {bootstrap.servers: "h:1"}\nB: {bootstrap.servers: "h:2"}\n"A->B": {enabled: true, topics: [x, y]}\n');
  assert.deepEqual(inline.flows.map((f) => [f.source, f.target, f.line, sources(f.topics)]), [['A', 'B', 4, ['^(?:x)$', '^(?:y)$']]]);
});

test('a file on disk loads through loadMirrorConfigFile (properties and YAML by their extension)', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const propsFile = path.join(dir, 'mm2.properties');
  writeFileSync(propsFile, lines(...TWO_CLUSTERS, 'A->B.enabled = true'));
  const yamlFile = path.join(dir, 'mirror.yml');
  writeFileSync(yamlFile, 'clusters: A, B\nA.bootstrap.servers: h:1\nB.bootstrap.servers: h:2\nA->B.enabled: true\n');
  assert.equal(loadMirrorConfigFile(propsFile).file, propsFile);
  assert.deepEqual(loadMirrorConfigFile(propsFile).flows.map((f) => `${f.source}->${f.target}`), ['A->B']);
  assert.deepEqual(loadMirrorConfigFile(yamlFile).flows.map((f) => `${f.source}->${f.target}`), ['A->B']);
});
