// The sender's retry, ordering and sequence rules, against a fake broker that answers as scripted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, Producer, StraitError, type ErrorCodeValue } from '../../../client/index.js';
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

/** A record larger than batch.size 100 on its own: with that setting, one record per batch. */
const bigRecord = (value: string) => ({ value: value.padEnd(100, '.'), partition: 0 });

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
  // The broker knows the producer first (a first batch goes alone), then one request fails and the
  // real log refuses the later ones' sequences.
  await producer.send('t', { value: 'first', partition: 0 });
  fake.script.push(() => ({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }));
  const metas = await Promise.all(values(60).map((r) => producer.send('t', r)));
  assert.deepEqual(metas.map((m) => m.offset), metas.map((_, i) => i + 1));
  assertContiguous(fake.log.get('t/0')!);
  assert.ok(producer.stats().batchesRetried >= 2, `${producer.stats().batchesRetried} retried`);
  assert.ok(fake.received.length > fake.log.get('t/0')!.length, 'some batches were refused and re-sent');
});

test('an OUT_OF_ORDER answer for the next batch fails it as not written; the producer bumps its epoch and goes on', async (t) => {
  const { fake, producer } = await setup(t);
  await producer.send('t', { value: 'first', partition: 0 });
  fake.script.push(() => ({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }));
  await assert.rejects(producer.send('t', { value: 'lost', partition: 0 }),
    (e: StraitError) => e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && e.maybeWritten === false);
  await producer.send('t', { value: 'after', partition: 0 });
  const log = fake.log.get('t/0')!;
  assert.deepEqual(log.map((b) => [b.producerId, b.producerEpoch, b.baseSequence]), [[1000, 0, 0], [1000, 1, 0]]);
  assert.equal(producer.stats().epochBumps, 1);
});

test('batches proved unwritten go again once each under the new epoch, not a second time after their acknowledgement', async (t) => {
  // One record per batch, both in flight at once once the broker knows the producer.
  const { fake, producer } = await setup(t, { 'batch.size': 100, 'linger.ms': 0 });
  const record = bigRecord;
  await producer.send('t', { value: 'first', partition: 0 });
  // Both refused: the first fails as not written, the second is proved unwritten and must be
  // written exactly once, under epoch 1 from sequence 0.
  fake.script.push(() => ({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }), () => ({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }));
  const refused = producer.send('t', record('refused'));
  const resent = producer.send('t', record('resent'));
  await assert.rejects(refused, (e: StraitError) => e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && e.maybeWritten === false);
  assert.equal((await resent).offset, 1);
  // Batches go in creation order, so a batch created now follows anything of the two still queued.
  assert.equal((await producer.send('t', record('after'))).offset, 2);
  const log = fake.log.get('t/0')!;
  assert.deepEqual(log.map((b) => [b.producerEpoch, b.baseSequence, b.recordCount]), [[0, 0, 1], [1, 0, 1], [1, 1, 1]],
    'first, resent once under the new epoch, after');
  assert.equal(producer.stats().epochBumps, 1);
});

