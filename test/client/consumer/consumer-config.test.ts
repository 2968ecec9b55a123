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
