import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { TimestampType } from '../../../client/records/batch-header.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../../client/records/record-batch.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP_QUERY } from '../../../broker/log/log.js';
import { batch, onCleanup, openLog, segmentFiles, tempDir } from './helpers.js';

function offsetsOf(buf: Buffer): number[] {
  return decodeRecordBatches(buf).flatMap((b) => b.records.map((r) => r.offset));
}

function batchBases(buf: Buffer): number[] {
  return decodeRecordBatches(buf).map((b) => b.header.baseOffset);
}

test('append assigns consecutive offsets and read returns the records', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  const a = log.appendAsLeader(batch(3), 5);
  const b = log.appendAsLeader(batch(2, { prefix: 'w' }), 5);
  assert.deepEqual([a.firstOffset, a.lastOffset, a.recordCount, a.duplicate], [0, 2, 3, false]);
  assert.deepEqual([b.firstOffset, b.lastOffset], [3, 4]);
  assert.equal(a.logAppendTimeMs, -1);
  assert.equal(log.logEndOffset, 5);
  assert.equal(log.highWatermark, 5);
  const read = log.read(0, 1 << 20, { minOneBatch: true });
  assert.equal(read.firstOffset, 0);
  const batches = decodeRecordBatches(read.records);
  assert.deepEqual(batches.map((x) => x.header.partitionLeaderEpoch), [5, 5]);
  assert.deepEqual(batches.flatMap((x) => x.records.map((r) => `${r.offset}:${r.value?.toString()}`)),
    ['0:v-0', '1:v-1', '2:v-2', '3:w-0', '4:w-1']);
  assert.equal(log.latestEpoch(), 5);
  // A read from the middle of a batch returns that whole batch.
  assert.deepEqual(batchBases(log.read(4, 1 << 20, { minOneBatch: true }).records), [3]);
  // At the log end: nothing, but no error.
  assert.equal(log.read(5, 1 << 20, { minOneBatch: true }).records.length, 0);
  assert.throws(() => log.read(6, 100, { minOneBatch: true }), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.throws(() => log.read(-1, 100, { minOneBatch: true }), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('several batches in one append are written together', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  const r = log.appendAsLeader(Buffer.concat([batch(2), batch(3), batch(1)]), 0);
  assert.deepEqual([r.firstOffset, r.lastOffset, r.recordCount], [0, 5, 6]);
  assert.deepEqual(batchBases(log.read(0, 1 << 20, { minOneBatch: true }).records), [0, 2, 5]);
});

test('read honours maxBytes, maxOffset and minOneBatch with whole batches only', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const b = batch(2, { valueSize: 100 });
    sizes.push(b.length);
    log.appendAsLeader(b, 0);
  }
  const one = sizes[0]!;
  // Room for two and a half batches: two come back.
  assert.deepEqual(batchBases(log.read(0, Math.floor(one * 2.5), { minOneBatch: false }).records), [0, 2]);
  // Less than one batch: nothing without minOneBatch, exactly the first with it.
  assert.equal(log.read(0, one - 1, { minOneBatch: false }).records.length, 0);
  const first = log.read(0, 10, { minOneBatch: true });
  assert.equal(first.records.length, one);
  assert.deepEqual(batchBases(first.records), [0]);
  // maxOffset is exclusive, by batch: the batch starting at 4 is not returned below 4 or 5.
  assert.deepEqual(batchBases(log.read(0, 1 << 20, { minOneBatch: true, maxOffset: 4 }).records), [0, 2]);
  assert.deepEqual(batchBases(log.read(0, 1 << 20, { minOneBatch: true, maxOffset: 5 }).records), [0, 2, 4]);
  const none = log.read(4, 1 << 20, { minOneBatch: true, maxOffset: 4 });
  assert.deepEqual([none.records.length, none.firstOffset], [0, 4]);
  // locate stops at the batch holding maxOffset: the bytes past it (a high watermark's unreplicated
  // tail) are not even read.
  assert.equal(log.locate(0, 1 << 20, { minOneBatch: true, maxOffset: 4 }).length, one * 2);
  assert.equal(log.locate(0, 1 << 20, { minOneBatch: true, maxOffset: 5 }).length, one * 3, 'the batch holding 4 is whole');
  assert.equal(log.locate(2, one, { minOneBatch: true, maxOffset: 9 }).length, one, 'maxBytes still bounds it');
  assert.equal(log.locate(0, 1 << 20, { minOneBatch: true }).length, one * 5);
});

