import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { batchDeleteHorizon, batchHasDeleteHorizon } from '../../../client/records/batch-header.js';
import { decodeRecordBatches } from '../../../client/records/record-batch.js';
import { cleanLog } from '../../../broker/log/log-cleaner.js';
import type { Log } from '../../../broker/log/log.js';
import { keyed, onCleanup, openLog, silentLogger, tempDir } from './helpers.js';

const NOW = 1_000_000_000;

function contents(log: Log): string[] {
  const out: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = log.read(offset, 1 << 20, { minOneBatch: true });
    const batches = decodeRecordBatches(read.records);
    if (batches.length === 0) break;
    for (const b of batches) for (const r of b.records) out.push(`${r.offset}:${r.key?.toString()}=${r.value === null ? 'null' : r.value.toString()}`);
    const last = batches.at(-1)!.header;
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
  return out;
}

function build(t: Parameters<typeof tempDir>[0], overrides: Record<string, unknown> = {}) {
  const dir = tempDir(t);
  const cfg = { cleanupPolicy: 'compact' as const, segmentBytes: 1, deleteRetentionMs: 1000, minCompactionLagMs: 0, ...overrides };
  const log = openLog(dir, { config: cfg, now: () => NOW });
  log.appendAsLeader(keyed([{ key: 'a', value: '1', timestamp: 10 }, { key: 'b', value: '1', timestamp: 10 }, { key: 'c', value: '1', timestamp: 10 }]), 0);
  log.appendAsLeader(keyed([{ key: 'a', value: '2', timestamp: 20 }, { key: 'd', value: null, timestamp: 20 }], { producerId: 9, producerEpoch: 2, baseSequence: 0 }), 0);
  log.appendAsLeader(keyed([{ key: 'b', value: '2', timestamp: NOW - 10 }, { key: 'e', value: null, timestamp: NOW - 10 }]), 0);
  log.appendAsLeader(keyed([{ key: 'c', value: '2', timestamp: 40 }]), 0);
  log.appendAsLeader(keyed([{ key: 'a', value: '3', timestamp: 50 }]), 0);
  assert.equal(log.numberOfSegments, 5);
  return { dir, log, cfg };
}

test('compaction keeps the latest value per key and the offsets; tombstones get a delete horizon', (t) => {
  const { dir, log, cfg } = build(t);
  onCleanup(t, () => log.close());
  const outcome = cleanLog(log, silentLogger);
  // Segment 0 loses every record; segments 1 and 2 are rewritten to carry their tombstones' horizon.
  assert.equal(outcome.segmentsCleaned, 3);
  assert.equal(outcome.recordsRemoved, 3);
  assert.equal(outcome.deleteHorizonsSet, 2);
  // The tombstone of d is stamped 20, long before NOW - delete.retention.ms: it stays all the same.
  const expected = ['3:a=2', '4:d=null', '5:b=2', '6:e=null', '7:c=2', '8:a=3'];
  assert.deepEqual(contents(log), expected);
  // The first segment is now empty; a read from offset 0 moves on to the next batch.
  assert.equal(log.read(0, 1 << 20, { minOneBatch: true }).firstOffset, 3);
  // The rewritten batch keeps its producer fields and offset range.
  const [rebuilt] = decodeRecordBatches(log.read(3, 1 << 20, { minOneBatch: true }).records);
  assert.deepEqual(
    [rebuilt!.header.baseOffset, rebuilt!.header.lastOffsetDelta, rebuilt!.header.producerId, rebuilt!.header.producerEpoch, rebuilt!.header.baseSequence],
    [3, 1, 9, 2, 0],
  );
  assert.equal(log.logEndOffset, 9);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => /\.(cleaned|swap)$/.test(f)), []);
  // Nothing new is dirty: a second pass does nothing.
  assert.equal(cleanLog(log, silentLogger).segmentsCleaned, 0);
  log.close();
  const reopened = openLog(dir, { config: cfg, now: () => NOW });
  onCleanup(t, () => reopened.close());
  assert.deepEqual(contents(reopened), expected);
  assert.equal(reopened.appendAsLeader(keyed([{ key: 'z', value: '1' }]), 0).firstOffset, 9);
});

test('min.compaction.lag.ms keeps young segments out of the cleaner', (t) => {
  const { log } = build(t, { minCompactionLagMs: NOW });
  onCleanup(t, () => log.close());
  assert.equal(cleanLog(log, silentLogger).segmentsCleaned, 0);
  assert.equal(contents(log).length, 9);
});

test('a delete-only topic is never compacted', (t) => {
  const { log } = build(t);
  onCleanup(t, () => log.close());
  log.updateConfig({ ...log.config, cleanupPolicy: 'delete' });
  assert.equal(cleanLog(log, silentLogger).segmentsCleaned, 0);
});

const DAY = 86_400_000;
const YEAR = 365 * DAY;
/** A wall clock of today's size, so that a year-old CreateTime is a valid timestamp. */
const T0 = 1_700_000_000_000;

