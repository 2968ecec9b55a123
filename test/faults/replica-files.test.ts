// The replica reader against files the broker's own Log wrote: over several segments it finds every
// batch, byte for byte as Log.read returns them, every record with its offset and value, and the
// log's start and end; a torn batch at the end of a segment is reported, not read; the topic's
// partition directories of a data dir are read, other topics' are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { batchPositions, lastOffsetOf, readInt64, BASE_OFFSET } from '../../client/index.js';
import { batch, openLog, segmentFiles, tempDir } from '../broker/log/helpers.js';
import { readNodeReplicas, readReplicaLog } from './replica-files.js';

/**
 * Three-record batches, leader epochs 0 then 3, in segments of about two batches; returns the log
 * end and every batch as Log.read returns it (one segment per read).
 */
function writeLog(dir: string, batches: number): { end: number; fromLog: Buffer[] } {
  const log = openLog(dir, { config: { segmentBytes: 300 } });
  try {
    for (let i = 0; i < batches; i++) log.appendAsLeader(batch(3, { prefix: `b${i}` }), i < batches / 2 ? 0 : 3);
    const fromLog: Buffer[] = [];
    for (let offset = 0; offset < log.logEndOffset;) {
      const { records } = log.read(offset, 1 << 20, { minOneBatch: true });
      for (const { position, size } of batchPositions(records)) {
        const bytes = records.subarray(position, position + size);
        fromLog.push(bytes);
        offset = lastOffsetOf(bytes, 0) + 1;
      }
    }
    return { end: log.logEndOffset, fromLog };
  } finally {
    log.close();
  }
}

test('every batch of a multi-segment log, as stored, with its records, start and end', (t) => {
  const dir = tempDir(t);
  const { end, fromLog } = writeLog(dir, 8);
  assert.ok(segmentFiles(dir).length >= 3, `segments: ${segmentFiles(dir).join(', ')}`);
  const replica = readReplicaLog(2, 0, path.join(dir, 'topic-0'));
  assert.deepEqual(replica.problems, []);
  assert.equal(replica.node, 2);
  assert.equal(replica.startOffset, 0);
  assert.equal(end, 24);
  assert.equal(replica.endOffset, end);
  assert.deepEqual(replica.batches.map((b) => b.bytes), fromLog);
  assert.deepEqual(replica.batches.map((b) => [b.baseOffset, b.lastOffset]), Array.from({ length: 8 }, (_, i) => [i * 3, i * 3 + 2]));
  assert.deepEqual(replica.records.slice(0, 4), [
    { partition: 0, offset: 0, value: 'b0-0' }, { partition: 0, offset: 1, value: 'b0-1' }, { partition: 0, offset: 2, value: 'b0-2' }, { partition: 0, offset: 3, value: 'b1-0' },
  ]);
  assert.equal(replica.records.length, 24);
});

test('a torn batch at the end of a segment is reported with what was left unread', (t) => {
  const dir = tempDir(t);
  writeLog(dir, 2);
  const [segment] = segmentFiles(dir);
  const file = path.join(dir, 'topic-0', segment!);
  const whole = fs.readFileSync(file);
  fs.writeFileSync(file, whole.subarray(0, whole.length - 10));
  const replica = readReplicaLog(1, 0, path.join(dir, 'topic-0'));
  const readable = [...batchPositions(whole)].length - 1;
  assert.equal(replica.batches.length, readable);
  assert.equal(replica.problems.length, 1);
  assert.match(replica.problems[0]!, new RegExp(`^${segment} at byte \\d+: batch of \\d+ bytes but only \\d+ bytes left`));
  assert.equal(replica.endOffset, readInt64(replica.batches[readable - 1]!.bytes, BASE_OFFSET) + 3);
});

test('a data dir: the topic\'s partition directories, in partition order, and nothing of another topic', (t) => {
  const dir = tempDir(t);
  writeLog(dir, 2);
  fs.renameSync(path.join(dir, 'topic-0'), path.join(dir, 'orders-1'));
  fs.mkdirSync(path.join(dir, 'orders-0'));
  fs.mkdirSync(path.join(dir, 'orders-eu-0'));
  fs.mkdirSync(path.join(dir, 'orders-2.3f2a-delete'));
  const replicas = readNodeReplicas(3, dir, 'orders');
  assert.deepEqual(replicas.map((r) => [r.node, r.partition, r.startOffset, r.endOffset]), [[3, 0, 0, 0], [3, 1, 0, 6]]);
});