test('segments roll on segment.bytes and reads cross into the next segment', (t) => {
  const dir = tempDir(t);
  const one = batch(1, { valueSize: 200 }).length;
  const log = openLog(dir, { config: { segmentBytes: one * 3 } });
  onCleanup(t, () => log.close());
  for (let i = 0; i < 10; i++) log.appendAsLeader(batch(1, { valueSize: 200 }), 0);
  assert.deepEqual(log.segmentList.map((s) => s.baseOffset), [0, 3, 6, 9]);
  assert.deepEqual(segmentFiles(dir), ['00000000000000000000.log', '00000000000000000003.log', '00000000000000000006.log', '00000000000000000009.log']);
  // A read returns batches of one segment; the next read continues in the next.
  assert.deepEqual(batchBases(log.read(1, 1 << 20, { minOneBatch: true }).records), [1, 2]);
  assert.deepEqual(batchBases(log.read(3, 1 << 20, { minOneBatch: true }).records), [3, 4, 5]);
});

test('segments roll on segment.ms measured from the first batch timestamp', (t) => {
  let now = 1_000_000;
  const log = openLog(tempDir(t), { config: { segmentMs: 1000 }, now: () => now });
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(1, { timestamp: 1_000_000 }), 0);
  log.appendAsLeader(batch(1, { timestamp: 1_000_999 }), 0);
  assert.equal(log.numberOfSegments, 1);
  log.appendAsLeader(batch(1, { timestamp: 1_001_000 }), 0);
  assert.deepEqual(log.segmentList.map((s) => s.baseOffset), [0, 2]);
  // LogAppendTime: the broker's clock is the timestamp.
  const lat = openLog(tempDir(t), { config: { segmentMs: 1000, messageTimestampType: 'LogAppendTime' }, now: () => now });
  onCleanup(t, () => lat.close());
  const r = lat.appendAsLeader(batch(1, { timestamp: 5 }), 0);
  assert.equal(r.logAppendTimeMs, now);
  now += 999;
  lat.appendAsLeader(batch(1, { timestamp: 5 }), 0);
  assert.equal(lat.numberOfSegments, 1);
  now += 1;
  lat.appendAsLeader(batch(1, { timestamp: 5 }), 0);
  assert.equal(lat.numberOfSegments, 2);
  const [stamped] = decodeRecordBatches(lat.read(0, 1 << 20, { minOneBatch: true }).records);
  assert.equal(stamped!.header.maxTimestamp, 1_000_000);
  assert.equal(stamped!.records[0]!.timestampType, TimestampType.LogAppendTime);
  assert.equal(stamped!.records[0]!.timestamp, 1_000_000);
});

test('a full offset index rolls the segment', (t) => {
  const log = openLog(tempDir(t), { config: { segmentIndexBytes: 16, indexIntervalBytes: 0 } });
  onCleanup(t, () => log.close());
  for (let i = 0; i < 8; i++) log.appendAsLeader(batch(1), 0);
  assert.ok(log.numberOfSegments > 1);
  for (let i = 0; i < 8; i++) assert.deepEqual(batchBases(log.read(i, 1 << 20, { minOneBatch: true }).records).slice(0, 1), [i]);
});

