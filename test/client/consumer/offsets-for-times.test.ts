// Seeking by time against a real broker process: one compressed batch of 1,000 records with
// increasing timestamps, and every query must land on the exact record, not on the batch's start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, MAX_TIMESTAMP, Producer, decodeRecordBatches } from '../../../client/index.js';
import { fetchPartition } from '../../helpers/broker-calls.js';
import { brokerClient } from '../../helpers/grpc-clients.js';
import { pollUntil, randomTopic, startTestBroker } from '../helpers/client-broker.js';

const RECORDS = 1000;
const T0 = 1_700_000_000_000;
const STEP = 10;

test('offsetsForTimes and seek land on the exact record inside one large batch', async (t) => {
  const broker = await startTestBroker(t);
  const bootstrap = { 'bootstrap.servers': broker.address };
  const admin = new Admin(bootstrap);
  // One batch for all records: room for them all, and a linger long enough to gather them.
  const producer = new Producer({ ...bootstrap, 'batch.size': 1 << 20, 'linger.ms': 200, 'compression.type': 'lz4' });
  const consumer = new Consumer({ ...bootstrap, 'fetch.max.wait.ms': '200' });
  const raw = brokerClient(broker.address);
  t.after(async () => {
    raw.close();
    await consumer.close();
    await producer.close();
    await admin.close();
  });
  const topic = randomTopic();
  const tp = { topic, partition: 0 };
  await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
  await producer.sendMany(topic, Array.from({ length: RECORDS }, (_, i) => ({ partition: 0, value: `r-${i}`, timestamp: T0 + i * STEP })));

  const fetched = await fetchPartition(raw, topic, 0, 0, { maxBytes: 4 << 20 });
  const batches = decodeRecordBatches(fetched.records);
  assert.deepEqual(batches.map((b) => b.header.recordCount), [RECORDS], 'the records went out as one batch');

  consumer.assign([tp]);
  const offsets = [0, 1, 2, 499, 500, 501, 777, 998, 999];
  // Exactly a record's timestamp, and just after the record before it: both answer that record.
  const queries = offsets.flatMap((o) => [T0 + o * STEP, T0 + o * STEP - STEP / 2]).map((timestamp) => ({ ...tp, timestamp }));
  const answers = await consumer.offsetsForTimes(queries);
  answers.forEach((answer, i) => {
    const offset = offsets[Math.floor(i / 2)]!;
    assert.deepEqual(answer && [answer.offset, answer.timestamp], [offset, T0 + offset * STEP], `query ${queries[i]!.timestamp}`);
  });
  assert.deepEqual(await consumer.offsetsForTimes([{ ...tp, timestamp: T0 + RECORDS * STEP }]), [null]);

  for (const answer of answers.filter((_, i) => i % 2 === 0)) {
    consumer.seek(tp, answer!.offset);
    const [first] = await pollUntil((ms) => consumer.poll(ms), 1);
    assert.deepEqual(
      first && [first.offset, first.timestamp, first.value?.toString()],
      [answer!.offset, answer!.timestamp, `r-${answer!.offset}`],
    );
  }

  const [max] = await admin.listOffsets([{ ...tp, timestamp: MAX_TIMESTAMP }]);
  assert.deepEqual([max!.offset, max!.timestamp], [RECORDS - 1, T0 + (RECORDS - 1) * STEP]);
});
