// The SDK's raw path against a real broker: Consumer.pollBatches hands out whole stored batches
// undecoded and moves positions past them; Producer.sendRawBatch writes a prebuilt batch as one
// batch (records, timestamps, headers and compression kept; producer fields and CRC rewritten),
// in order with send(), and refuses what a producer may not send without writing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Admin, CompressionType, Consumer, ErrorCode, Producer, StraitError, batchPositions, decodeRecordBatch, encodeRecordBatch,
  readBatchHeader, type FetchedBatches,
} from '../../client/index.js';
import { pollUntil, randomTopic, startTestBroker } from './helpers/client-broker.js';

async function pollBatchesUntil(c: Consumer, untilOffset: number, timeoutMs = 10_000): Promise<FetchedBatches[]> {
  const out: FetchedBatches[] = [];
  const deadline = Date.now() + timeoutMs;
  while ((out.at(-1)?.nextOffset ?? 0) < untilOffset && Date.now() < deadline) out.push(...(await c.pollBatches(200)));
  return out;
}

function batchesOf(fetched: readonly FetchedBatches[]): { header: ReturnType<typeof readBatchHeader>; bytes: Buffer }[] {
  return fetched.flatMap((f) => [...batchPositions(f.records)].map(({ position, size }) => ({ header: readBatchHeader(f.records, position), bytes: f.records.subarray(position, position + size) })));
}

test('raw fetch and raw produce against a broker', async (t) => {
  const broker = await startTestBroker(t);
  const bootstrap = { 'bootstrap.servers': broker.address };
  const admin = new Admin(bootstrap);
  const producer = new Producer({ ...bootstrap, 'linger.ms': 0 });
  t.after(async () => {
    await producer.close();
    await admin.close();
  });
  const consumer = (): Consumer => {
    const c = new Consumer({ ...bootstrap, 'fetch.max.wait.ms': '100', 'auto.offset.reset': 'earliest' });
    t.after(() => c.close());
    return c;
  };

  await t.test('pollBatches hands out whole stored batches and moves the position past them', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    for (let b = 0; b < 3; b++) await producer.sendMany(topic, Array.from({ length: 4 }, (_, i) => ({ value: `v${b * 4 + i}`, partition: 0 })));
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const fetched = await pollBatchesUntil(c, 12);
    const batches = batchesOf(fetched);
    assert.deepEqual(batches.map((b) => [b.header.baseOffset, b.header.recordCount]), [[0, 4], [4, 4], [8, 4]]);
    assert.equal(fetched[0]!.position, 0);
    assert.equal(fetched.at(-1)!.nextOffset, 12);
    assert.equal(fetched.at(-1)!.highWatermark, 12);
    assert.equal(await c.position({ topic, partition: 0 }), 12);
    // The bytes are the stored ones: they decode to the records, CRC and all.
    assert.deepEqual(batches.flatMap((b) => decodeRecordBatch(b.bytes).records.map((r) => r.value!.toString())), Array.from({ length: 12 }, (_, i) => `v${i}`));
  });

  await t.test('a position inside a batch: the batch comes whole, with the position to trim at', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.sendMany(topic, Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: 0 })));
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    c.seek({ topic, partition: 0 }, 2);
    const fetched = await pollBatchesUntil(c, 6);
    assert.equal(fetched[0]!.position, 2);
    assert.equal(readBatchHeader(fetched[0]!.records, 0).baseOffset, 0);
    assert.equal(fetched.at(-1)!.nextOffset, 6);
  });

  await t.test('poll and pollBatches mix: the raw path continues after the records handed out', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    await producer.sendMany(topic, Array.from({ length: 5 }, (_, i) => ({ value: `v${i}`, partition: 0 })));
    const c = new Consumer({ ...bootstrap, 'fetch.max.wait.ms': '100', 'auto.offset.reset': 'earliest', 'max.poll.records': '2' });
    t.after(() => c.close());
    c.assign([{ topic, partition: 0 }]);
    const first = await pollUntil((ms) => c.poll(ms), 2);
    assert.deepEqual(first.map((r) => r.offset), [0, 1]);
    const rest = await pollBatchesUntil(c, 5);
    assert.equal(rest[0]!.position, 2);
    assert.equal(rest.at(-1)!.nextOffset, 5);
  });

  await t.test('sendRawBatch writes one batch with its records, timestamps, headers and codec', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 1 }]);
    await producer.send(topic, { value: 'before', partition: 1 });
    const records = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `value-${i}`, timestamp: 1_700_000_000_000 + i, headers: [{ key: 'h', value: Buffer.from([i]) }] }));
    // A batch as another cluster stored it: its own base offset, producer fields and leader epoch.
    const bytes = encodeRecordBatch(records, { compression: CompressionType.Gzip, baseOffset: 4242, producerId: 77, producerEpoch: 3, baseSequence: 100, partitionLeaderEpoch: 9 });
    const sending = producer.sendRawBatch(topic, 1, bytes);
    const after = producer.send(topic, { value: 'after', partition: 1 });
    const meta = await sending;
    assert.deepEqual(meta, { topic, partition: 1, baseOffset: 1, logAppendTime: -1 });
    assert.equal((await after).offset, 6);
    const c = consumer();
    c.assign([{ topic, partition: 1 }]);
    const stored = batchesOf(await pollBatchesUntil(c, 7));
    assert.deepEqual(stored.map((b) => [b.header.baseOffset, b.header.recordCount]), [[0, 1], [1, 5], [6, 1]]);
    const forwarded = stored[1]!;
    assert.equal(forwarded.header.attributes & 0x07, CompressionType.Gzip);
    assert.notEqual(forwarded.header.producerId, 77, 'the idempotent producer stamps its own id');
    const decoded = decodeRecordBatch(forwarded.bytes).records;
    assert.deepEqual(decoded.map((r) => [r.offset, r.key!.toString(), r.value!.toString(), r.timestamp, r.headers[0]!.value![0]]),
      records.map((r, i) => [1 + i, r.key, r.value, r.timestamp, i]));
  });

  await t.test('sendRawBatch refuses what a producer may not send, and nothing is written', async () => {
    const topic = randomTopic();
    await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
    const one = [{ value: 'x', timestamp: 1 }];
    const cases: [string, Buffer, number][] = [
      ['control', encodeRecordBatch(one, { control: true }), ErrorCode.INVALID_RECORD],
      ['transactional', encodeRecordBatch(one, { transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 }), ErrorCode.INVALID_RECORD],
      ['truncated', encodeRecordBatch(one).subarray(0, 30), ErrorCode.INVALID_RECORD],
      ['two batches', Buffer.concat([encodeRecordBatch(one), encodeRecordBatch(one)]), ErrorCode.INVALID_RECORD],
      ['unknown partition', encodeRecordBatch(one), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ];
    for (const [name, bytes, code] of cases) {
      const partition = name === 'unknown partition' ? 5 : 0;
      await assert.rejects(producer.sendRawBatch(topic, partition, bytes), (e: StraitError) => e instanceof StraitError && e.code === code, name);
    }
    // A hole in the offsets (compaction): count 2 with last offset delta 2.
    const holed = encodeRecordBatch([{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 1 }, { value: 'c', timestamp: 1 }]);
    holed.writeInt32BE(2, 57);
    await assert.rejects(producer.sendRawBatch(topic, 0, holed), (e: StraitError) => e.code === ErrorCode.INVALID_RECORD);
    const [end] = await admin.listOffsets([{ topic, partition: 0, timestamp: -1 }]);
    assert.equal(end!.offset, 0);
  });
});
