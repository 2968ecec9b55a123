// ListOffsets by time answers per record, as Kafka's LogSegment.findOffsetByTimestamp does: the lowest
// offset (not below the log start) whose record timestamp is >= the target, with that record's own
// timestamp and its batch's leader epoch; max.timestamp answers the first record holding the largest
// timestamp (KIP-734 after KAFKA-16310).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMPRESSION_TYPES, CompressionType, TimestampType, encodeRecordBatch } from '../../../client/records/index.js';
import { MAX_TIMESTAMP_QUERY, type Log } from '../../../broker/log/log.js';
import { LogSegment } from '../../../broker/log/segment.js';
import { config, onCleanup, openLog, tempDir } from './helpers.js';

const T = 1_700_000_000_000;

/** One batch whose records carry these timestamps, in this order. */
function stamped(timestamps: number[], compression: CompressionType = CompressionType.None, timestampType = TimestampType.CreateTime): Buffer {
  return encodeRecordBatch(timestamps.map((timestamp, i) => ({ key: `k${i}`, value: `v${i}`, timestamp })), { compression, timestampType });
}

interface Stamp {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** The answer by definition: the first record in offset order whose timestamp is >= target. */
function expectedAt(records: Stamp[], target: number, logStart = 0): Stamp | undefined {
  return records.find((r) => r.offset >= logStart && r.timestamp >= target);
}

function expectedMax(records: Stamp[]): Stamp | undefined {
  let best: Stamp | undefined;
  for (const r of records) if (!best || r.timestamp > best.timestamp) best = r;
  return best;
}

test('inside one batch the answer is the record, not the batch', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  log.appendAsLeader(stamped([T, T + 1, T + 2]), 4);
  assert.deepEqual(log.offsetForTimestamp(T - 1), { offset: 0, timestamp: T, leaderEpoch: 4 });
  assert.deepEqual(log.offsetForTimestamp(T), { offset: 0, timestamp: T, leaderEpoch: 4 });
  assert.deepEqual(log.offsetForTimestamp(T + 1), { offset: 1, timestamp: T + 1, leaderEpoch: 4 });
  assert.deepEqual(log.offsetForTimestamp(T + 2), { offset: 2, timestamp: T + 2, leaderEpoch: 4 });
  assert.equal(log.offsetForTimestamp(T + 3), undefined);
});

test('out-of-order CreateTime inside a batch: the lowest offset at or after the time, not the closest time', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  log.appendAsLeader(stamped([T, T + 5, T + 1, T + 3]), 0);
  // Offset 3 (T+3) is the closest timestamp to T+2, but offset 1 (T+5) comes first.
  assert.deepEqual(log.offsetForTimestamp(T + 2), { offset: 1, timestamp: T + 5, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T + 1), { offset: 1, timestamp: T + 5, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T), { offset: 0, timestamp: T, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T + 5), { offset: 1, timestamp: T + 5, leaderEpoch: 0 });
  assert.equal(log.offsetForTimestamp(T + 6), undefined);
});

test('compressed batches are decompressed to find the record', (t) => {
  const log = openLog(tempDir(t));
  onCleanup(t, () => log.close());
  const timestamps = Array.from({ length: 200 }, (_, i) => T + i * 10);
  let base = 0;
  for (const codec of COMPRESSION_TYPES) {
    log.appendAsLeader(stamped(timestamps.map((ts) => ts + base * 10), codec), 1);
    base += timestamps.length;
  }
  for (const offset of [0, 1, 137, 199, 200, 333, 599, 600, 777, base - 1]) {
    assert.deepEqual(log.offsetForTimestamp(T + offset * 10), { offset, timestamp: T + offset * 10, leaderEpoch: 1 });
    // Between two records: the later one.
    assert.deepEqual(log.offsetForTimestamp(T + offset * 10 - 3), { offset, timestamp: T + offset * 10, leaderEpoch: 1 });
  }
});

test('max.timestamp after a clean reopen: a tie between an indexed batch and the unindexed tail answers the first record', (t) => {
  const dir = tempDir(t);
  // indexIntervalBytes 0: the second batch gets the offset index entry, so a reopen scans only it and
  // must take the earlier record holding the same timestamp from the time index.
  const cfg = { segmentBytes: 1 << 20, indexIntervalBytes: 0 };
  let log = openLog(dir, { config: cfg });
  log.appendAsLeader(stamped([T]), 0);
  log.appendAsLeader(stamped([T]), 0);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 0, timestamp: T, leaderEpoch: 0 });
  log.close();
  log = openLog(dir, { config: cfg });
  onCleanup(t, () => log.close());
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 0, timestamp: T, leaderEpoch: 0 });
  log.truncateTo(1);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 0, timestamp: T, leaderEpoch: 0 });
});

