import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProducerBatch, type BulkWaiter, type RecordMetadata } from '../../../client/producer/producer-batch.js';
import { RecordBatchBuilder } from '../../../client/records/index.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

function batch(): ProducerBatch {
  return new ProducerBatch('t', 3, new RecordBatchBuilder({ maxBytes: 1 << 20 }), 0);
}

test('complete resolves each waiter with its offset and timestamp, bulk waiters once', () => {
  const b = batch();
  const got: RecordMetadata[] = [];
  let bulkDone = 0;
  const bulk: BulkWaiter = { remaining: 2, failed: false, resolve: () => bulkDone++, reject: () => assert.fail('no failure') };
  b.tryAppend({ value: 'a', timestamp: 5 });
  b.addWaiter(5, (m) => got.push(m), () => undefined);
  b.tryAppend({ value: 'b' });
  b.addBulk(bulk);
  b.tryAppend({ value: 'c' });
  b.addBulk(bulk);
  b.tryAppend({ value: 'd', timestamp: 8 });
  b.addWaiter(8, (m) => got.push(m), () => undefined);
  b.complete(100, -1);
  assert.deepEqual(got, [
    { topic: 't', partition: 3, offset: 100, timestamp: 5 },
    { topic: 't', partition: 3, offset: 103, timestamp: 8 },
  ]);
  assert.equal(bulkDone, 1);
  b.complete(200, -1);
  assert.equal(got.length, 2, 'completing twice does nothing');
});

test('log append time replaces timestamps; unknown offsets are -1', () => {
  const b = batch();
  let m: RecordMetadata | undefined;
  b.tryAppend({ value: 'a', timestamp: 5 });
  b.addWaiter(5, (x) => (m = x), () => undefined);
  b.complete(-1, 77);
  assert.deepEqual(m, { topic: 't', partition: 3, offset: -1, timestamp: 77 });
});

test('fail rejects every waiter and each bulk waiter once', () => {
  const b = batch();
  const errors: StraitError[] = [];
  let bulkRejects = 0;
  const bulk: BulkWaiter = { remaining: 3, failed: false, resolve: () => assert.fail('no success'), reject: () => bulkRejects++ };
  b.tryAppend({ value: 'a' });
  b.addWaiter(1, () => assert.fail('no success'), (e) => errors.push(e));
  b.tryAppend({ value: 'b' });
  b.addBulk(bulk);
  const err = new StraitError(ErrorCode.MESSAGE_TOO_LARGE);
  b.fail(err);
  assert.deepEqual(errors, [err]);
  assert.equal(bulkRejects, 1);
  assert.equal(bulk.failed, true);
});
