// The consumer's fetch loop against a fake broker that answers as scripted: leader errors refresh
// metadata, a cut-off last batch is fetched again from its start, a broken stream reconnects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, ErrorCode, encodeRecordBatch } from '../../../client/index.js';
import { startFakeBroker, type FakeBroker } from '../helpers/fake-broker.js';
import { pollUntil } from '../helpers/client-broker.js';

/** Batches of `perBatch` records with values v0, v1, ... and offsets from 0. */
function log(batches: number, perBatch: number): Buffer[] {
  return Array.from({ length: batches }, (_, b) =>
    encodeRecordBatch(Array.from({ length: perBatch }, (_, i) => ({ value: `v${b * perBatch + i}`, timestamp: 1 })), { baseOffset: b * perBatch }),
  );
}

async function setup(t: { after(fn: () => Promise<void> | void): void }): Promise<{ fake: FakeBroker; consumer: Consumer }> {
  const fake = await startFakeBroker();
  const consumer = new Consumer({ 'bootstrap.servers': fake.address, 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 100, 'retry.backoff.ms': 10, 'retry.backoff.max.ms': 50 });
  t.after(async () => {
    await consumer.close();
    await fake.stop();
  });
  return { fake, consumer };
}

const values = (records: { value: Buffer | null }[]) => records.map((r) => r.value?.toString());
const expected = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

test('NOT_LEADER_OR_FOLLOWER refreshes metadata and the fetch resumes at the same offset', async (t) => {
  const { fake, consumer } = await setup(t);
  fake.fetchLog.set('t/0', log(2, 5));
  fake.fetchScript.push({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  consumer.assign([{ topic: 't', partition: 0 }]);
  await consumer.position({ topic: 't', partition: 0 });
  const before = fake.metadataRequests;
  const got = await pollUntil((ms) => consumer.poll(ms), 10);
  assert.deepEqual(values(got), expected(10));
  assert.ok(fake.metadataRequests > before, 'metadata was refreshed');
  assert.deepEqual(fake.fetchOffsets.get('t/0')!.slice(0, 2), [0, 0]);
});

test('a last batch cut off by the broker is ignored and fetched again from its start', async (t) => {
  const { fake, consumer } = await setup(t);
  fake.fetchLog.set('t/0', log(3, 4));
  fake.fetchScript.push('partial');
  consumer.assign([{ topic: 't', partition: 0 }]);
  const got = await pollUntil((ms) => consumer.poll(ms), 12);
  assert.deepEqual(values(got), expected(12));
  assert.deepEqual(fake.fetchOffsets.get('t/0')!.slice(0, 2), [0, 8], 'the second fetch starts at the cut batch');
});

test('a broken fetch stream reconnects and nothing is repeated or skipped', async (t) => {
  const { fake, consumer } = await setup(t);
  fake.fetchLog.set('t/0', log(4, 3));
  fake.fetchScript.push('break');
  consumer.assign([{ topic: 't', partition: 0 }]);
  const got = await pollUntil((ms) => consumer.poll(ms), 12);
  assert.deepEqual(values(got), expected(12));
  assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 12 }, (_, i) => i));
});

test('a non-retriable partition error is raised by poll once, then fetching goes on', async (t) => {
  const { fake, consumer } = await setup(t);
  fake.fetchLog.set('t/0', log(1, 3));
  fake.fetchScript.push({ errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE });
  consumer.assign([{ topic: 't', partition: 0 }]);
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 20; i++) await consumer.poll(100);
    })(),
    { name: 'UNSUPPORTED_COMPRESSION_TYPE' },
  );
  const got = await pollUntil((ms) => consumer.poll(ms), 3);
  assert.deepEqual(values(got), expected(3));
});
