import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { incrementSequence, ProducerStateManager } from '../../../broker/log/producer-state.js';
import { batch, onCleanup, openLog, segmentFiles, tempDir } from './helpers.js';

const PID = 4242;

function produce(count: number, producerEpoch: number, baseSequence: number, producerId = PID): Buffer {
  return batch(count, { producerId, producerEpoch, baseSequence });
}

function isCode(code: number) {
  return (e: unknown) => e instanceof StraitError && e.code === code;
}

function logBytes(dir: string): number {
  return segmentFiles(dir).reduce((n, f) => n + fs.statSync(path.join(dir, 'topic-0', f)).size, 0);
}

test('sequence wraps from INT32_MAX to 0', () => {
  assert.equal(incrementSequence(5, 1), 6);
  assert.equal(incrementSequence(2147483647, 1), 0);
  assert.equal(incrementSequence(2147483646, 3), 1);
});

test('a re-sent batch is a duplicate: original offsets, nothing written', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  onCleanup(t, () => log.close());
  const first = log.appendAsLeader(produce(3, 0, 0), 0);
  log.appendAsLeader(produce(2, 0, 3), 0);
  log.appendAsLeader(produce(1, 0, 0, 77), 0); // another producer in between
  const size = logBytes(dir);
  const again = log.appendAsLeader(produce(3, 0, 0), 0);
  assert.deepEqual(again, { firstOffset: first.firstOffset, lastOffset: first.lastOffset, logAppendTimeMs: -1, logStartOffset: 0, recordCount: 3, duplicate: true });
  const second = log.appendAsLeader(produce(2, 0, 3), 0);
  assert.deepEqual([second.firstOffset, second.lastOffset, second.duplicate], [3, 4, true]);
  assert.equal(log.logEndOffset, 6);
  assert.equal(logBytes(dir), size);
  assert.equal(log.appendAsLeader(produce(1, 0, 5), 0).firstOffset, 6);
});