test('property: refusals that write nothing, in any order, leave every record in the log once and acknowledged', async () => {
  // Each scripted refusal answers one request without writing it; OUT_OF_ORDER ones make the
  // producer fail batches as not written and move the others to a new epoch. With every answer
  // arriving, the log must hold exactly the acknowledged records.
  const refusal = fc.constantFrom<ErrorCodeValue | 'accept'>('accept', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  await fc.assert(fc.asyncProperty(fc.array(refusal, { maxLength: 12 }), fc.integer({ min: 1, max: 8 }), async (script, count) => {
    const fake = await startFakeBroker();
    const producer = new Producer({ 'bootstrap.servers': fake.address, 'retry.backoff.ms': 5, 'retry.backoff.max.ms': 20, 'batch.size': 100, 'linger.ms': 0 });
    try {
      await producer.send('t', bigRecord('first'));
      fake.script.push(...script.map((v) => () => (v === 'accept' ? 'accept' as const : { errorCode: v })));
      const outcomes = await Promise.allSettled(Array.from({ length: count }, (_, i) => producer.send('t', bigRecord(`r${i}`))));
      fake.script.length = 0;
      // Created last, so sent after anything of the earlier records still queued.
      const last = await producer.send('t', bigRecord('last'));
      const acked = outcomes.filter((o) => o.status === 'fulfilled').length + 2;
      const inLog = fake.log.get('t/0')!.reduce((n, b) => n + b.recordCount, 0);
      assert.equal(inLog, acked, `records in the log ${inLog}, acknowledged ${acked}`);
      assert.equal(last.offset, acked - 1);
    } finally {
      await producer.close(1000);
      await fake.stop();
    }
  }), { numRuns: 30 });
});

test('a batch written by an unanswered attempt and then refused as OUT_OF_ORDER fails as maybe written', async (t) => {
  const { fake, producer } = await setup(t, { 'request.timeout.ms': 300, 'delivery.timeout.ms': 5000 });
  await producer.send('t', { value: 'first', partition: 0 });
  // The first attempt is written and its answer lost (a leader appended it and died); the re-send
  // reaches a leader that lacks it. That refusal says nothing of the copy the first attempt left on
  // another replica, which a later election can keep.
  fake.script.push('drop', () => ({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER }));
  await assert.rejects(producer.send('t', { value: 'x', partition: 0 }),
    (e: StraitError) => e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && e.maybeWritten === true);
  assert.equal(fake.log.get('t/0')!.length, 2, 'x is in the log: "not written" would have been false');
});

test('KAFKA_STORAGE_ERROR fails a batch as maybe written (the log may have written it before failing)', async (t) => {
  const { fake, producer } = await setup(t, { 'delivery.timeout.ms': 600, 'request.timeout.ms': 500, 'linger.ms': 0 });
  for (let i = 0; i < 1000; i++) fake.script.push(() => ({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR }));
  await assert.rejects(producer.send('t', { value: 'x', partition: 0 }),
    (e: StraitError) => (e.code === ErrorCode.KAFKA_STORAGE_ERROR || e.code === ErrorCode.REQUEST_TIMED_OUT) && e.maybeWritten === true);
});

test('one batch per partition in a request, and at most max.in.flight batches of a partition unanswered', async (t) => {
  const { fake, producer } = await setup(t, { 'batch.size': 200, 'linger.ms': 0, 'max.in.flight.requests.per.connection': 3 });
  await producer.send('t', { value: 'first', partition: 0 });
  for (let i = 0; i < 20; i++) fake.script.push('hold');
  const sends = values(40).map((r) => producer.send('t', r));
  // Wait (bounded) until the producer has filled what it may: then nothing more arrives.
  for (let i = 0; i < 200 && fake.held < 3; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fake.held, 3, 'three requests unanswered, no more');
  fake.script.length = 0;
  fake.releaseHeld();
  await Promise.all(sends);
  assert.ok(fake.batchesPerPartition.every((n) => n <= 1), `batches of one partition per request: ${fake.batchesPerPartition.join(',')}`);
  assertContiguous(fake.log.get('t/0')!);
});

test('a batch whose answer never comes expires as maybe written; the next batches go on under a new epoch', async (t) => {
  const { fake, producer } = await setup(t, { 'request.timeout.ms': 300, 'delivery.timeout.ms': 800, 'linger.ms': 0, 'retry.backoff.ms': 50 });
  await producer.send('t', { value: 'first', partition: 0 });
  // Written every time, answered never: the producer cannot know.
  for (let i = 0; i < 50; i++) fake.script.push('drop');
  await assert.rejects(producer.send('t', { value: 'unknown', partition: 0 }),
    (e: StraitError) => e.code === ErrorCode.REQUEST_TIMED_OUT && e.maybeWritten === true);
  fake.script.length = 0;
  const after = await producer.send('t', { value: 'after', partition: 0 });
  const log = fake.log.get('t/0')!;
  // The unknown batch was written once (its re-sends were duplicates); 'after' follows it, either
  // under a new epoch (the window held only the given-up batch, nothing in flight) or as the next
  // sequence of the old one (sent while a re-send of the given-up batch was still unanswered, whose
  // fate its acknowledgement then settles). Both keep the contract.
  const entries = log.map((b) => [b.producerEpoch, b.baseSequence]);
  assert.deepEqual(entries.slice(0, 2), [[0, 0], [0, 1]]);
  assert.ok([JSON.stringify([1, 0]), JSON.stringify([0, 2])].includes(JSON.stringify(entries[2])), JSON.stringify(entries));
  assert.equal(log.length, 3);
  assert.equal(after.offset, 2);
});

test('a batch refused until it expires is reported as not written', async (t) => {
  const { fake, producer } = await setup(t, { 'delivery.timeout.ms': 600, 'request.timeout.ms': 500, 'linger.ms': 0 });
  for (let i = 0; i < 1000; i++) fake.script.push(() => ({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS }));
  await assert.rejects(producer.send('t', { value: 'x', partition: 0 }),
    (e: StraitError) => (e.code === ErrorCode.NOT_ENOUGH_REPLICAS || e.code === ErrorCode.REQUEST_TIMED_OUT) && e.maybeWritten === false);
  fake.script.length = 0;
  assert.equal((await producer.send('t', { value: 'y', partition: 0 })).offset, 0, 'nothing of x is in the log');
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
