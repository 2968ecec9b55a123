import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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

test('compaction keeps the latest value per key, drops expired tombstones, keeps offsets', (t) => {
  const { dir, log, cfg } = build(t);
  onCleanup(t, () => log.close());
  const outcome = cleanLog(log, silentLogger);
  assert.equal(outcome.segmentsCleaned, 2);
  assert.equal(outcome.recordsRemoved, 4);
  const expected = ['3:a=2', '5:b=2', '6:e=null', '7:c=2', '8:a=3'];
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