test('across batches and segments, with any timestamps, the answer is the first matching record (property)', (t) => {
  const root = tempDir(t);
  let run = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          deltas: fc.array(fc.integer({ min: -50, max: 200 }), { minLength: 1, maxLength: 12 }),
          compression: fc.constantFrom(...COMPRESSION_TYPES),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      fc.integer({ min: 150, max: 3000 }),
      fc.integer({ min: 0, max: 600 }),
      (batches, segmentBytes, indexIntervalBytes) => {
        const dir = `${root}/run-${run++}`;
        const cfg = { segmentBytes, indexIntervalBytes };
        let log: Log = openLog(dir, { config: cfg });
        try {
          const records: Stamp[] = [];
          let clock = T;
          batches.forEach(({ deltas, compression }, i) => {
            const timestamps = deltas.map((d) => (clock += d));
            const epoch = Math.floor(i / 4);
            const first = log.appendAsLeader(stamped(timestamps, compression), epoch).firstOffset;
            timestamps.forEach((timestamp, j) => records.push({ offset: first + j, timestamp, leaderEpoch: epoch }));
          });
          const targets = new Set<number>([0, T - 1]);
          for (const r of records) for (const d of [-1, 0, 1]) targets.add(r.timestamp + d);
          const check = (where: string): void => {
            for (const target of targets) {
              assert.deepEqual(log.offsetForTimestamp(target), expectedAt(records, target), `${where}: target ${target}`);
            }
            assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), expectedMax(records), `${where}: max.timestamp`);
          };
          check('live');
          log.close();
          log = openLog(dir, { config: cfg });
          check('reopened');
          log.close();
          log = openLog(dir, { config: cfg, cleanShutdown: false, recoveryPoint: 0 });
          check('recovered');
        } finally {
          log.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('answers never fall below the log start after retention moved it', (t) => {
  let now = T;
  const log = openLog(tempDir(t), { config: { segmentBytes: 1, retentionMs: 1000 }, now: () => now });
  onCleanup(t, () => log.close());
  log.appendAsLeader(stamped([T - 5000, T - 4000]), 0);
  log.appendAsLeader(stamped([T - 3000, T + 10]), 0);
  log.appendAsLeader(stamped([T - 6000, T + 20]), 0);
  log.appendAsLeader(stamped([T + 30]), 0);
  assert.deepEqual(log.offsetForTimestamp(T - 5500), { offset: 0, timestamp: T - 5000, leaderEpoch: 0 });
  now = T + 5;
  assert.equal(log.deleteOldSegments(), 1);
  assert.equal(log.logStartOffset, 2);
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 2, timestamp: T - 3000, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T - 5500), { offset: 2, timestamp: T - 3000, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T), { offset: 3, timestamp: T + 10, leaderEpoch: 0 });
});

test('a segment skips records below the starting offset, inside a batch and across batches', (t) => {
  const dir = tempDir(t);
  const sizing = config({ indexIntervalBytes: 0 });
  const segment = LogSegment.create(dir, 100, sizing, T);
  onCleanup(t, () => segment.close());
  const write = (baseOffset: number, timestamps: number[]): void => {
    const buf = encodeRecordBatch(timestamps.map((timestamp) => ({ value: 'x', timestamp })), { baseOffset, partitionLeaderEpoch: 2 });
    segment.append(buf, [{ baseOffset, lastOffset: baseOffset + timestamps.length - 1, maxTimestamp: Math.max(...timestamps), size: buf.length }], sizing.indexIntervalBytes);
  };
  write(100, [T + 10, T + 20, T + 30]);
  write(103, [T + 5, T + 40]);
  assert.deepEqual(segment.findOffsetByTimestamp(T, 100), { offset: 100, timestamp: T + 10, leaderEpoch: 2 });
  assert.deepEqual(segment.findOffsetByTimestamp(T, 101), { offset: 101, timestamp: T + 20, leaderEpoch: 2 });
  assert.deepEqual(segment.findOffsetByTimestamp(T + 25, 103), { offset: 104, timestamp: T + 40, leaderEpoch: 2 });
  // Every match of the first batch sits below the starting offset: the search goes on to the next.
  assert.deepEqual(segment.findOffsetByTimestamp(T + 30, 103), { offset: 104, timestamp: T + 40, leaderEpoch: 2 });
  assert.equal(segment.findOffsetByTimestamp(T, 105), undefined);
});

test('LogAppendTime topics: every record of a batch carries the append time', (t) => {
  let now = T;
  const log = openLog(tempDir(t), { config: { messageTimestampType: 'LogAppendTime' }, now: () => now });
  onCleanup(t, () => log.close());
  // The producer's CreateTime values are replaced by the broker's clock.
  log.appendAsLeader(stamped([5, 1, 9]), 0);
  now = T + 100;
  log.appendAsLeader(stamped([50, 10]), 1);
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: T, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T), { offset: 0, timestamp: T, leaderEpoch: 0 });
  assert.deepEqual(log.offsetForTimestamp(T + 1), { offset: 3, timestamp: T + 100, leaderEpoch: 1 });
  assert.equal(log.offsetForTimestamp(T + 101), undefined);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 3, timestamp: T + 100, leaderEpoch: 1 });
});

test('max.timestamp answers the first record holding the largest timestamp', (t) => {
  const log = openLog(tempDir(t), { config: { segmentBytes: 1 } });
  onCleanup(t, () => log.close());
  assert.equal(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), undefined);
  log.appendAsLeader(stamped([T + 1, T + 7, T + 2]), 0);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 1, timestamp: T + 7, leaderEpoch: 0 });
  log.appendAsLeader(stamped([T + 3, T + 9, T + 4, T + 9], CompressionType.Gzip), 1);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 4, timestamp: T + 9, leaderEpoch: 1 });
  // A later segment holding the same largest timestamp does not win over the first one.
  log.appendAsLeader(stamped([T + 9]), 2);
  assert.ok(log.numberOfSegments >= 3);
  assert.deepEqual(log.offsetForTimestamp(MAX_TIMESTAMP_QUERY), { offset: 4, timestamp: T + 9, leaderEpoch: 1 });
});