test('only the last five batches are remembered as duplicates', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  for (let i = 0; i < 6; i++) log.appendAsLeader(produce(1, 0, i), 0);
  // Sequence 0 has fallen out of the window: it is now simply out of order.
  assert.throws(() => log.appendAsLeader(produce(1, 0, 0), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.equal(log.appendAsLeader(produce(1, 0, 1), 0).duplicate, true);
});

test('gaps and repeats that are not exact duplicates are out of order', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  onCleanup(t, () => log.close());
  log.appendAsLeader(produce(3, 0, 0), 0);
  const size = logBytes(dir);
  assert.throws(() => log.appendAsLeader(produce(1, 0, 5), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.throws(() => log.appendAsLeader(produce(2, 0, 1), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  // Two batches in one append: the second must follow the first.
  assert.throws(() => log.appendAsLeader(Buffer.concat([produce(1, 0, 3), produce(1, 0, 5)]), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.equal(log.logEndOffset, 3);
  assert.equal(logBytes(dir), size);
  const both = log.appendAsLeader(Buffer.concat([produce(1, 0, 3), produce(2, 0, 4)]), 0);
  assert.deepEqual([both.firstOffset, both.lastOffset], [3, 5]);
});

test('epochs: an older epoch is fenced, a newer one must start at sequence 0', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  log.appendAsLeader(produce(2, 3, 0), 0);
  assert.throws(() => log.appendAsLeader(produce(1, 2, 2), 0), isCode(ErrorCode.INVALID_PRODUCER_EPOCH));
  assert.throws(() => log.appendAsLeader(produce(1, 4, 7), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.equal(log.appendAsLeader(produce(1, 4, 0), 0).firstOffset, 2);
  assert.throws(() => log.appendAsLeader(produce(1, 3, 2), 0), isCode(ErrorCode.INVALID_PRODUCER_EPOCH));
  assert.deepEqual(log.producerEntry(PID), { epoch: 4, lastSequence: 0 });
});

test('an unknown producer is accepted at any sequence; producer id -1 is never checked', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  assert.equal(log.appendAsLeader(produce(1, 0, 42), 0).duplicate, false);
  assert.deepEqual(log.producerEntry(PID), { epoch: 0, lastSequence: 42 });
  log.appendAsLeader(batch(1), 0);
  assert.equal(log.appendAsLeader(batch(1), 0).duplicate, false);
  assert.equal(log.logEndOffset, 3);
});

test('sequence wraparound is in order', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  log.appendAsLeader(produce(3, 0, 2147483646), 0);
  // 2147483646, 2147483647, 0
  assert.deepEqual(log.producerEntry(PID), { epoch: 0, lastSequence: 0 });
  assert.throws(() => log.appendAsLeader(produce(1, 0, 2), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.equal(log.appendAsLeader(produce(1, 0, 1), 0).firstOffset, 3);
});

test('producer state survives a clean close and reopen', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { segmentBytes: 300 } });
  for (let i = 0; i < 10; i++) log.appendAsLeader(produce(2, 1, i * 2), 0);
  assert.ok(log.numberOfSegments > 1);
  log.close();
  assert.ok(fs.readdirSync(path.join(dir, 'topic-0')).some((f) => f === '00000000000000000020.snapshot'));
  const again = openLog(dir, { config: { segmentBytes: 300 } });
  onCleanup(t, () => again.close());
  const dup = again.appendAsLeader(produce(2, 1, 18), 0);
  assert.deepEqual([dup.duplicate, dup.firstOffset], [true, 18]);
  assert.throws(() => again.appendAsLeader(produce(1, 1, 25), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  assert.throws(() => again.appendAsLeader(produce(1, 0, 20), 0), isCode(ErrorCode.INVALID_PRODUCER_EPOCH));
  assert.equal(again.appendAsLeader(produce(1, 1, 20), 0).firstOffset, 20);
});

test('producer state survives a crash: rebuilt from the last snapshot plus the batches after it', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir, { config: { segmentBytes: 300 } });
  onCleanup(t, () => log.close());
  for (let i = 0; i < 10; i++) log.appendAsLeader(produce(2, 1, i * 2), 0);
  // The crash copy has the snapshots taken at rolls, but not the one close() would write.
  const copy = tempDir(t);
  fs.cpSync(log.dir, path.join(copy, 'topic-0'), { recursive: true });
  const snapshots = fs.readdirSync(path.join(copy, 'topic-0')).filter((f) => f.endsWith('.snapshot'));
  assert.ok(snapshots.length > 0 && !snapshots.includes('00000000000000000020.snapshot'));
  const crashed = openLog(copy, { config: { segmentBytes: 300 }, cleanShutdown: false });
  onCleanup(t, () => crashed.close());
  assert.equal(crashed.appendAsLeader(produce(2, 1, 18), 0).duplicate, true);
  assert.throws(() => crashed.appendAsLeader(produce(1, 1, 0), 0), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
  // Without any snapshot the whole log is replayed.
  const bare = tempDir(t);
  fs.cpSync(log.dir, path.join(bare, 'topic-0'), { recursive: true });
  for (const s of snapshots) fs.rmSync(path.join(bare, 'topic-0', s));
  const replayed = openLog(bare, { config: { segmentBytes: 300 }, cleanShutdown: false });
  onCleanup(t, () => replayed.close());
  assert.equal(replayed.appendAsLeader(produce(2, 1, 16), 0).duplicate, true);
  assert.equal(replayed.appendAsLeader(produce(1, 1, 20), 0).firstOffset, 20);
});

test('truncation rewinds producer state to the truncation point', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  for (let i = 0; i < 4; i++) log.appendAsLeader(produce(1, 0, i), 0);
  log.truncateTo(2);
  assert.deepEqual(log.producerEntry(PID), { epoch: 0, lastSequence: 1 });
  assert.equal(log.appendAsLeader(produce(1, 0, 2), 0).firstOffset, 2);
});

test('a corrupt snapshot is deleted and the state replayed from the log', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  for (let i = 0; i < 3; i++) log.appendAsLeader(produce(1, 0, i), 0);
  log.close();
  fs.writeFileSync(path.join(dir, 'topic-0', '00000000000000000003.snapshot'), '{"version":1,"offset":3,"producers":[{"producerId":"x"}]}');
  const again = openLog(dir);
  onCleanup(t, () => again.close());
  assert.equal(again.appendAsLeader(produce(1, 0, 2), 0).duplicate, true);
});

test('validate changes nothing and judges each batch of one append on its own', (t) => {
  const psm = new ProducerStateManager(tempDir(t));
  const b = (producerEpoch: number, baseSequence: number, lastOffsetDelta = 0) => ({ producerId: 1, producerEpoch, baseSequence, lastOffsetDelta });
  assert.deepEqual(psm.validate([b(0, 0, 1), b(0, 2)]), [{ kind: 'new' }, { kind: 'new' }]);
  assert.equal(psm.entry(1), undefined);
  assert.throws(() => psm.validate([b(1, 0), b(0, 1)]), isCode(ErrorCode.INVALID_PRODUCER_EPOCH));
  psm.update(b(0, 0, 1), 10, 0);
  psm.update(b(0, 2, 0), 12, 0);
  assert.deepEqual(psm.validate([b(0, 0, 1)]), [{ kind: 'duplicate', firstOffset: 10, lastOffset: 11 }]);
  // Two re-sent batches are each recognised; a new one after them follows the newest retained.
  assert.deepEqual(psm.validate([b(0, 0, 1), b(0, 2), b(0, 3)]), [
    { kind: 'duplicate', firstOffset: 10, lastOffset: 11 }, { kind: 'duplicate', firstOffset: 12, lastOffset: 12 }, { kind: 'new' },
  ]);
  // A re-send after a new batch of the same append is out of order, as in Kafka.
  assert.throws(() => psm.validate([b(0, 3), b(0, 2)]), isCode(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER));
});

test('an append that starts with a duplicate and goes on with new batches is refused whole, nothing written', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  onCleanup(t, () => log.close());
  log.appendAsLeader(produce(2, 0, 0), 0);
  const size = logBytes(dir);
  assert.throws(() => log.appendAsLeader(Buffer.concat([produce(2, 0, 0), produce(3, 0, 2)]), 0), isCode(ErrorCode.DUPLICATE_SEQUENCE_NUMBER));
  assert.equal(log.logEndOffset, 2);
  assert.equal(logBytes(dir), size);
  // Sent on its own, the new batch goes in; the duplicate alone is answered with its original offsets.
  assert.equal(log.appendAsLeader(produce(3, 0, 2), 0).firstOffset, 2);
  const dup = log.appendAsLeader(produce(2, 0, 0), 0);
  assert.deepEqual([dup.duplicate, dup.firstOffset, dup.lastOffset], [true, 0, 1]);
});

test('producer ids idle for producer.id.expiration.ms are forgotten, and a forgotten producer starts anew', (t) => {
  let now = 1_000_000;
  const dir = tempDir(t);
  const log = openLog(dir, { now: () => now });
  onCleanup(t, () => log.close());
  log.appendAsLeader(produce(1, 0, 0), 0);
  log.appendAsLeader(produce(1, 0, 0, 77), 0);
  now += 5_000;
  log.appendAsLeader(produce(1, 0, 1, 77), 0);
  now += 5_000;
  assert.equal(log.removeExpiredProducers(10_000), 1, 'only the producer idle for 10 s');
  assert.equal(log.producerEntry(PID), undefined);
  assert.deepEqual(log.producerEntry(77), { epoch: 0, lastSequence: 1 });
  // Expired: a re-send is no longer recognised, and any sequence is taken as a new producer's.
  assert.equal(log.appendAsLeader(produce(1, 0, 9), 0).duplicate, false);
  // The snapshot keeps the timestamps: after a reopen producer 77 expires on the same schedule.
  log.close();
  const again = openLog(dir, { now: () => now });
  onCleanup(t, () => again.close());
  now += 5_000;
  assert.equal(again.removeExpiredProducers(10_000), 1);
  assert.equal(again.producerEntry(77), undefined);
  assert.deepEqual(again.producerEntry(PID), { epoch: 0, lastSequence: 9 });
});
