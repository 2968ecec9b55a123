import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  InvalidConfigError, TOPIC_CONFIG_DEFS, brokerDefaultsToTopicConfig, defaultTopicConfig, parseTopicConfigs,
  throttledReplicasInclude, topicConfigToStrings, validateTopicName,
} from '../../../broker/log/topic-config.js';

test('defaults are Kafka\'s', () => {
  const c = defaultTopicConfig();
  assert.equal(c.retentionMs, 604800000);
  assert.equal(c.retentionBytes, -1);
  assert.equal(c.segmentBytes, 1073741824);
  assert.equal(c.segmentMs, 604800000);
  assert.equal(c.segmentIndexBytes, 10485760);
  assert.equal(c.indexIntervalBytes, 4096);
  assert.equal(c.cleanupPolicy, 'delete');
  assert.equal(c.maxMessageBytes, 1048588);
  assert.equal(c.minInsyncReplicas, 1);
  assert.equal(c.messageTimestampType, 'CreateTime');
  assert.equal(c.flushMessages, Number.MAX_SAFE_INTEGER);
  assert.equal(c.flushMs, Number.MAX_SAFE_INTEGER);
  assert.equal(c.deleteRetentionMs, 86400000);
  assert.equal(c.minCompactionLagMs, 0);
  assert.equal(c.minCleanableDirtyRatio, 0.5);
  assert.equal(c.fileDeleteDelayMs, 60000);
  assert.equal(c.uncleanLeaderElectionEnable, false);
  assert.equal(c.compressionType, 'producer');
  assert.equal(c.leaderReplicationThrottledReplicas, '');
  assert.equal(c.followerReplicationThrottledReplicas, '');
  for (const d of Object.values(TOPIC_CONFIG_DEFS)) assert.ok(d.doc.length > 10);
});

test('parseTopicConfigs applies valid values and returns a new object', () => {
  const base = defaultTopicConfig();
  const c = parseTopicConfigs({
    'retention.ms': '-1', 'cleanup.policy': 'delete, compact', 'min.cleanable.dirty.ratio': '0.1',
    'unclean.leader.election.enable': 'TRUE', 'flush.messages': '9223372036854775807', 'compression.type': 'zstd',
    'message.timestamp.type': 'LogAppendTime', 'segment.bytes': '14',
  }, base);
  assert.equal(c.retentionMs, -1);
  assert.equal(c.cleanupPolicy, 'compact,delete');
  assert.equal(c.minCleanableDirtyRatio, 0.1);
  assert.equal(c.uncleanLeaderElectionEnable, true);
  assert.equal(c.flushMessages, Number.MAX_SAFE_INTEGER);
  assert.equal(c.compressionType, 'zstd');
  assert.equal(c.messageTimestampType, 'LogAppendTime');
  assert.equal(c.segmentBytes, 14);
  assert.deepEqual(base, defaultTopicConfig());
});

test('unknown keys and bad or out-of-range values throw InvalidConfigError and change nothing', () => {
  const base = defaultTopicConfig();
  const bad: Array<[string, string]> = [
    ['no.such.config', '1'], ['retention.ms', '-2'], ['retention.ms', 'soon'], ['retention.ms', '9223372036854775808'],
    ['segment.bytes', '13'], ['segment.bytes', '2147483648'], ['segment.ms', '0'], ['min.insync.replicas', '0'],
    ['cleanup.policy', 'remove'], ['cleanup.policy', ''], ['min.cleanable.dirty.ratio', '1.5'],
    ['message.timestamp.type', 'createtime'], ['compression.type', 'brotli'], ['unclean.leader.election.enable', 'yes'],
    ['max.message.bytes', '1.5'], ['flush.messages', '0'],
  ];
  for (const [key, value] of bad) {
    assert.throws(() => parseTopicConfigs({ 'retention.bytes': '5', [key]: value }, base), (e: unknown) => {
      assert.ok(e instanceof InvalidConfigError, `${key}=${value}`);
      assert.ok(e instanceof StraitError);
      assert.equal(e.code, ErrorCode.INVALID_CONFIG);
      assert.equal(e.key, key);
      return true;
    });
  }
  assert.deepEqual(base, defaultTopicConfig());
});

test('property: topicConfigToStrings round-trips through parseTopicConfigs', () => {
  fc.assert(fc.property(
    fc.integer({ min: -1, max: 2 ** 40 }), fc.integer({ min: 14, max: 2 ** 31 - 1 }),
    fc.constantFrom('delete', 'compact', 'compact,delete' as const), fc.double({ min: 0, max: 1, noNaN: true }).filter((x) => !Object.is(x, -0)),
    (retentionMs, segmentBytes, cleanupPolicy, ratio) => {
      const c = { ...defaultTopicConfig(), retentionMs, segmentBytes, cleanupPolicy, minCleanableDirtyRatio: ratio };
      assert.deepEqual(parseTopicConfigs(topicConfigToStrings(c), defaultTopicConfig()), c);
    },
  ));
  assert.equal(topicConfigToStrings(defaultTopicConfig())['flush.ms'], '9223372036854775807');
});