test('property: every offset reads back the batch containing it, across many segments', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ count: fc.integer({ min: 1, max: 20 }), valueSize: fc.integer({ min: 0, max: 600 }) }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 300, max: 5000 }),
    fc.integer({ min: 0, max: 2000 }),
    (specs, segmentBytes, indexIntervalBytes) => {
      const cleanups: Array<() => void> = [];
      const dir = tempDir({ after: (fn) => cleanups.push(fn) });
      const log = openLog(dir, { config: { segmentBytes, indexIntervalBytes } });
      try {
        const ranges: Array<[number, number]> = [];
        for (const s of specs) {
          const r = log.appendAsLeader(batch(s.count, { valueSize: s.valueSize }), 1);
          ranges.push([r.firstOffset, r.lastOffset]);
        }
        // Reopen once so the indexes read from disk get exercised as well.
        log.close();
        const reopened = openLog(dir, { config: { segmentBytes, indexIntervalBytes } });
        try {
          for (const [first, last] of ranges) {
            for (let o = first; o <= last; o++) {
              const read = reopened.read(o, 1, { minOneBatch: true });
              const [b] = decodeRecordBatches(read.records);
              assert.equal(b!.header.baseOffset, first);
              assert.equal(b!.header.lastOffsetDelta, last - first);
            }
          }
        } finally {
          reopened.close();
        }
      } finally {
        for (const fn of cleanups) fn();
      }
    },
  ), { numRuns: 25 });
});

test('offsetForTimestamp finds the first record at or after a timestamp', (t) => {
  const log = openLog(tempDir(t), { config: { indexIntervalBytes: 0, segmentBytes: 250 } });
  onCleanup(t, () => log.close());
  const stamps = [1000, 2000, 2000, 3000, 2500, 4000, 5000];
  for (const ts of stamps) log.appendAsLeader(batch(2, { timestamp: ts }), 3);
  assert.ok(log.numberOfSegments > 1);
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 1000, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(1000), { offset: 0, timestamp: 1000, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(1500), { offset: 2, timestamp: 2000, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(2001), { offset: 6, timestamp: 3000, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(3500), { offset: 10, timestamp: 4000, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(5000), { offset: 12, timestamp: 5000, leaderEpoch: 3 });
  assert.equal(log.offsetForTimestamp(5001), undefined);
  assert.deepEqual(log.offsetForTimestamp(EARLIEST_TIMESTAMP), { offset: 0, timestamp: -1, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(LATEST_TIMESTAMP), { offset: 14, timestamp: -1, leaderEpoch: 3 });
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 12, timestamp: 5000, leaderEpoch: 3 });
});

test('reopening after a clean close resumes exactly', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 } });
  for (let i = 0; i < 20; i++) log.appendAsLeader(batch(3, { timestamp: 1000 + i }), i < 10 ? 1 : 2);
  const before = log.read(0, 1 << 20, { minOneBatch: true }).records;
  const segments = log.numberOfSegments;
  const size = log.sizeInBytes;
  log.close();
  const again = openLog(dir, { config: { segmentBytes: 500, indexIntervalBytes: 100 } });
  onCleanup(t, () => again.close());
  assert.equal(again.logEndOffset, 60);
  assert.equal(again.numberOfSegments, segments);
  assert.equal(again.sizeInBytes, size);
  assert.deepEqual(again.read(0, 1 << 20, { minOneBatch: true }).records, before);
  assert.deepEqual(again.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 30 }]);
  assert.deepEqual(again.offsetForTimestamp(1015), { offset: 45, timestamp: 1015, leaderEpoch: 2 });
  const next = again.appendAsLeader(batch(1), 2);
  assert.equal(next.firstOffset, 60);
});

function expectRejected(log: ReturnType<typeof openLog>, bytes: Buffer, code: number, dir: string): void {
  const leo = log.logEndOffset;
  const files = segmentFiles(dir).map((f) => fs.statSync(path.join(dir, 'topic-0', f)).size);
  assert.throws(() => log.appendAsLeader(bytes, 0), (e: unknown) => e instanceof StraitError && e.code === code,
    `expected ${code}`);
  assert.equal(log.logEndOffset, leo);
  assert.deepEqual(segmentFiles(dir).map((f) => fs.statSync(path.join(dir, 'topic-0', f)).size), files);
}