/** Every record of the log with its timestamp, and the delete horizon of the batch that holds it. */
function records(log: Log): Array<{ offset: number; key: string; value: string | null; timestamp: number; horizon: number | undefined }> {
  const out: Array<{ offset: number; key: string; value: string | null; timestamp: number; horizon: number | undefined }> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const batches = decodeRecordBatches(log.read(offset, 1 << 20, { minOneBatch: true }).records);
    if (batches.length === 0) break;
    for (const b of batches) {
      for (const r of b.records) {
        out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null, timestamp: r.timestamp, horizon: batchDeleteHorizon(b.header) });
      }
    }
    const last = batches.at(-1)!.header;
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
  return out;
}

/** A compacted log on a clock the test moves: one segment per batch, the last one active. */
function tombstoneLog(t: Parameters<typeof tempDir>[0], overrides: Record<string, unknown> = {}) {
  const dir = tempDir(t);
  const clock = { now: T0 };
  const cfg = { cleanupPolicy: 'compact' as const, segmentBytes: 1, deleteRetentionMs: DAY, minCompactionLagMs: 0, ...overrides };
  const log = openLog(dir, { config: cfg, now: () => clock.now });
  log.appendAsLeader(keyed([{ key: 'k', value: 'v1', timestamp: T0 - YEAR - 10 }, { key: 'x', value: 'x1', timestamp: T0 - YEAR - 10 }]), 0);
  // A year-old CreateTime: the old cleaner dropped this tombstone at its first pass.
  log.appendAsLeader(keyed([{ key: 'k', value: null, timestamp: T0 - YEAR }, { key: 'x', value: 'x2', timestamp: T0 - YEAR + 5 }]), 0);
  log.appendAsLeader(keyed([{ key: 'z', value: 'z1', timestamp: T0 }]), 0);
  return { dir, clock, cfg, log };
}

test('a tombstone stays delete.retention.ms after the cleaner first passes it, whatever its CreateTime', (t) => {
  const { clock, log } = tombstoneLog(t);
  onCleanup(t, () => log.close());
  const before = records(log);
  const first = cleanLog(log, silentLogger);
  assert.deepEqual([first.recordsRemoved, first.deleteHorizonsSet], [2, 1]);
  const afterFirst = records(log);
  assert.deepEqual(afterFirst.map((r) => [r.offset, r.key, r.value, r.horizon]), [
    [2, 'k', null, T0 + DAY],
    [3, 'x', 'x2', T0 + DAY],
    [4, 'z', 'z1', undefined],
  ]);
  // The rebuilt batch carries the horizon in its baseTimestamp; its records read the same timestamps.
  assert.deepEqual(afterFirst.map((r) => r.timestamp), before.slice(2).map((r) => r.timestamp));
  const [rebuilt] = decodeRecordBatches(log.read(2, 1 << 20, { minOneBatch: true }).records);
  assert.ok(batchHasDeleteHorizon(rebuilt!.header.attributes));
  assert.equal(rebuilt!.header.baseTimestamp, T0 + DAY);
  assert.equal(rebuilt!.header.maxTimestamp, T0 - YEAR + 5);

  // Nothing is dirty; until the horizon comes the cleaner leaves the log alone.
  clock.now = T0 + DAY - 1;
  assert.deepEqual(cleanLog(log, silentLogger, true), { segmentsCleaned: 0, recordsRemoved: 0, deleteHorizonsSet: 0, bytesBefore: 0, bytesAfter: 0 });
  assert.deepEqual(records(log), afterFirst);
  // From the horizon on, the next clean drops it, though nothing else is dirty.
  clock.now = T0 + DAY;
  const second = cleanLog(log, silentLogger);
  assert.deepEqual([second.segmentsCleaned, second.recordsRemoved], [1, 1]);
  // With no tombstone left the batch loses its horizon bit; x keeps its timestamp.
  assert.deepEqual(records(log), [
    { offset: 3, key: 'x', value: 'x2', timestamp: T0 - YEAR + 5, horizon: undefined },
    { offset: 4, key: 'z', value: 'z1', timestamp: T0, horizon: undefined },
  ]);
  assert.equal(cleanLog(log, silentLogger).segmentsCleaned, 0);
});

test('a record with a value is never dropped by a delete horizon', (t) => {
  const { clock, log } = tombstoneLog(t);
  onCleanup(t, () => log.close());
  cleanLog(log, silentLogger);
  // x=x2 shares the batch (and its horizon) with the tombstone; a new tombstone keeps a horizon in play.
  log.appendAsLeader(keyed([{ key: 'q', value: null, timestamp: T0 }]), 0);
  for (const later of [T0 + DAY, T0 + 10 * YEAR]) {
    clock.now = later;
    cleanLog(log, silentLogger, true);
    assert.ok(records(log).some((r) => r.key === 'x' && r.value === 'x2' && r.timestamp === T0 - YEAR + 5), `x at ${later}`);
    assert.ok(records(log).some((r) => r.key === 'z' && r.value === 'z1'), `z at ${later}`);
  }
  assert.equal(records(log).find((r) => r.key === 'k'), undefined);
});

