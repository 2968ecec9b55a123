// Consumer against a real broker process: offset reset policies, seeks, long-poll wake-up, the
// iterators, and out-of-range handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, ErrorCode, Producer, StraitError } from '../../../client/index.js';
import { pollUntil, randomTopic, startTestBroker } from '../helpers/client-broker.js';

test('consumer against a broker', async (t) => {
  const broker = await startTestBroker(t);
  const bootstrap = { 'bootstrap.servers': broker.address };
  const admin = new Admin(bootstrap);
  const producer = new Producer({ ...bootstrap, 'linger.ms': 0 });
  t.after(async () => {
    await producer.close();
    await admin.close();
  });
  const topic = randomTopic();
  await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
  await producer.sendMany(topic, Array.from({ length: 10 }, (_, i) => ({ value: `old-${i}` })));
  const tp = { topic, partition: 0 };

  const consumer = (extra: Record<string, string> = {}): Consumer => {
    const c = new Consumer({ ...bootstrap, 'fetch.max.wait.ms': '200', ...extra });
    t.after(() => c.close());
    return c;
  };

  await t.test('auto.offset.reset=earliest starts at the log start', async () => {
    const c = consumer({ 'auto.offset.reset': 'earliest' });
    c.assign([tp]);
    assert.equal(await c.position(tp), 0);
    const got = await pollUntil((ms) => c.poll(ms), 10);
    assert.deepEqual(got.map((r) => [r.offset, r.value?.toString()]), Array.from({ length: 10 }, (_, i) => [i, `old-${i}`]));
  });

  await t.test('auto.offset.reset=latest sees only what comes after', async () => {
    const c = consumer({ 'auto.offset.reset': 'latest' });
    c.assign([tp]);
    assert.equal(await c.position(tp), 10);
    assert.deepEqual(await c.poll(300), []);
    await producer.send(topic, { value: 'new-0' });
    const got = await pollUntil((ms) => c.poll(ms), 1);
    assert.deepEqual(got.map((r) => [r.offset, r.value?.toString()]), [[10, 'new-0']]);
  });

  await t.test('auto.offset.reset=none: a partition without a position fails the poll', async () => {
    const c = consumer({ 'auto.offset.reset': 'none' });
    c.assign([tp]);
    await assert.rejects(c.poll(100), (e: StraitError) => e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
    c.seek(tp, 3);
    const got = await pollUntil((ms) => c.poll(ms), 1);
    assert.equal(got[0]!.offset, 3);
  });

  await t.test('an out-of-range position resets by the policy, or fails with none', async () => {
    const reset = consumer({ 'auto.offset.reset': 'earliest' });
    reset.assign([tp]);
    reset.seek(tp, 1_000_000);
    const got = await pollUntil((ms) => reset.poll(ms), 1);
    assert.equal(got[0]!.offset, 0);
    const strict = consumer({ 'auto.offset.reset': 'none' });
    strict.assign([tp]);
    strict.seek(tp, 1_000_000);
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 20; i++) await strict.poll(200);
      })(),
      (e: StraitError) => e.code === ErrorCode.OFFSET_OUT_OF_RANGE,
    );
  });

  await t.test('seek, seekToBeginning and seekToEnd move the position', async () => {
    const c = consumer({ 'auto.offset.reset': 'earliest', 'max.poll.records': '2' });
    c.assign([tp]);
    c.seek(tp, 5);
    assert.deepEqual((await pollUntil((ms) => c.poll(ms), 2)).map((r) => r.offset), [5, 6]);
    assert.equal(await c.position(tp), 7);
    await c.seekToEnd();
    assert.equal(await c.position(tp), 11);
    await c.seekToBeginning([tp]);
    assert.deepEqual((await pollUntil((ms) => c.poll(ms), 2)).map((r) => r.offset), [0, 1]);
    assert.throws(() => c.seek({ topic, partition: 9 }, 0), (e: StraitError) => e.code === ErrorCode.INVALID_REQUEST);
    assert.throws(() => c.seek(tp, -1), (e: StraitError) => e.code === ErrorCode.INVALID_REQUEST);
  });

  await t.test('a long poll wakes up as soon as a record arrives', async () => {
    // The wait is long enough that waking at its end cannot be mistaken for waking on the record.
    const c = new Consumer({ ...bootstrap, 'auto.offset.reset': 'latest', 'fetch.max.wait.ms': '20000' });
    t.after(() => c.close());
    c.assign([tp]);
    await c.position(tp);
    // Let the first long poll reach the broker before producing.
    const polled = c.poll(40_000);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await producer.send(topic, { value: 'wake' });
    const got = await polled;
    const waited = Date.now() - started;
    assert.deepEqual(got.map((r) => r.value?.toString()), ['wake']);
    assert.ok(waited < 15_000, `woke after ${waited} ms, fetch.max.wait.ms is 20000`);
  });

  await t.test('the record and batch iterators yield in order and end on close', async () => {
    const c = consumer({ 'auto.offset.reset': 'earliest' });
    c.assign([tp]);
    const seen: number[] = [];
    for await (const record of c) {
      seen.push(record.offset);
      if (seen.length === 12) break;
    }
    assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i));
    const b = consumer({ 'auto.offset.reset': 'earliest', 'max.poll.records': '4' });
    b.assign([tp]);
    const sizes: number[] = [];
    for await (const batch of b.batches()) {
      sizes.push(batch.length);
      if (sizes.reduce((x, y) => x + y, 0) >= 8) await b.close();
    }
    assert.ok(sizes.every((n) => n <= 4) && sizes.length >= 2, `batches of ${sizes.join(',')}`);
  });
});

test('fetch-ahead: many records over many fetches arrive complete and in order', async (t) => {
  const broker = await startTestBroker(t);
  const topic = randomTopic();
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());
  await admin.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1 }]);
  const producer = new Producer({ 'bootstrap.servers': broker.address });
  const n = 20_000;
  await producer.sendMany(topic, Array.from({ length: n }, (_, i) => ({ key: `k${i % 2}`, value: `v${i}` })));
  await producer.close();
  const c = new Consumer({ 'bootstrap.servers': broker.address, 'auto.offset.reset': 'earliest', 'max.partition.fetch.bytes': '8192' });
  t.after(() => c.close());
  c.assign([{ topic, partition: 0 }, { topic, partition: 1 }]);
  const got = await pollUntil((ms) => c.poll(ms), n, 20_000);
  assert.equal(got.length, n);
  for (const p of [0, 1]) {
    const offsets = got.filter((r) => r.partition === p).map((r) => r.offset);
    assert.deepEqual(offsets, offsets.map((_, i) => i), `partition ${p} in order without gaps`);
  }
  assert.equal(new Set(got.map((r) => r.value?.toString())).size, n);
});