test('bad input is refused with a named error and changes nothing', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { maxMessageBytes: 2000 } });
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(2), 0);
  const good = batch(3);
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 1]! ^= 0xff;
  expectRejected(log, badCrc, ErrorCode.CORRUPT_MESSAGE, dir);
  expectRejected(log, batch(5, { valueSize: 500 }), ErrorCode.MESSAGE_TOO_LARGE, dir);
  expectRejected(log, good.subarray(0, good.length - 3), ErrorCode.CORRUPT_MESSAGE, dir);
  expectRejected(log, Buffer.from('this is not a record batch at all, just some text'), ErrorCode.CORRUPT_MESSAGE, dir);
  expectRejected(log, Buffer.alloc(0), ErrorCode.CORRUPT_MESSAGE, dir);
  expectRejected(log, Buffer.concat([good, Buffer.from([1, 2, 3])]), ErrorCode.CORRUPT_MESSAGE, dir);
  // A good batch followed by a corrupt one: the good one is not written either.
  expectRejected(log, Buffer.concat([batch(1), badCrc]), ErrorCode.CORRUPT_MESSAGE, dir);
  const magic1 = Buffer.from(good);
  magic1[16] = 1;
  expectRejected(log, magic1, ErrorCode.CORRUPT_MESSAGE, dir);
  assert.equal(log.appendAsLeader(good, 0).firstOffset, 2);
});

test('a compacted topic refuses records without a key', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { cleanupPolicy: 'compact' } });
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(2), 0);
  expectRejected(log, encodeRecordBatch([{ key: 'a', value: '1' }, { key: null, value: '2' }]), ErrorCode.INVALID_RECORD, dir);
});

test('truncateTo removes whole batches from the end; truncateFullyAndStartAt empties the log', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { segmentBytes: 300 } });
  onCleanup(t, () => log.close());
  for (let i = 0; i < 10; i++) log.appendAsLeader(batch(2), i < 5 ? 1 : 2);
  const segmentsBefore = log.numberOfSegments;
  assert.ok(segmentsBefore > 2);
  log.truncateTo(12);
  assert.equal(log.logEndOffset, 12);
  assert.equal(log.highWatermark, 12);
  assert.deepEqual(offsetsOf(log.read(10, 1 << 20, { minOneBatch: true }).records), [10, 11]);
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 10 }]);
  log.truncateTo(9); // mid-batch: the batch 8..9 goes
  assert.equal(log.logEndOffset, 8);
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }]);
  assert.equal(log.appendAsLeader(batch(1), 3).firstOffset, 8);
  log.truncateFullyAndStartAt(100);
  assert.deepEqual([log.logStartOffset, log.logEndOffset, log.numberOfSegments], [100, 100, 1]);
  assert.deepEqual(segmentFiles(dir), ['00000000000000000100.log']);
  assert.equal(log.appendAsLeader(batch(1), 4).firstOffset, 100);
});

test('follower appends keep the leader offsets and epochs', (t) => {
  const leader = openLog(tempDir(t));
  const follower = openLog(tempDir(t));
  onCleanup(t, () => {
    leader.close();
    follower.close();
  });
  leader.appendAsLeader(batch(3), 1);
  leader.appendAsLeader(batch(2), 4);
  const bytes = leader.read(0, 1 << 20, { minOneBatch: true }).records;
  const r = follower.appendAsFollower(Buffer.from(bytes));
  assert.deepEqual([r.firstOffset, r.lastOffset, r.recordCount], [0, 4, 5]);
  assert.deepEqual(follower.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 3 }]);
  assert.deepEqual(follower.endOffsetForEpoch(1), { epoch: 1, endOffset: 3 });
  assert.deepEqual(follower.endOffsetForEpoch(4), { epoch: 4, endOffset: 5 });
  assert.throws(() => follower.appendAsFollower(Buffer.from(bytes)), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal(follower.logEndOffset, 5);
});

test('a follower that becomes leader answers a retried idempotent batch with its original offsets (producer state from replicated batches)', (t) => {
  const leader = openLog(tempDir(t));
  const follower = openLog(tempDir(t));
  onCleanup(t, () => {
    leader.close();
    follower.close();
  });
  const idempotent = (seq: number) => batch(3, { producerId: 7, producerEpoch: 0, baseSequence: seq });
  leader.appendAsLeader(batch(2), 1);
  leader.appendAsLeader(idempotent(0), 1);
  leader.appendAsLeader(idempotent(3), 1);
  follower.appendAsFollower(Buffer.from(leader.read(0, 1 << 20, { minOneBatch: true }).records));
  // The producer did not hear back about its second batch and sends it again, to the new leader.
  const retried = follower.appendAsLeader(idempotent(3), 2);
  assert.deepEqual([retried.duplicate, retried.firstOffset, retried.lastOffset], [true, 5, 7]);
  assert.equal(follower.logEndOffset, 8, 'nothing written twice');
  assert.equal(follower.appendAsLeader(idempotent(6), 2).firstOffset, 8, 'the next sequence goes on');
});

