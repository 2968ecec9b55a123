import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { FileRaftStorage } from '../../../../broker/quorum/raft/file-raft-storage.js';
import type { RaftStorageCut } from '../../../../broker/quorum/raft/file-raft-storage.js';
import { RaftNode } from '../../../../broker/quorum/raft/raft-node.js';
import { MemoryRaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import type { RaftStorage } from '../../../../broker/quorum/raft/raft-storage.js';
import { RaftStorageError, RaftUsageError } from '../../../../broker/quorum/raft/raft-types.js';
import type { LogEntry } from '../../../../broker/quorum/raft/raft-types.js';
import { mulberry32, testConfig } from './raft-harness.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'raft-storage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function entry(index: number, term: number, text = `e${index}`): LogEntry {
  return { index, term, data: Buffer.from(text), kind: 'data' };
}

function dump(s: RaftStorage): unknown {
  const first = s.firstIndex();
  const last = s.lastIndex();
  return {
    hard: s.hardState(),
    snapshot: s.snapshot() && { ...s.snapshot()!, data: s.snapshot()!.data.toString('hex') },
    first,
    last,
    entries: last >= first ? s.entries(first, last).map((e) => ({ ...e, data: e.data.toString('hex') })) : [],
  };
}

test('entries, term and vote survive a reopen', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.saveHardState({ term: 3, votedFor: 2 });
  s.append([entry(1, 1), entry(2, 1), { index: 3, term: 3, data: Buffer.alloc(0), kind: 'noop' }]);
  s.append([entry(4, 3, 'x'.repeat(1000))]);
  const before = dump(s);
  s.close();
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.deepEqual(dump(reopened), before);
  assert.deepEqual(reopened.hardState(), { term: 3, votedFor: 2 });
  assert.equal(reopened.termAt(3), 3);
  assert.equal(reopened.entries(3, 3)[0]!.kind, 'noop');
  assert.deepEqual(reopened.recovery.cuts, []);
});

test('a vote of nobody is kept as undefined', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.saveHardState({ term: 7, votedFor: undefined });
  s.close();
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.deepEqual(reopened.hardState(), { term: 7, votedFor: undefined });
});

test('truncation removes the suffix on disk too', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.append([entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)]);
  s.truncateFrom(3);
  s.append([entry(3, 2, 'new')]);
  s.close();
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.equal(reopened.lastIndex(), 3);
  assert.equal(reopened.termAt(3), 2);
  assert.equal(reopened.entries(3, 3)[0]!.data.toString(), 'new');
});

test('misuse is refused with a named error and changes nothing', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  t.after(() => s.close());
  s.append([entry(1, 1)]);
  assert.throws(() => s.append([entry(3, 1)]), RaftUsageError);
  assert.throws(() => s.entries(1, 2), RaftUsageError);
  assert.equal(s.lastIndex(), 1);
});

for (const damage of ['torn', 'crc'] as const) {
  test(`a ${damage === 'torn' ? 'torn' : 'CRC-damaged'} tail is cut on open and reported`, (t) => {
    const dir = tempDir(t);
    const s = FileRaftStorage.open(dir);
    s.append([entry(1, 1), entry(2, 1), entry(3, 1, 'last entry')]);
    s.close();
    const logPath = path.join(dir, 'log');
    const size = statSync(logPath).size;
    if (damage === 'torn') {
      truncateSync(logPath, size - 4);
    } else {
      const buf = readFileSync(logPath);
      buf[buf.length - 2] ^= 0xff;
      writeFileSync(logPath, buf);
    }
    const seen: RaftStorageCut[] = [];
    const reopened = FileRaftStorage.open(dir, { onCut: (cut) => seen.push(cut) });
    t.after(() => reopened.close());
    assert.equal(reopened.lastIndex(), 2);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.file, 'log');
    assert.match(seen[0]!.reason, damage === 'torn' ? /torn/ : /CRC/);
    assert.deepEqual(reopened.recovery.cuts, seen);
    // The cut is on disk: appending continues a whole file.
    reopened.append([entry(3, 2, 'again')]);
    reopened.close();
    const third = FileRaftStorage.open(dir);
    t.after(() => third.close());
    assert.equal(third.entries(3, 3)[0]!.data.toString(), 'again');
    assert.deepEqual(third.recovery.cuts, []);
  });
}

test('a snapshot compacts the log, survives a reopen, and replaces the previous one', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.append(Array.from({ length: 10 }, (_, i) => entry(i + 1, i < 5 ? 1 : 2)));
  s.saveSnapshot({ lastIndex: 6, lastTerm: 2, data: Buffer.from('state@6') });
  assert.equal(s.firstIndex(), 7);
  assert.equal(s.termAt(6), 2);
  assert.equal(s.termAt(5), undefined);
  assert.throws(() => s.entries(6, 7), RaftUsageError);
  s.saveSnapshot({ lastIndex: 8, lastTerm: 2, data: Buffer.from('state@8') });
  const before = dump(s);
  s.close();
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.snapshot')), ['8-2.snapshot']);
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.deepEqual(dump(reopened), before);
  assert.equal(reopened.entries(9, 10).length, 2);
  assert.equal(reopened.snapshot()!.data.toString(), 'state@8');
});