test('broker defaults map to topic defaults with Kafka\'s precedence', () => {
  const c = brokerDefaultsToTopicConfig({
    'log.retention.hours': '1', 'log.retention.minutes': '2', 'log.segment.bytes': '1000', 'log.roll.hours': '3',
    'log.cleanup.policy': 'compact', 'message.max.bytes': '500', 'log.flush.interval.messages': '10', 'log.flush.interval.ms': '20',
    'log.cleaner.delete.retention.ms': '30', 'min.insync.replicas': '2', 'log.message.timestamp.type': 'LogAppendTime',
    'compression.type': 'gzip', 'log.index.interval.bytes': '64', 'log.retention.bytes': '99', 'broker.id': '1',
  });
  assert.equal(c.retentionMs, 120000);
  assert.equal(c.segmentMs, 3 * 3600000);
  assert.equal(c.segmentBytes, 1000);
  assert.equal(c.cleanupPolicy, 'compact');
  assert.equal(c.maxMessageBytes, 500);
  assert.equal(c.flushMessages, 10);
  assert.equal(c.flushMs, 20);
  assert.equal(c.deleteRetentionMs, 30);
  assert.equal(c.minInsyncReplicas, 2);
  assert.equal(c.messageTimestampType, 'LogAppendTime');
  assert.equal(c.compressionType, 'gzip');
  assert.equal(c.indexIntervalBytes, 64);
  assert.equal(c.retentionBytes, 99);
  assert.equal(brokerDefaultsToTopicConfig({ 'log.retention.ms': '5', 'log.retention.hours': '1' }).retentionMs, 5);
  assert.equal(brokerDefaultsToTopicConfig({ 'log.retention.hours': '-1' }).retentionMs, -1);
  assert.equal(brokerDefaultsToTopicConfig({ 'log.roll.ms': '7', 'log.roll.hours': '1' }).segmentMs, 7);
  assert.throws(() => brokerDefaultsToTopicConfig({ 'log.segment.bytes': '1' }),
    (e: unknown) => e instanceof InvalidConfigError && e.key === 'log.segment.bytes');
  assert.throws(() => brokerDefaultsToTopicConfig({ 'log.retention.hours': 'x' }),
    (e: unknown) => e instanceof InvalidConfigError && e.key === 'log.retention.hours');
});

test('topic names follow Kafka\'s rules', () => {
  for (const ok of ['a', 'orders.v1', 'A_b-c.9', 'x'.repeat(249), '...']) validateTopicName(ok);
  for (const bad of ['', '.', '..', 'x'.repeat(250), 'has space', 'slash/name', 'ümlaut', 'tab\t']) {
    assert.throws(() => validateTopicName(bad), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
  }
});

test('throttled replica lists: \'*\' or partition:broker pairs (Kafka\'s ThrottledReplicaListValidator), read per replica', () => {
  const parse = (value: string) => parseTopicConfigs({ 'leader.replication.throttled.replicas': value, 'follower.replication.throttled.replicas': value }, defaultTopicConfig());
  assert.equal(parse(' 0:1 , 1:2,').leaderReplicationThrottledReplicas, '0:1,1:2');
  assert.equal(parse(' * ').followerReplicationThrottledReplicas, '*');
  assert.equal(parse('').leaderReplicationThrottledReplicas, '');
  for (const bad of ['*,0:1', '0-1', 'a:b', '0:', ':1', '0:1:2', '0:-1']) {
    assert.throws(() => parse(bad), (err: unknown) => err instanceof InvalidConfigError && err.code === ErrorCode.INVALID_CONFIG
      && /must be the literal '\*' or a list of replicas/.test(err.message), bad);
  }
  assert.equal(throttledReplicasInclude('0:1,1:2', 1, 2), true);
  assert.equal(throttledReplicasInclude('0:1,1:2', 1, 1), false);
  assert.equal(throttledReplicasInclude('10:1', 0, 1), false);
  assert.equal(throttledReplicasInclude('*', 7, 3), true);
  assert.equal(throttledReplicasInclude('', 0, 1), false);
  // APPEND works on them as on any list config.
  assert.equal(TOPIC_CONFIG_DEFS['leader.replication.throttled.replicas'].type, 'list');
});