test('locate leaves the read to the caller: the same whole batches as read, into a buffer of its own, at any position', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  for (let i = 0; i < 4; i++) log.appendAsLeader(batch(2, { valueSize: 50 }), 0);
  const one = log.read(0, 10, { minOneBatch: true }).records.length;
  for (const [offset, maxBytes, minOneBatch] of [[0, 1 << 20, true], [2, Math.floor(one * 1.5), false], [4, 10, true], [4, 10, false], [8, 100, true]] as const) {
    const expected = log.read(offset, maxBytes, { minOneBatch }).records;
    const located = log.locate(offset, maxBytes, { minOneBatch });
    const target = Buffer.alloc(7 + located.length, 0xee);
    const whole = located.readInto(target, 7);
    assert.ok(located.length >= whole, 'length bounds what is read');
    assert.deepEqual(target.subarray(7, 7 + whole), expected, `offset ${offset} maxBytes ${maxBytes}`);
    assert.deepEqual(target.subarray(0, 7), Buffer.alloc(7, 0xee), 'nothing written before `at`');
  }
  assert.throws(() => log.locate(9, 100, { minOneBatch: true }), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('a new leader\'s epoch starts at its log end; a follower truncating at its end forgets such an epoch', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(3), 1);
  log.assignEpochStartOffset(4, log.logEndOffset);
  log.assignEpochStartOffset(2, log.logEndOffset); // older: no change
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 3 }]);
  assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, endOffset: 3 });
  // It led epoch 4 without writing in it, then followed another leader: truncating to (or past) its
  // end cuts no record but drops epoch 4, whose start the new leader's history contradicts.
  log.truncateTo(3);
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }]);
  assert.equal(log.logEndOffset, 3);
});

test('property: random bytes never get in, and never change the log', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(2), 0);
  const good = batch(3);
  fc.assert(fc.property(
    fc.oneof(
      fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
      // A real batch with a few bytes overwritten (baseOffset and leader epoch are the broker's to
      // set, so those are left alone), cut or extended.
      fc.tuple(fc.array(fc.tuple(fc.integer({ min: 8, max: good.length - 1 }).filter((i) => i < 12 || i > 15), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }))
        .map(([edits]) => {
          const b = Buffer.from(good);
          for (const [at, x] of edits) b[at] = b[at]! ^ x;
          return b;
        }),
      fc.nat(good.length - 1).map((n) => Buffer.from(good.subarray(0, n))),
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.concat([good, Buffer.from(a)])),
    ),
    (bytes) => {
      const leo = log.logEndOffset;
      const size = log.sizeInBytes;
      assert.throws(() => log.appendAsLeader(bytes, 0), (e: unknown) => e instanceof StraitError);
      assert.equal(log.logEndOffset, leo);
      assert.equal(log.sizeInBytes, size);
    },
  ), { numRuns: 300 });
});

test('flush.messages and flush.ms force an fsync and move the recovery point', (t) => {
  let now = 0;
  const byCount = openLog(tempDir(t), { config: { flushMessages: 5 } });
  onCleanup(t, () => byCount.close());
  byCount.appendAsLeader(batch(3), 0);
  assert.equal(byCount.recoveryPoint, 0);
  byCount.appendAsLeader(batch(2), 0);
  assert.equal(byCount.recoveryPoint, 5);
  const byTime = openLog(tempDir(t), { config: { flushMs: 100 }, now: () => now });
  onCleanup(t, () => byTime.close());
  byTime.appendAsLeader(batch(1), 0);
  now = 99;
  assert.equal(byTime.flushIfDue(), false);
  now = 100;
  assert.equal(byTime.flushIfDue(), true);
  assert.equal(byTime.recoveryPoint, 1);
  now = 1000;
  assert.equal(byTime.flushIfDue(), false, 'nothing new to flush');
});
