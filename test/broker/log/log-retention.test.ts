import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { retentionDeletableCount } from '../../../broker/log/log-retention.js';
import { batch, onCleanup, openLog, segmentFiles, tempDir } from './helpers.js';

const seg = (size: number, largestTimestamp: number) => ({ size, largestTimestamp });

test('retentionDeletableCount: time stops at the first young segment, size keeps the log at or above the limit', () => {
  const limits = { retentionMs: 100, retentionBytes: -1 };
  assert.equal(retentionDeletableCount([seg(10, 0), seg(10, 50), seg(10, 950), seg(10, 0)], 40, limits, 1000), 2);
  assert.equal(retentionDeletableCount([seg(10, 0)], 10, { retentionMs: -1, retentionBytes: -1 }, 1e12), 0);
  assert.equal(retentionDeletableCount([seg(10, 0), seg(10, 0), seg(10, 0)], 40, { retentionMs: -1, retentionBytes: 25 }, 0), 1);
  assert.equal(retentionDeletableCount([seg(10, 0), seg(10, 0), seg(10, 0)], 40, { retentionMs: -1, retentionBytes: 20 }, 0), 2);
  assert.equal(retentionDeletableCount([seg(10, 0), seg(10, 0), seg(10, 0)], 40, { retentionMs: -1, retentionBytes: 0 }, 0), 3);
  // Both limits: the larger count wins.
  assert.equal(retentionDeletableCount([seg(10, 0), seg(10, 990), seg(10, 990)], 40, { retentionMs: 100, retentionBytes: 15 }, 1000), 2);
});

/** One batch per segment with the given timestamps. */
function logWithSegments(t: Parameters<typeof tempDir>[0], timestamps: number[], overrides: Record<string, unknown>, now: () => number) {
  const dir = tempDir(t);
  const size = batch(2, { timestamp: 0 }).length;
  const log = openLog(dir, { config: { segmentBytes: size, ...overrides }, now });
  onCleanup(t, () => log.close());
  for (const ts of timestamps) log.appendAsLeader(batch(2, { timestamp: ts }), 0);
  assert.equal(log.numberOfSegments, timestamps.length);
  return { dir, log, size };
}

test('retention.ms deletes exactly the old segments and moves the log start', (t) => {
  const now = 10_000;
  const { dir, log } = logWithSegments(t, [1000, 2000, 3000, 4000, 5000, 6000], { retentionMs: 6500 }, () => now);
  const names = segmentFiles(dir);
  assert.equal(log.deleteOldSegments(), 3);
  assert.deepEqual(segmentFiles(dir), names.slice(3));
  assert.equal(log.logStartOffset, 6);
  assert.equal(log.logEndOffset, 12);
  assert.throws(() => log.read(5, 1000, { minOneBatch: true }), (e: unknown) => e instanceof StraitError && e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal(log.read(6, 1000, { minOneBatch: true }).firstOffset, 6);
  assert.equal(log.deleteOldSegments(), 0);
});

test('the active segment is never deleted, however old', (t) => {
  const { log } = logWithSegments(t, [1, 2], { retentionMs: 10, retentionBytes: 0 }, () => 1e9);
  assert.equal(log.deleteOldSegments(), 1);
  assert.equal(log.numberOfSegments, 1);
  assert.equal(log.deleteOldSegments(), 0);
  assert.equal(log.logStartOffset, 2);
  assert.equal(log.appendAsLeader(batch(1, { timestamp: 5 }), 0).firstOffset, 4);
});

test('a young segment in front protects older ones behind it', (t) => {
  const { log } = logWithSegments(t, [9000, 1000, 1000, 9500], { retentionMs: 5000 }, () => 10_000);
  assert.equal(log.deleteOldSegments(), 0);
});

test('retention.bytes deletes the oldest segments while the rest stays at or above the limit', (t) => {
  const { dir, log, size } = logWithSegments(t, [1, 2, 3, 4, 5, 6], { retentionMs: -1, retentionBytes: 0 }, () => 100);
  log.updateConfig({ ...log.config, retentionBytes: Math.floor(size * 3.5) });
  const names = segmentFiles(dir);
  assert.equal(log.deleteOldSegments(), 2);
  assert.deepEqual(segmentFiles(dir), names.slice(2));
  assert.equal(log.logStartOffset, 4);
  assert.equal(log.sizeInBytes, size * 4);
});

test('compact-only topics are left to the cleaner; the epoch history follows the log start', (t) => {
  const dir = tempDir(t);
  const size = batch(2, { timestamp: 0 }).length;
  const log = openLog(dir, { config: { segmentBytes: size, retentionMs: 1, cleanupPolicy: 'compact' }, now: () => 1e9 });
  onCleanup(t, () => log.close());
  log.appendAsLeader(batch(2, { timestamp: 1 }), 1);
  log.appendAsLeader(batch(2, { timestamp: 1 }), 2);
  log.appendAsLeader(batch(2, { timestamp: 1 }), 3);
  assert.equal(log.deleteOldSegments(), 0);
  log.updateConfig({ ...log.config, cleanupPolicy: 'compact,delete' });
  assert.equal(log.deleteOldSegments(), 2);
  assert.deepEqual(log.epochEntries(), [{ epoch: 3, startOffset: 4 }]);
});
