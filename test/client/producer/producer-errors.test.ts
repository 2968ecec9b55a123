// How the producer fails: a broker's non-retriable answer rejects exactly the records it concerns,
// an unreachable cluster runs out delivery.timeout.ms, and close() gives up after its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, ErrorCode, Producer, StraitError } from '../../../client/index.js';
import { freePort, randomTopic, startTestBroker } from '../helpers/client-broker.js';
import { startFakeBroker } from '../helpers/fake-broker.js';

test('a record over the topic max.message.bytes fails with MESSAGE_TOO_LARGE; the others succeed', async (t) => {
  const broker = await startTestBroker(t, { 'auto.create.topics.enable': 'false' });
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());
  const topic = randomTopic();
  await admin.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }]);
  const producer = new Producer({ 'bootstrap.servers': broker.address });
  t.after(() => producer.close());
  const big = producer.send(topic, { value: Buffer.alloc(5000), partition: 0 });
  const small = producer.send(topic, { value: 'ok', partition: 1 });
  await assert.rejects(big, (e: StraitError) => e.code === ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal((await small).partition, 1);
  assert.equal(producer.stats().batchesRetried, 0, 'not retried: the error is not retriable');
});

test('a topic that does not exist (auto-creation off) fails after delivery.timeout.ms', async (t) => {
  const broker = await startTestBroker(t, { 'auto.create.topics.enable': 'false' });
  const producer = new Producer({ 'bootstrap.servers': broker.address, 'delivery.timeout.ms': 3000, 'request.timeout.ms': 2500, 'linger.ms': 0 });
  t.after(() => producer.close());
  const started = Date.now();
  await assert.rejects(producer.send(randomTopic('missing'), { value: 'x' }), (e: StraitError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  // Not a speed check: only that it gave up rather than waiting for ever (generous on a busy machine).
  assert.ok(Date.now() - started < 60_000, 'gave up after delivery.timeout.ms');
});

test('with no broker listening, close(timeout) gives up and fails what is unsent', async (t) => {
  const port = await freePort();
  const producer = new Producer({ 'bootstrap.servers': `127.0.0.1:${port}`, 'retry.backoff.max.ms': 100 });
  const pending = producer.send('nowhere', { value: 'x' });
  const started = Date.now();
  await producer.close(300);
  await assert.rejects(pending, (e: StraitError) => e instanceof StraitError);
  assert.ok(Date.now() - started < 60_000, 'close gave up instead of waiting for ever');
  await assert.rejects(producer.send('nowhere', { value: 'y' }), (e: StraitError) => e.code === ErrorCode.NETWORK_EXCEPTION);
  t.after(() => producer.close());
});

test('a malformed record is rejected with a named error and the producer carries on', async (t) => {
  const fake = await startFakeBroker();
  const producer = new Producer({ 'bootstrap.servers': fake.address, 'linger.ms': 0 });
  t.after(async () => {
    await producer.close(1000);
    await fake.stop();
  });
  await producer.send('t', { value: 'warm-up' });
  await assert.rejects(producer.send('t', { value: 42 as unknown as string }), (e: StraitError) => e instanceof StraitError && e.code === ErrorCode.INVALID_RECORD);
  await assert.rejects(producer.send('t', { value: 'x', headers: [{ key: 7 as unknown as string, value: null }] }), (e: StraitError) => e instanceof StraitError);
  assert.equal((await producer.send('t', { value: 'fine' })).offset, 1);
});
