// Producer against a real broker process: ordering, keys, headers, acks modes, the bulk path, and
// idempotent retries across a broker restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, ErrorCode, Producer, StraitError, partitionForKey, type ConsumedRecordWithTopic } from '../../../client/index.js';
import { pollUntil, randomTopic, startTestBroker } from '../helpers/client-broker.js';

async function consumeAll(address: string, topic: string, partitions: number, want: number): Promise<ConsumedRecordWithTopic[]> {
  const consumer = new Consumer({ 'bootstrap.servers': address, 'auto.offset.reset': 'earliest' });
  try {
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    return await pollUntil((ms) => consumer.poll(ms), want);
  } finally {
    await consumer.close();
  }
}

test('producer against a broker', async (t) => {
  const broker = await startTestBroker(t);
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());

  await t.test('keyed records come back in order per partition, on partitionForKey, with keys, values and headers', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 1 }]);
    const producer = new Producer({ 'bootstrap.servers': broker.address, 'linger.ms': 2 });
    const n = 300;
    const sent = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        producer.send(topic, { key: `key-${i % 17}`, value: `value-${i}`, headers: [{ key: 'i', value: Buffer.from(String(i)) }], timestamp: 1_700_000_000_000 + i }),
      ),
    );
    await producer.close();
    for (let i = 0; i < n; i++) {
      assert.equal(sent[i]!.partition, partitionForKey(Buffer.from(`key-${i % 17}`), 3), `record ${i}`);
      assert.equal(sent[i]!.timestamp, 1_700_000_000_000 + i);
    }
    const got = await consumeAll(broker.address, topic, 3, n);
    assert.equal(got.length, n);
    for (let p = 0; p < 3; p++) {
      const mine = got.filter((r) => r.partition === p);
      const expected = sent.map((m, i) => ({ m, i })).filter(({ m }) => m.partition === p);
      assert.deepEqual(mine.map((r) => r.offset), expected.map(({ m }) => m.offset), `offsets of partition ${p}`);
      assert.deepEqual(mine.map((r) => r.offset), mine.map((_, k) => k), `partition ${p} offsets are dense from 0`);
      for (let k = 0; k < mine.length; k++) {
        const i = expected[k]!.i;
        const r = mine[k]!;
        assert.equal(r.key?.toString(), `key-${i % 17}`);
        assert.equal(r.value?.toString(), `value-${i}`);
        assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString()]), [['i', String(i)]]);
        assert.equal(r.timestamp, 1_700_000_000_000 + i);
      }
    }
  });

  await t.test('acks 0, 1 and all all deliver; acks=0 reports offset -1', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    for (const acks of ['0', '1', 'all'] as const) {
      const producer = new Producer({ 'bootstrap.servers': broker.address, acks });
      const metas = await Promise.all([0, 1, 2].map((i) => producer.send(topic, { value: `${acks}-${i}` })));
      await producer.close();
      if (acks === '0') assert.deepEqual(metas.map((m) => m.offset), [-1, -1, -1]);
      else assert.deepEqual(metas.map((m) => m.offset - metas[0]!.offset), [0, 1, 2]);
    }
    const got = await consumeAll(broker.address, topic, 1, 9);
    assert.deepEqual(got.map((r) => r.value?.toString()), ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2', 'all-0', 'all-1', 'all-2']);
  });

  await t.test('sendMany: one promise for many records, in order, over several batches', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    const producer = new Producer({ 'bootstrap.servers': broker.address, 'batch.size': 1024 });
    const records = Array.from({ length: 2000 }, (_, i) => ({ value: `v${i}` }));
    await producer.sendMany(topic, records);
    await producer.close();
    const got = await consumeAll(broker.address, topic, 1, 2000);
    assert.deepEqual(got.map((r) => r.value?.toString()), records.map((r) => r.value));
  });

  await t.test('every compression codec round-trips, and a record larger than batch.size goes alone', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    const expected: string[] = [];
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const producer = new Producer({ 'bootstrap.servers': broker.address, 'compression.type': codec, 'batch.size': 4096 });
      const records = Array.from({ length: 200 }, (_, i) => ({ key: `${codec}-${i}`, value: `${codec} value ${i} `.repeat(5) }));
      await producer.sendMany(topic, records);
      const big = 'B'.repeat(20_000);
      await producer.send(topic, { key: `${codec}-big`, value: big });
      await producer.close();
      expected.push(...records.map((r) => r.value), big);
    }
    const got = await consumeAll(broker.address, topic, 1, expected.length);
    assert.deepEqual(got.map((r) => r.value?.toString()), expected);
  });

  await t.test('an explicit partition out of range is rejected with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1 }]);
    const producer = new Producer({ 'bootstrap.servers': broker.address });
    t.after(() => producer.close());
    await assert.rejects(producer.send(topic, { value: 'x', partition: 2 }), (e: StraitError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await producer.send(topic, { value: 'x', partition: 1 })).partition, 1);
  });

  await t.test('an explicit partition added after the producer learned the topic is found by asking again (send and sendMany)', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    const producer = new Producer({ 'bootstrap.servers': broker.address });
    t.after(() => producer.close());
    assert.equal((await producer.send(topic, { value: 'before', partition: 0 })).partition, 0);
    await admin.createPartitions([{ name: topic, count: 3 }]);
    assert.equal((await producer.send(topic, { value: 'grown', partition: 2 })).partition, 2);
    await admin.createPartitions([{ name: topic, count: 4 }]);
    await producer.sendMany(topic, [{ value: 'bulk', partition: 3 }]);
    const got = await consumeAll(broker.address, topic, 4, 3);
    assert.deepEqual(got.map((r) => `${r.partition}:${r.value?.toString()}`).sort(), ['0:before', '2:grown', '3:bulk']);
  });
});

