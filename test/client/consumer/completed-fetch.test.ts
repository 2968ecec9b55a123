import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletedFetch, type ConsumedRecordWithTopic } from '../../../client/consumer/completed-fetch.js';
import { batchHasDeleteHorizon, decodeRecordBatch, encodeRecordBatch, rebuildRecordBatch } from '../../../client/records/index.js';
import { ATTRIBUTES, CONTROL_MASK, computeBatchCrc, CRC, setBaseOffset } from '../../../client/records/batch-header.js';

function batchAt(baseOffset: number, values: string[]): Buffer {
  const buf = encodeRecordBatch(values.map((v) => ({ value: v, key: `k${v}`, timestamp: 1000 })));
  setBaseOffset(buf, 0, baseOffset);
  return buf;
}

function controlBatchAt(baseOffset: number): Buffer {
  const buf = batchAt(baseOffset, ['marker']);
  buf.writeInt16BE(buf.readInt16BE(ATTRIBUTES) | CONTROL_MASK, ATTRIBUTES);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
  return buf;
}

test('skips records below the position inside the first batch, then returns the rest in order', () => {
  const data = Buffer.concat([batchAt(10, ['a', 'b', 'c']), batchAt(13, ['d', 'e'])]);
  const cf = new CompletedFetch('t', 2, 0, data);
  const out: ConsumedRecordWithTopic[] = [];
  const position = cf.drain(11, 100, out);
  assert.deepEqual(out.map((r) => [r.topic, r.partition, r.offset, r.value?.toString(), r.key?.toString()]), [
    ['t', 2, 11, 'b', 'kb'],
    ['t', 2, 12, 'c', 'kc'],
    ['t', 2, 13, 'd', 'kd'],
    ['t', 2, 14, 'e', 'ke'],
  ]);
  assert.equal(position, 15);
  assert.equal(cf.exhausted, true);
});

test('drains at most max records per call and resumes where it stopped', () => {
  const cf = new CompletedFetch('t', 0, 0, Buffer.concat([batchAt(0, ['a', 'b', 'c']), batchAt(3, ['d'])]));
  const out: ConsumedRecordWithTopic[] = [];
  let position = cf.drain(0, 2, out);
  assert.equal(position, 2);
  assert.equal(cf.exhausted, false);
  position = cf.drain(position, 10, out);
  assert.deepEqual(out.map((r) => r.offset), [0, 1, 2, 3]);
  assert.equal(position, 4);
});

test('a partial trailing batch is ignored', () => {
  const whole = batchAt(0, ['a']);
  const partial = batchAt(1, ['b', 'c']).subarray(0, 30);
  const cf = new CompletedFetch('t', 0, 0, Buffer.concat([whole, partial]));
  const out: ConsumedRecordWithTopic[] = [];
  assert.equal(cf.drain(0, 10, out), 1);
  assert.deepEqual(out.map((r) => r.value?.toString()), ['a']);
  assert.equal(cf.exhausted, true);
});

test('control batches are skipped but move the position past them', () => {
  const cf = new CompletedFetch('t', 0, 0, Buffer.concat([batchAt(0, ['a']), controlBatchAt(1), batchAt(2, ['c'])]));
  const out: ConsumedRecordWithTopic[] = [];
  assert.equal(cf.drain(0, 10, out), 3);
  assert.deepEqual(out.map((r) => r.offset), [0, 2]);
});

test('a batch the log cleaner rebuilt with a delete horizon reads the same timestamps', () => {
  const original = encodeRecordBatch(
    [{ key: 'a', value: 'x', timestamp: 5_000 }, { key: 'b', value: null, timestamp: 4_000 }, { key: 'c', value: 'z', timestamp: 6_000 }],
    { baseOffset: 20 },
  );
  const { header, records } = decodeRecordBatch(original);
  const cleaned = rebuildRecordBatch(header, records.slice(1), 0, 1_700_000_000_000);
  assert.ok(batchHasDeleteHorizon(decodeRecordBatch(cleaned).header.attributes));
  const out: ConsumedRecordWithTopic[] = [];
  assert.equal(new CompletedFetch('t', 0, 0, cleaned).drain(20, 10, out), 23);
  assert.deepEqual(out.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestamp]), [
    [21, 'b', null, 4_000],
    [22, 'c', 'z', 6_000],
  ]);
});

test('takeRemaining hands out the batches not handed out yet as one slice, the partly drained one whole', () => {
  const first = batchAt(10, ['a', 'b', 'c']);
  const data = Buffer.concat([first, batchAt(13, ['d', 'e']), controlBatchAt(15)]);
  const whole = new CompletedFetch('t', 0, 0, data);
  const all = whole.takeRemaining()!;
  assert.equal(all.records.length, data.length);
  assert.equal(all.nextOffset, 16);
  assert.equal(whole.exhausted, true);
  assert.equal(whole.takeRemaining(), undefined);

  const partly = new CompletedFetch('t', 0, 0, data);
  const out: ConsumedRecordWithTopic[] = [];
  partly.drain(10, 1, out);
  const rest = partly.takeRemaining()!;
  assert.equal(rest.records.length, data.length, 'the batch of which only "a" was handed out comes again whole');
  const drainedFirst = new CompletedFetch('t', 0, 0, data);
  drainedFirst.drain(10, 3, []);
  drainedFirst.drain(13, 0, []);
  const after = drainedFirst.takeRemaining()!;
  assert.equal(after.records.length, data.length - first.length);
  assert.equal(after.nextOffset, 16);
});
