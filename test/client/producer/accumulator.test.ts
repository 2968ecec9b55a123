import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordAccumulator, NEEDS_NEW_BATCH, realTimers, type Timers } from '../../../client/producer/accumulator.js';
import type { ProducerBatch } from '../../../client/producer/producer-batch.js';
import { CompressionType } from '../../../client/records/batch-header.js';
import { decodeRecordBatches } from '../../../client/records/index.js';
import { StraitError, ErrorCode } from '../../../client/errors.js';

/** Timers driven by the test: advance(ms) fires what is due. */
function fakeTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    set(fn, ms) {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clear(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          due.delete(id);
          t.fn();
        }
      }
    },
    pending: () => due.size,
  };
}

const value = Buffer.alloc(100, 1);
const config = { batchSize: 1000, lingerMs: 5, maxRequestSize: 10_000, compression: CompressionType.None };

test('a batch is sealed when the next record would pass batch.size', () => {
  const timers = fakeTimers();
  const sealed: ProducerBatch[] = [];
  const acc = new RecordAccumulator(config, (b) => sealed.push(b), timers);
  let n = 0;
  while (sealed.length === 0) {
    acc.append('t', 0, { value, timestamp: 1 });
    n++;
  }
  assert.ok(n > 2 && n < 12, `${n} records of 100 B filled a 1000 B batch`);
  assert.equal(sealed[0]!.recordCount, n - 1);
  assert.ok(sealed[0]!.sizeInBytes <= 1000);
  assert.equal(acc.openBatchCount, 1, 'the record that did not fit opened the next batch');
  assert.equal(timers.pending(), 1, 'the sealed batch cancelled its linger timer');
});

test('a batch is sealed when linger.ms passes, one timer per partition', () => {
  const timers = fakeTimers();
  const sealed: ProducerBatch[] = [];
  const acc = new RecordAccumulator(config, (b) => sealed.push(b), timers);
  acc.append('t', 0, { value, timestamp: 1 });
  acc.append('t', 0, { value, timestamp: 1 });
  acc.append('t', 1, { value, timestamp: 1 });
  assert.equal(timers.pending(), 2);
  timers.advance(4);
  assert.equal(sealed.length, 0);
  timers.advance(1);
  assert.deepEqual(sealed.map((b) => [b.partition, b.recordCount]), [[0, 2], [1, 1]]);
  assert.equal(acc.openBatchCount, 0);
});

test('sealAll seals every open batch and the bytes decode to the records', () => {
  const sealed: ProducerBatch[] = [];
  const acc = new RecordAccumulator(config, (b) => sealed.push(b), fakeTimers());
  acc.append('t', 0, { key: 'k', value: 'v1', timestamp: 10, headers: [{ key: 'h', value: Buffer.from('x') }] });
  acc.append('t', 0, { key: null, value: 'v2', timestamp: 11 });
  acc.sealAll();
  assert.equal(sealed.length, 1);
  const [batch] = decodeRecordBatches(sealed[0]!.bytes());
  assert.deepEqual(batch!.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString(), r.timestamp]), [[0, 'k', 'v1', 10], [1, null, 'v2', 11]]);
  assert.equal(batch!.records[0]!.headers[0]!.key, 'h');
});

test('abortOnNewBatch reports that a record would start a batch instead of starting it', () => {
  const sealed: ProducerBatch[] = [];
  const acc = new RecordAccumulator(config, (b) => sealed.push(b), fakeTimers());
  assert.equal(acc.append('t', 0, { value }, true), NEEDS_NEW_BATCH);
  assert.equal(acc.openBatchCount, 0);
  assert.notEqual(acc.append('t', 0, { value }), NEEDS_NEW_BATCH);
  assert.notEqual(acc.append('t', 0, { value }, true), NEEDS_NEW_BATCH, 'fits in the open batch');
});

test('a record bigger than batch.size gets its own batch; bigger than max.request.size is MESSAGE_TOO_LARGE', () => {
  const sealed: ProducerBatch[] = [];
  const acc = new RecordAccumulator(config, (b) => sealed.push(b), fakeTimers());
  acc.append('t', 0, { value: Buffer.alloc(5000) });
  assert.equal(sealed.length, 1);
  assert.equal(sealed[0]!.recordCount, 1);
  assert.throws(() => acc.append('t', 0, { value: Buffer.alloc(20_000) }), (e: StraitError) => e.code === ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal(acc.openBatchCount, 0, 'nothing changed');
});

test('real timers: a 0 ms linger fires on the next setImmediate (not after a 1 ms timeout), and clears', async () => {
  let fired = 0;
  realTimers.set(() => fired++, 0);
  const cleared = realTimers.set(() => fired++, 0);
  realTimers.clear(cleared);
  const later = realTimers.set(() => fired++, 50);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fired, 1, 'the 0 ms timer ran in the same check phase; the cleared one did not');
  realTimers.clear(later);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(fired, 1, 'a cleared timeout never fires');
});