test('a snapshot that conflicts with the log replaces the whole log', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  s.saveSnapshot({ lastIndex: 2, lastTerm: 5, data: Buffer.from('leader state') });
  assert.equal(s.lastIndex(), 2);
  s.close();
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.equal(reopened.lastIndex(), 2);
  assert.equal(reopened.termAt(2), 5);
});

test('a crash between writing a snapshot and rewriting the log recovers from the snapshot', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.append([entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)]);
  s.close();
  // What saveSnapshot writes first, without the log rewrite that follows it.
  const data = Buffer.from('state@3');
  const file = Buffer.alloc(4 + data.length);
  data.copy(file, 4);
  file.writeUInt32BE(crc32c(data), 0);
  writeFileSync(path.join(dir, '3-2.snapshot'), file);
  writeFileSync(path.join(dir, 'log.tmp'), 'half a rewrite');
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.equal(reopened.firstIndex(), 4);
  assert.equal(reopened.lastIndex(), 4);
  assert.deepEqual(reopened.recovery.cuts, []);
  assert.ok(!readdirSync(dir).includes('log.tmp'));
});

test('a damaged snapshot is dropped for an older whole one', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  s.saveSnapshot({ lastIndex: 2, lastTerm: 1, data: Buffer.from('state@2') });
  s.close();
  writeFileSync(path.join(dir, '3-1.snapshot'), Buffer.from('garbage!'));
  const reopened = FileRaftStorage.open(dir);
  t.after(() => reopened.close());
  assert.equal(reopened.snapshot()!.lastIndex, 2);
  assert.equal(reopened.lastIndex(), 3);
  assert.equal(reopened.recovery.cuts[0]!.file, '3-1.snapshot');
});

test('a damaged state file is a named error, not a silent reset of the vote', (t) => {
  const dir = tempDir(t);
  const s = FileRaftStorage.open(dir);
  s.saveHardState({ term: 4, votedFor: 1 });
  s.close();
  const buf = readFileSync(path.join(dir, 'state'));
  buf[buf.length - 2] ^= 0x01;
  writeFileSync(path.join(dir, 'state'), buf);
  assert.throws(() => FileRaftStorage.open(dir), RaftStorageError);
});

test('file and memory storage agree on any sequence of operations, also after a reopen', (t) => {
  const dir = tempDir(t);
  let run = 0;
  const op = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 4 }), termBump: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('snapshot' as const), back: fc.integer({ min: 0, max: 5 }), conflict: fc.boolean() }),
    fc.record({ kind: fc.constant('vote' as const), term: fc.integer({ min: 0, max: 9 }), votedFor: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
      const sub = path.join(dir, String(run++));
      const file = FileRaftStorage.open(sub);
      const memory = new MemoryRaftStorage();
      let term = 1;
      for (const o of ops) {
        for (const s of [file, memory] as RaftStorage[]) {
          const last = s.lastIndex();
          if (o.kind === 'append') {
            const t2 = term + o.termBump;
            s.append(Array.from({ length: o.count }, (_, i) => entry(last + 1 + i, t2, `d${last + 1 + i}`)));
          } else if (o.kind === 'truncate') {
            s.truncateFrom(Math.max(s.firstIndex(), last - o.back + 1));
          } else if (o.kind === 'snapshot') {
            const at = Math.max(s.firstIndex(), last - o.back);
            const snapTerm = o.conflict ? term + 5 : (s.termAt(at) ?? term);
            if (at >= 1 && at >= s.firstIndex()) s.saveSnapshot({ lastIndex: at, lastTerm: snapTerm, data: Buffer.from(`s${at}`) });
          } else {
            s.saveHardState({ term: o.term, votedFor: o.votedFor });
          }
        }
        if (o.kind === 'append') term += o.termBump;
        if (o.kind === 'snapshot' && o.conflict) term += 5;
        assert.deepEqual(dump(file), dump(memory));
      }
      file.close();
      const reopened = FileRaftStorage.open(sub);
      assert.deepEqual(dump(reopened), dump(memory));
      assert.deepEqual(reopened.recovery.cuts, []);
      reopened.close();
    }),
    { numRuns: 60 },
  );
});

test('a node on file storage restarts with its term, vote and log, and re-delivers what it committed', (t) => {
  const dir = tempDir(t);
  const config = testConfig(1, [1]);
  const first = FileRaftStorage.open(dir);
  const node = new RaftNode(config, first, mulberry32(1), 0);
  node.tick(400);
  const result = node.propose([Buffer.from('a'), Buffer.from('b')], 401);
  assert.ok(result.ok);
  node.installSnapshotFromStateMachine(2, Buffer.from('state@2'));
  const { term } = node.status();
  first.close();

  const second = FileRaftStorage.open(dir);
  t.after(() => second.close());
  const restarted = new RaftNode(config, second, mulberry32(2), 1000);
  const status = restarted.status();
  assert.deepEqual([status.term, status.votedFor, status.snapshotIndex, status.lastLogIndex], [term, 1, 2, 3]);
  assert.equal(second.snapshot()!.data.toString(), 'state@2');
  const out = restarted.tick(1400);
  assert.equal(restarted.status().term, term + 1);
  assert.deepEqual(out.committed.map((e) => e.data.toString()), ['b', '']);
});
