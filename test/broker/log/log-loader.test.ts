import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeRecordBatches } from '../../../client/records/record-batch.js';
import type { Log } from '../../../broker/log/log.js';
import { batch, capturedLogger, onCleanup, openLog, segmentFiles, tempDir } from './helpers.js';

/** What a crash leaves: the files as they are in the page cache, without close()'s flush,
 * snapshot or clean-shutdown marker. Copies the partition dir of `log` into a new parent dir. */
function crashCopy(t: Parameters<typeof tempDir>[0], log: Log): string {
  const copy = tempDir(t);
  fs.cpSync(log.dir, path.join(copy, 'topic-0'), { recursive: true });
  return copy;
}

function allOffsets(log: Log): number[] {
  const out: number[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = log.read(offset, 1 << 20, { minOneBatch: true });
    const batches = decodeRecordBatches(read.records);
    if (batches.length === 0) break;
    for (const b of batches) for (const r of b.records) out.push(r.offset);
    const last = batches.at(-1)!.header;
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function logFile(dir: string, name: string): string {
  return path.join(dir, 'topic-0', name);
}

test('a torn last batch is cut exactly and the cut is logged', (t) => {
  const original = openLog(tempDir(t));
  onCleanup(t, () => original.close());
  for (let i = 0; i < 5; i++) original.appendAsLeader(batch(2), 0);
  const copy = crashCopy(t, original);
  const file = logFile(copy, segmentFiles(copy)[0]!);
  const fullSize = fs.statSync(file).size;
  fs.truncateSync(file, fullSize - 7);
  const lastBatchSize = batch(2).length;
  const captured = capturedLogger();
  const log = openLog(copy, { cleanShutdown: false, logger: captured.logger });
  onCleanup(t, () => log.close());
  assert.equal(log.logEndOffset, 8);
  assert.deepEqual(allOffsets(log), range(0, 8));
  assert.equal(fs.statSync(file).size, fullSize - lastBatchSize);
  const warn = captured.lines().find((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.startsWith('recovery cut'));
  assert.ok(warn, 'a warn line about the cut');
  assert.equal(warn.topic, 'topic');
  assert.equal(warn.partition, 0);
  assert.equal(warn.offset, 8);
  assert.equal(warn.position, fullSize - lastBatchSize);
  assert.equal(warn.bytesCut, lastBatchSize - 7);
  assert.equal(log.appendAsLeader(batch(1), 0).firstOffset, 8);
});

test('garbage after the last batch is cut and nothing else', (t) => {
  const original = openLog(tempDir(t));
  onCleanup(t, () => original.close());
  for (let i = 0; i < 4; i++) original.appendAsLeader(batch(3), 0);
  const copy = crashCopy(t, original);
  const file = logFile(copy, segmentFiles(copy)[0]!);
  const goodSize = fs.statSync(file).size;
  fs.appendFileSync(file, Buffer.from('\x00\x00\x00\x00\x00\x00\x00\x0c\x00\x00\x01\x00 garbage garbage garbage garbage garbage garbage garbage'));
  const captured = capturedLogger();
  const log = openLog(copy, { cleanShutdown: false, logger: captured.logger });
  onCleanup(t, () => log.close());
  assert.equal(log.logEndOffset, 12);
  assert.deepEqual(allOffsets(log), range(0, 12));
  assert.equal(fs.statSync(file).size, goodSize);
  const warn = captured.lines().find((l) => l.level === 40 && l.bytesCut !== undefined);
  assert.equal(warn?.position, goodSize);
});

test('one flipped byte in the middle of the last segment cuts that batch and everything after', (t) => {
  const original = openLog(tempDir(t), { config: { segmentBytes: 1000 } });
  onCleanup(t, () => original.close());
  for (let i = 0; i < 30; i++) original.appendAsLeader(batch(2, { prefix: `b${i}` }), 0);
  const copy = crashCopy(t, original);
  const names = segmentFiles(copy);
  assert.ok(names.length >= 3);
  const last = logFile(copy, names.at(-1)!);
  const lastBase = Number(names.at(-1)!.slice(0, 20));
  const bytes = fs.readFileSync(last);
  const positions: number[] = [];
  for (let pos = 0; pos < bytes.length; pos += 12 + bytes.readInt32BE(pos + 8)) positions.push(pos);
  assert.ok(positions.length >= 3);
  const victim = Math.floor(positions.length / 2);
  bytes[positions[victim]! + 70]! ^= 0x40; // inside the records, covered by the CRC
  fs.writeFileSync(last, bytes);
  const before = allOffsets(original);
  const captured = capturedLogger();
  const log = openLog(copy, { cleanShutdown: false, logger: captured.logger });
  onCleanup(t, () => log.close());
  const cutOffset = lastBase + victim * 2;
  assert.equal(log.logEndOffset, cutOffset);
  assert.deepEqual(allOffsets(log), before.slice(0, cutOffset));
  assert.equal(fs.statSync(last).size, positions[victim]);
  const warn = captured.lines().find((l) => l.level === 40 && l.bytesCut !== undefined);
  assert.equal(warn?.offset, cutOffset);
  assert.equal(warn?.bytesCut, bytes.length - positions[victim]!);
});

test('a bad batch in an earlier segment deletes every later segment', (t) => {
  const original = openLog(tempDir(t), { config: { segmentBytes: 500 } });
  onCleanup(t, () => original.close());
  for (let i = 0; i < 30; i++) original.appendAsLeader(batch(2), 0);
  const copy = crashCopy(t, original);
  const names = segmentFiles(copy);
  assert.ok(names.length >= 4);
  const second = logFile(copy, names[1]!);
  const secondBase = Number(names[1]!.slice(0, 20));
  const bytes = fs.readFileSync(second);
  bytes.writeInt32BE(0x7fffff00, 8); // first batch's length now points far past the file end
  fs.writeFileSync(second, bytes);
  const captured = capturedLogger();
  const log = openLog(copy, { cleanShutdown: false, logger: captured.logger });
  onCleanup(t, () => log.close());
  assert.equal(log.logEndOffset, secondBase);
  assert.deepEqual(segmentFiles(copy), names.slice(0, 2));
  assert.deepEqual(segmentFiles(copy, '.index'), names.slice(0, 2).map((n) => n.replace('.log', '.index')));
  assert.deepEqual(allOffsets(log), range(0, secondBase));
  const warn = captured.lines().find((l) => l.level === 40 && l.bytesCut !== undefined);
  assert.equal(warn?.segmentsDeleted, names.length - 2);
});

test('segments below the recovery point are trusted, those from it on are scanned', (t) => {
  const original = openLog(tempDir(t), { config: { segmentBytes: 500 } });
  onCleanup(t, () => original.close());
  for (let i = 0; i < 20; i++) original.appendAsLeader(batch(2), 0);
  const copy = crashCopy(t, original);
  const names = segmentFiles(copy);
  const lastBase = Number(names.at(-1)!.slice(0, 20));
  // Flip a record byte in the first segment: its CRC is wrong, but nobody scans it.
  const first = logFile(copy, names[0]!);
  const bytes = fs.readFileSync(first);
  bytes[70]! ^= 0x01;
  fs.writeFileSync(first, bytes);
  fs.appendFileSync(logFile(copy, names.at(-1)!), Buffer.alloc(30, 7));
  const log = openLog(copy, { cleanShutdown: false, recoveryPoint: lastBase });
  onCleanup(t, () => log.close());
  assert.equal(log.logEndOffset, 40);
  assert.equal(fs.statSync(first).size, bytes.length);
});

test('missing or corrupt index files are rebuilt on a clean open', (t) => {
  const dir = tempDir(t);
  const original = openLog(dir, { config: { segmentBytes: 2000, indexIntervalBytes: 100 } });
  for (let i = 0; i < 40; i++) original.appendAsLeader(batch(2, { timestamp: 1000 + i }), 0);
  const expected = allOffsets(original);
  original.close();
  const names = segmentFiles(dir, '.index');
  assert.ok(names.length >= 2);
  fs.rmSync(logFile(dir, names[0]!));
  fs.writeFileSync(logFile(dir, names[1]!), Buffer.from('not an index at all'));
  fs.writeFileSync(logFile(dir, names[1]!.replace('.index', '.timeindex')), Buffer.alloc(24, 0xff));
  const captured = capturedLogger();
  const log = openLog(dir, { config: { segmentBytes: 2000, indexIntervalBytes: 100 }, logger: captured.logger });
  onCleanup(t, () => log.close());
  assert.deepEqual(allOffsets(log), expected);
  assert.ok(fs.statSync(logFile(dir, names[0]!)).size > 0);
  assert.equal(log.offsetForTimestamp(1039)?.offset, 78);
  assert.ok(captured.lines().some((l) => l.level === 40 && String(l.msg).includes('rebuilding')));
});

test('an interrupted compaction swap is completed on open, a .cleaned file discarded', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  log.appendAsLeader(batch(2), 0);
  log.appendAsLeader(batch(3), 0);
  log.close();
  const segment = logFile(dir, '00000000000000000000.log');
  const bytes = fs.readFileSync(segment);
  const firstSize = 12 + bytes.readInt32BE(8);
  // The "cleaned" segment holds only the first batch.
  fs.writeFileSync(`${segment}.swap`, bytes.subarray(0, firstSize));
  fs.writeFileSync(logFile(dir, '00000000000000000002.log.cleaned'), Buffer.from('half written'));
  const reopened = openLog(dir);
  onCleanup(t, () => reopened.close());
  assert.equal(reopened.logEndOffset, 2);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => f.includes('.swap') || f.includes('.cleaned')), []);
});