// With small requests a burst spans many requests in flight when the broker dies: the case that
// once failed batches for good and then refused the partition's later sequences.
for (const maxRequestSize of [1_048_576, 4096]) test(`idempotent producer: batches retried across a broker restart are written once (max.request.size ${maxRequestSize})`, async (t) => {
  const broker = await startTestBroker(t);
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());
  const topic = randomTopic();
  await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
  const producer = new Producer({ 'bootstrap.servers': broker.address, 'batch.size': 2048, 'request.timeout.ms': 3000, 'retry.backoff.max.ms': 200, 'max.request.size': maxRequestSize });
  t.after(() => producer.close());
  const perRound = 15_000;
  const n = 3 * perRound;
  const chunks: Promise<void>[] = [];
  let next = 0;
  const burst = (records: number): Promise<void>[] => {
    const mine: Promise<void>[] = [];
    for (let end = next + records; next < end; next += 200) {
      const from = next;
      mine.push(producer.sendMany(topic, Array.from({ length: 200 }, (_, k) => ({ value: `v${from + k}` }))));
    }
    chunks.push(...mine);
    return mine;
  };
  for (let round = 0; round < 3; round++) {
    const sentBefore = producer.stats().requestsSent;
    burst(perRound);
    // Kill while a request of this burst is on the wire: its answer dies with the process, and its
    // batches may or may not be in the log already. (Waiting for an acknowledgement first made the
    // kill miss: one request can carry the whole burst.)
    const deadline = Date.now() + 5000;
    while (producer.stats().requestsSent === sentBefore && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    broker.kill('SIGKILL');
    await broker.restart();
  }
  await Promise.all(chunks);
  assert.ok(producer.stats().batchesRetried > 0, 'the restarts made the producer retry');
  assert.equal(producer.stats().batchesFailed, 0);
  const got = await consumeAll(broker.address, topic, 1, n);
  const values = got.map((r) => r.value?.toString());
  assert.equal(new Set(values).size, values.length, 'no duplicates');
  assert.equal(values.length, n, 'nothing lost');
  assert.deepEqual(values, Array.from({ length: n }, (_, i) => `v${i}`), 'in order');
});
