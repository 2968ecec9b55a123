// The sender's retry, ordering and sequence rules, against a fake broker that answers as scripted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Producer, StraitError } from '../../../client/index.js';
import { startFakeBroker, type FakeBroker, type ReceivedBatch } from '../helpers/fake-broker.js';

async function setup(t: { after(fn: () => Promise<void> | void): void }, options: Record<string, string | number> = {}): Promise<{ fake: FakeBroker; producer: Producer }> {
  const fake = await startFakeBroker();
  const producer = new Producer({ 'bootstrap.servers': fake.address, 'retry.backoff.ms': 10, 'retry.backoff.max.ms': 50, ...options });
  t.after(async () => {
    await producer.close(1000);
    await fake.stop();
  });
  return { fake, producer };
}

/** The accepted batches' sequences follow each other with no gap or repeat. */
function assertContiguous(log: ReceivedBatch[]): void {
  let expected = 0;
  for (const b of log) {
    assert.equal(b.baseSequence, expected, `batch at sequence ${b.baseSequence}, expected ${expected}`);
    expected += b.recordCount;
  }
}

const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}`.padEnd(40, '.'), partition: 0 }));

test('sequence numbers count records per partition from 0 under one producer id', async (t) => {
  const { fake, producer } = await setup(t, { 'batch.size': 500 });
  await producer.sendMany('t', values(100));
  const log = fake.log.get('t/0')!;
  assert.ok(log.length > 3, `${log.length} batches`);
  assert.ok(log.every((b) => b.producerId === 1000));
  assertContiguous(log);
  assert.equal(log.reduce((n, b) => n + b.recordCount, 0), 100);
});

test('a retriable error re-sends the same batch with the same sequence', async (t) => {
  const { fake, producer } = await setup(t);
  fake.script.push(() => ({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }));
  const meta = await producer.send('t', { value: 'x', partition: 0 });
  assert.equal(meta.offset, 0);
  assert.equal(fake.received.length, 2);
  assert.deepEqual(fake.received[0], fake.received[1], 'same producer id, sequence and count');
  assert.equal(producer.stats().batchesRetried, 1);
});

test('a lost answer (request timeout) re-sends with the same sequence, and the duplicate is not written', async (t) => {
  const { fake, producer } = await setup(t, { 'request.timeout.ms': 300, 'delivery.timeout.ms': 5000 });
  fake.script.push('drop');
  const meta = await producer.send('t', { value: 'x', partition: 0 });
  assert.equal(fake.received.length, 2);
  assert.deepEqual(fake.received[0], fake.received[1]);
  assert.equal(fake.log.get('t/0')!.length, 1);
  assert.equal(meta.offset, 0, 'the original offset');
});

test('a broken stream re-sends every batch that was in flight, in order, with their sequences', async (t) => {
  const { fake, producer } = await setup(t, { 'batch.size': 300, 'max.request.size': 400, 'linger.ms': 0 });
  fake.script.push(() => 'accept', 'break');
  const sends = values(60).map((r) => producer.send('t', r));
  const metas = await Promise.all(sends);
  assert.deepEqual(metas.map((m) => m.offset), metas.map((_, i) => i), 'offsets in send order');
  assertContiguous(fake.log.get('t/0')!);
});

test('a failure among several requests in flight: the later ones answer OUT_OF_ORDER, all are retried in order', async (t) => {
  const { fake, producer } = await setup(t, { 'batch.size': 300, 'max.request.size': 400, 'linger.ms': 0 });
  // Only the first request fails; the fake then refuses the later ones' sequences as a leader would.
  fake.script.push(() => ({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }));
  const metas = await Promise.all(values(60).map((r) => producer.send('t', r)));
  assert.deepEqual(metas.map((m) => m.offset), metas.map((_, i) => i));
  assertContiguous(fake.log.get('t/0')!);
  assert.ok(producer.stats().batchesRetried >= 2, `${producer.stats().batchesRetried} retried`);
  assert.ok(fake.received.length > fake.log.get('t/0')!.length, 'some batches were refused and re-sent');
});

test('a fatal sequence error fails its records and the producer goes on under a new producer id', async (t) => {
  const { fake, producer } = await setup(t);
  await producer.send('t', { value: 'first', partition: 0 });
  fake.script.push(() => ({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }));
  await assert.rejects(producer.send('t', { value: 'lost', partition: 0 }), (e: StraitError) => e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  await producer.send('t', { value: 'after', partition: 0 });
  const log = fake.log.get('t/0')!;
  assert.deepEqual(log.map((b) => [b.producerId, b.baseSequence]), [[1000, 0], [1001, 0]]);
});

test('non-retriable errors reject only the records of that partition', async (t) => {
  const fake = await startFakeBroker(2);
  const producer = new Producer({ 'bootstrap.servers': fake.address, 'linger.ms': 20 });
  t.after(async () => {
    await producer.close(1000);
    await fake.stop();
  });
  fake.script.push((_topic, partition) => (partition === 0 ? { errorCode: ErrorCode.INVALID_RECORD } : 'accept'));
  const bad = producer.send('t', { value: 'a', partition: 0 });
  const good = producer.send('t', { value: 'b', partition: 1 });
  await assert.rejects(bad, (e: StraitError) => e.code === ErrorCode.INVALID_RECORD);
  assert.equal((await good).offset, 0);
  assert.equal(producer.stats().batchesFailed, 1);
});

test('acks=0 resolves without waiting for answers', async (t) => {
  const { fake, producer } = await setup(t, { acks: 0 });
  fake.script.push('drop', 'drop', 'drop');
  const metas = await Promise.all([producer.send('t', { value: 'a' }), producer.send('t', { value: 'b' })]);
  assert.deepEqual(metas.map((m) => m.offset), [-1, -1]);
  assert.ok(fake.received.every((b) => b.producerId === -1 && b.baseSequence === -1), 'no idempotence with acks=0');
});

test('records expire after delivery.timeout.ms while the broker keeps failing them', async (t) => {
  const { fake, producer } = await setup(t, { 'delivery.timeout.ms': 600, 'request.timeout.ms': 500, 'linger.ms': 0 });
  for (let i = 0; i < 1000; i++) fake.script.push(() => ({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }));
  const started = Date.now();
  await assert.rejects(producer.send('t', { value: 'x', partition: 0 }), (e: StraitError) => e.code === ErrorCode.NOT_ENOUGH_REPLICAS || e.code === ErrorCode.REQUEST_TIMED_OUT);
  assert.ok(Date.now() - started < 3000);
  fake.script.length = 0;
});
