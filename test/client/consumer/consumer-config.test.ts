import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConsumerConfig } from '../../../client/consumer/consumer-config.js';
import { InvalidConfigError } from '../../../client/cluster/config-values.js';

const base = { 'bootstrap.servers': '127.0.0.1:9092' };

test("Kafka's defaults", () => {
  const c = parseConsumerConfig(base);
  assert.equal(c.autoOffsetReset, 'latest');
  assert.equal(c.fetchMinBytes, 1);
  assert.equal(c.fetchMaxBytes, 52_428_800);
  assert.equal(c.maxPartitionFetchBytes, 1_048_576);
  assert.equal(c.fetchMaxWaitMs, 500);
  assert.equal(c.isolationLevel, 0);
  assert.equal(c.maxPollRecords, 500);
  assert.equal(c.groupId, undefined);
});

test('string values and enums', () => {
  const c = parseConsumerConfig({ ...base, 'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed', 'max.poll.records': '10', 'group.id': 'g' });
  assert.equal(c.autoOffsetReset, 'earliest');
  assert.equal(c.isolationLevel, 1);
  assert.equal(c.maxPollRecords, 10);
  assert.equal(c.groupId, 'g');
});

test('bad values are named errors', () => {
  const bad: [Record<string, string | number>, string][] = [
    [{ 'auto.offset.reset': 'smallest' }, 'auto.offset.reset'],
    [{ 'isolation.level': 'serializable' }, 'isolation.level'],
    [{ 'max.poll.records': 0 }, 'max.poll.records'],
    [{ 'fetch.max.wait.ms': -1 }, 'fetch.max.wait.ms'],
    [{ 'fetch.max.wait.ms': 40_000 }, 'request.timeout.ms'],
  ];
  for (const [extra, key] of bad) {
    assert.throws(() => parseConsumerConfig({ ...base, ...extra } as never), (e: InvalidConfigError) => e instanceof InvalidConfigError && e.key === key, key);
  }
});

test('group options: defaults with a group.id, none without', () => {
  const c = parseConsumerConfig({ ...base, 'group.id': 'g' });
  assert.equal(c.enableAutoCommit, true);
  assert.equal(c.autoCommitIntervalMs, 5000);
  assert.equal(c.defaultApiTimeoutMs, 60_000);
  assert.deepEqual(c.group, { groupId: 'g', instanceId: '', assignor: '', sessionTimeoutMs: 0, heartbeatIntervalMs: 3000, rebalanceTimeoutMs: 300_000, rack: '' });
  const none = parseConsumerConfig(base);
  assert.equal(none.group, undefined);
  assert.equal(none.enableAutoCommit, false, "Kafka: no auto-commit without a group");
});

test('group options as Kafka names them', () => {
  const c = parseConsumerConfig({
    ...base, 'group.id': 'g', 'group.instance.id': 'worker-1', 'group.remote.assignor': 'range', 'session.timeout.ms': '10000',
    'heartbeat.interval.ms': 1000, 'max.poll.interval.ms': '60000', 'enable.auto.commit': 'false', 'auto.commit.interval.ms': '100',
    'client.rack': 'r1', 'group.protocol': 'consumer',
  });
  assert.deepEqual(c.group, { groupId: 'g', instanceId: 'worker-1', assignor: 'range', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000, rebalanceTimeoutMs: 60_000, rack: 'r1' });
  assert.equal(c.enableAutoCommit, false);
  assert.equal(c.autoCommitIntervalMs, 100);
  assert.deepEqual(c.unknownKeys, []);
});

test('bad group options are named errors', () => {
  const bad: [Record<string, string | boolean>, string][] = [
    [{ 'enable.auto.commit': true }, 'enable.auto.commit'],
    [{ 'group.instance.id': 'x' }, 'group.instance.id'],
    [{ 'group.id': 'g', 'group.protocol': 'classic' }, 'group.protocol'],
    [{ 'group.id': 'g', 'group.remote.assignor': 'cooperative-sticky' }, 'group.remote.assignor'],
    [{ 'group.id': 'g', 'session.timeout.ms': '3000', 'heartbeat.interval.ms': '3000' }, 'heartbeat.interval.ms'],
    [{ 'group.id': 'g', 'auto.commit.interval.ms': '-1' }, 'auto.commit.interval.ms'],
    [{ 'group.id': 'g', 'enable.auto.commit': 'yes' }, 'enable.auto.commit'],
  ];
  for (const [extra, key] of bad) {
    assert.throws(() => parseConsumerConfig({ ...base, ...extra } as never), (e: InvalidConfigError) => e instanceof InvalidConfigError && e.key === key, key);
  }
});