test('the delete horizon is in the bytes: it survives a restart and crash recovery between two cleans', (t) => {
  const { dir, clock, cfg, log } = tombstoneLog(t);
  cleanLog(log, silentLogger);
  const afterFirst = records(log);
  log.close();
  for (const cleanShutdown of [true, false]) {
    clock.now = T0 + DAY / 2;
    const reopened = openLog(dir, { config: cfg, now: () => clock.now, cleanShutdown, recoveryPoint: 0 });
    try {
      // A restarted log is all dirty to this cleaner: it passes the batch again and keeps the first horizon.
      const again = cleanLog(reopened, silentLogger, true);
      assert.equal(again.deleteHorizonsSet, 0);
      assert.deepEqual(records(reopened), afterFirst, `cleanShutdown=${cleanShutdown}`);
    } finally {
      reopened.close();
    }
  }
  clock.now = T0 + DAY;
  const last = openLog(dir, { config: cfg, now: () => clock.now, cleanShutdown: false, recoveryPoint: 0 });
  onCleanup(t, () => last.close());
  assert.equal(cleanLog(last, silentLogger).recordsRemoved, 1);
  assert.deepEqual(records(last).map((r) => r.key), ['x', 'z']);
});

test('batches the cleaner rebuilt pass crash recovery and a follower append unchanged', (t) => {
  const { dir, cfg, log } = tombstoneLog(t, { messageTimestampType: 'LogAppendTime' });
  onCleanup(t, () => log.close());
  log.appendAsLeader(keyed([{ key: 'k', value: null }, { key: 'z', value: null }]), 0);
  cleanLog(log, silentLogger);
  const cleaned = records(log);
  assert.ok(cleaned.some((r) => r.horizon !== undefined));
  // LogAppendTime records read the append time (maxTimestamp) before and after the rebuild.
  assert.ok(cleaned.every((r) => r.timestamp === T0));
  const bytes = log.read(0, 1 << 20, { minOneBatch: true, maxOffset: log.logEndOffset }).records;

  const follower = openLog(tempDir(t), { config: cfg });
  onCleanup(t, () => follower.close());
  follower.appendAsFollower(bytes);
  assert.deepEqual(records(follower), cleaned.filter((r) => r.offset < follower.logEndOffset));

  log.close();
  const recovered = openLog(dir, { config: cfg, cleanShutdown: false, recoveryPoint: 0 });
  onCleanup(t, () => recovered.close());
  assert.deepEqual(records(recovered), cleaned);
});

test('min.compaction.lag.ms holds back dirty segments only; the clean part stays open to horizon expiry', (t) => {
  const { clock, log } = tombstoneLog(t, { deleteRetentionMs: 1000 });
  onCleanup(t, () => log.close());
  cleanLog(log, silentLogger);
  // Every cleaned record is younger than the lag now, and a fresh dirty segment is too.
  log.updateConfig({ ...log.config, minCompactionLagMs: 2 * YEAR });
  log.appendAsLeader(keyed([{ key: 'y', value: 'y1', timestamp: T0 }]), 0);
  clock.now = T0 + 1000;
  assert.equal(cleanLog(log, silentLogger).recordsRemoved, 1);
  assert.deepEqual(records(log).map((r) => r.key), ['x', 'z', 'y']);
});

test('segments larger than the scan chunk are cleaned whole', (t) => {
  const log = openLog(tempDir(t), { config: { cleanupPolicy: 'compact', deleteRetentionMs: DAY, minCompactionLagMs: 0 }, now: () => T0 });
  onCleanup(t, () => log.close());
  const value = 'v'.repeat(9000);
  const batchOf = (i: number) => keyed(Array.from({ length: 10 }, (_, j) => ({ key: `k${(i * 10 + j) % 150}`, value, timestamp: T0 - 10 })));
  log.appendAsLeader(batchOf(0), 0);
  // 40 batches of about 90 KB in one segment: some straddle the 1 MiB read chunks of the segment scan.
  log.updateConfig({ ...log.config, segmentBytes: 40 * log.sizeInBytes + 500 });
  for (let i = 1; i < 40; i++) log.appendAsLeader(batchOf(i), 0);
  log.appendAsLeader(keyed([{ key: 'end', value: value.repeat(10), timestamp: T0 }]), 0);
  assert.equal(log.numberOfSegments, 2);
  assert.ok(log.segmentList[0]!.size > 3 << 20);
  const outcome = cleanLog(log, silentLogger);
  assert.equal(outcome.recordsRemoved, 400 - 150);
  assert.deepEqual(records(log).map((r) => r.offset), [...Array.from({ length: 150 }, (_, i) => 250 + i), 400]);
});
