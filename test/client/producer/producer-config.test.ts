import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProducerConfig } from '../../../client/producer/producer-config.js';
import { InvalidConfigError } from '../../../client/cluster/config-values.js';
import { CompressionType } from '../../../client/records/batch-header.js';

const base = { 'bootstrap.servers': '127.0.0.1:9092' };

test("Kafka's defaults", () => {
  const c = parseProducerConfig(base);
  assert.equal(c.acks, -1);
  assert.equal(c.batchSize, 16384);
  assert.equal(c.lingerMs, 5);
  assert.equal(c.compression, CompressionType.None);
  assert.equal(c.deliveryTimeoutMs, 120_000);
  assert.equal(c.requestTimeoutMs, 30_000);
  assert.equal(c.maxInFlight, 5);
  assert.equal(c.idempotence, true);
  assert.equal(c.partitioner, 'sticky');
  assert.equal(c.maxRequestSize, 1_048_576);
  assert.equal(c.retry.retries, 2147483647);
  assert.deepEqual(c.bootstrap, [{ host: '127.0.0.1', port: 9092 }]);
});

test('string values as the CLI passes them', () => {
  const c = parseProducerConfig({ ...base, acks: '1', 'linger.ms': '0', 'batch.size': '65536', 'compression.type': 'gzip', 'enable.idempotence': 'false' });
  assert.equal(c.acks, 1);
  assert.equal(c.lingerMs, 0);
  assert.equal(c.batchSize, 65536);
  assert.equal(c.compression, CompressionType.Gzip);
  assert.equal(c.idempotence, false);
  assert.equal(parseProducerConfig({ ...base, acks: 'all' }).acks, -1);
  assert.equal(parseProducerConfig({ ...base, acks: 0 }).acks, 0);
});

test('idempotence turns off quietly with acks=1 by default, but an explicit request is an error', () => {
  assert.equal(parseProducerConfig({ ...base, acks: 1 }).idempotence, false);
  assert.equal(parseProducerConfig({ ...base, 'max.in.flight.requests.per.connection': 10 }).idempotence, false);
  assert.throws(() => parseProducerConfig({ ...base, acks: 1, 'enable.idempotence': true }), (e: InvalidConfigError) => e.key === 'enable.idempotence');
  assert.throws(() => parseProducerConfig({ ...base, retries: 0, 'enable.idempotence': 'true' }), (e: InvalidConfigError) => e.key === 'enable.idempotence');
});

test('bad values are named errors', () => {
  const bad: [Record<string, string | number>, string][] = [
    [{ acks: '2' }, 'acks'],
    [{ 'batch.size': '-1' }, 'batch.size'],
    [{ 'linger.ms': 'soon' }, 'linger.ms'],
    [{ 'compression.type': 'brotli' }, 'compression.type'],
    [{ partitioner: 'random' }, 'partitioner'],
    [{ 'delivery.timeout.ms': 1000 }, 'delivery.timeout.ms'],
    [{ 'max.request.size': 0 }, 'max.request.size'],
  ];
  for (const [extra, key] of bad) {
    assert.throws(() => parseProducerConfig({ ...base, ...extra }), (e: InvalidConfigError) => e instanceof InvalidConfigError && e.key === key, key);
  }
  assert.throws(() => parseProducerConfig({} as never), (e: InvalidConfigError) => e.key === 'bootstrap.servers');
});

test('unknown keys are reported, not fatal', () => {
  assert.deepEqual(parseProducerConfig({ ...base, 'buffer.memory': '33554432' }).unknownKeys, ['buffer.memory']);
});