test('property: any cut plus any garbage recovers to exactly the whole batches before the cut', () => {
  const cleanups: Array<() => void> = [];
  const fixture = tempDir({ after: (fn) => cleanups.push(fn) });
  const source = openLog(fixture, { config: { indexIntervalBytes: 64 } });
  for (let i = 0; i < 12; i++) source.appendAsLeader(batch(1 + (i % 4), { valueSize: 10 * i }), 0);
  source.close();
  const original = fs.readFileSync(logFile(fixture, '00000000000000000000.log'));
  const ends: Array<{ end: number; next: number }> = [];
  for (let pos = 0; pos < original.length;) {
    const size = 12 + original.readInt32BE(pos + 8);
    const next = Number(original.readBigInt64BE(pos)) + original.readInt32BE(pos + 23) + 1;
    pos += size;
    ends.push({ end: pos, next });
  }
  try {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: original.length }),
      fc.uint8Array({ maxLength: 300 }),
      (cut, garbage) => {
        const dir = tempDir({ after: (fn) => cleanups.push(fn) });
        fs.mkdirSync(path.join(dir, 'topic-0'));
        fs.writeFileSync(logFile(dir, '00000000000000000000.log'), Buffer.concat([original.subarray(0, cut), garbage]));
        const log = openLog(dir, { cleanShutdown: false, config: { indexIntervalBytes: 64 } });
        try {
          const whole = ends.filter((e) => e.end <= cut).at(-1);
          assert.equal(log.logEndOffset, whole?.next ?? 0);
          assert.equal(log.sizeInBytes, whole?.end ?? 0);
          assert.deepEqual(allOffsets(log), range(0, whole?.next ?? 0));
        } finally {
          log.close();
        }
      },
    ), { numRuns: 60 });
  } finally {
    for (const fn of cleanups.reverse()) fn();
  }
});
