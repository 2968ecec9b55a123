import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { StraitError } from '../../../client/errors.js';
import {
  CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT, REPLICATION_CHECKPOINT,
} from '../../../broker/log/log-manager.js';
import { readMetaProperties, writeMetaProperties } from '../../../broker/log/meta-properties.js';
import { CorruptCheckpointError, readOffsetCheckpoint } from '../../../broker/log/checkpoint-file.js';
import { batch, capturedLogger, config, keyed, onCleanup, silentLogger, tempDir } from './helpers.js';

function manager(t: Parameters<typeof tempDir>[0], dirs: string[], now?: () => number): LogManager {
  const m = new LogManager({ logDirs: dirs, logger: silentLogger, now });
  onCleanup(t, () => m.stopBackgroundTasks());
  return m;
}

test('logs spread over the data dirs, survive a clean shutdown with checkpoints and marker', (t) => {
  const root = tempDir(t);
  const dirs = [path.join(root, 'a'), path.join(root, 'b')];
  const m = manager(t, dirs);
  m.loadLogs(() => config());
  const logs = [0, 1, 2, 3].map((p) => m.createLog('orders', p, config()));
  assert.equal(m.createLog('orders', 0, config()), logs[0]);
  assert.equal(m.getLog('orders', 2), logs[2]);
  assert.equal(m.getLog('orders', 9), undefined);
  assert.deepEqual(dirs.map((d) => fs.readdirSync(d).filter((f) => f.startsWith('orders-')).length), [2, 2]);
  for (const log of logs) log.appendAsLeader(batch(3), 1);
  logs[0]!.highWatermarkFollowsLogEnd = false;
  logs[0]!.appendAsLeader(batch(2), 1);
  m.shutdown();
  for (const d of dirs) {
    assert.ok(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE)));
    assert.match(fs.readFileSync(path.join(d, RECOVERY_POINT_CHECKPOINT), 'utf8'), /^0\n2\norders \d \d+\norders \d \d+\n$/);
  }
  const hws = dirs.flatMap((d) => readOffsetCheckpoint(path.join(d, REPLICATION_CHECKPOINT)));
  assert.deepEqual(hws.find((e) => e.partition === 0), { topic: 'orders', partition: 0, offset: 3 });

  const again = manager(t, dirs);
  again.loadLogs(() => config());
  onCleanup(t, () => again.shutdown());
  for (const d of dirs) assert.equal(fs.existsSync(path.join(d, CLEAN_SHUTDOWN_FILE)), false);
  assert.equal(again.allLogs().length, 4);
  assert.equal(again.getLog('orders', 0)!.logEndOffset, 5);
  assert.equal(again.getLog('orders', 0)!.highWatermark, 3);
  assert.equal(again.getLog('orders', 3)!.logEndOffset, 3);
});

test('a dir without the clean marker is recovered; bad topic dirs and corrupt checkpoints are skipped', (t) => {
  const root = tempDir(t);
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  const log = m.createLog('events', 0, config());
  log.appendAsLeader(batch(2), 0);
  log.appendAsLeader(batch(2), 0);
  m.checkpoint();
  // Crash: copy what is on disk, then add a torn tail.
  const copy = tempDir(t);
  fs.cpSync(root, copy, { recursive: true });
  m.shutdown();
  fs.appendFileSync(path.join(copy, 'events-0', '00000000000000000000.log'), Buffer.alloc(20, 9));
  fs.mkdirSync(path.join(copy, 'not a partition'));
  fs.writeFileSync(path.join(copy, REPLICATION_CHECKPOINT), 'garbage\n');
  const captured = capturedLogger();
  const recovered = new LogManager({ logDirs: [copy], logger: captured.logger });
  recovered.loadLogs(() => config());
  onCleanup(t, () => recovered.shutdown());
  assert.equal(recovered.getLog('events', 0)!.logEndOffset, 4);
  assert.equal(recovered.allLogs().length, 1);
  const warns = captured.lines().filter((l) => l.level === 40).map((l) => String(l.msg));
  assert.ok(warns.some((w) => w.includes('recovery cut events-0 at offset 4')));
  assert.ok(warns.some((w) => w.includes('not <topic>-<partition>')));
  assert.ok(warns.some((w) => w.includes('checkpoint file is corrupt')));
});

test('deleteLogs removes the files of every partition of a topic and nothing else', (t) => {
  const root = tempDir(t);
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  for (const p of [0, 1]) m.createLog('gone', p, config()).appendAsLeader(batch(1), 0);
  m.createLog('gone.not', 0, config()).appendAsLeader(batch(1), 0);
  m.deleteLogs('gone');
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.includes('checkpoint')).sort(), ['gone.not-0']);
  assert.deepEqual(m.allLogs().map((l) => l.topic), ['gone.not']);
  assert.deepEqual(readOffsetCheckpoint(path.join(root, RECOVERY_POINT_CHECKPOINT)).map((e) => e.topic), ['gone.not']);
});

test('createLog refuses invalid topic names and partitions', (t) => {
  const m = manager(t, [tempDir(t)]);
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  assert.throws(() => m.createLog('bad/name', 0, config()), StraitError);
  assert.throws(() => m.createLog('ok', -1, config()), RangeError);
});

test('runRetention, runCompaction and flushDirty act on every log', (t) => {
  let now = 1_000_000;
  const root = tempDir(t);
  const m = manager(t, [root], () => now);
  m.loadLogs(() => config());
  const del = m.createLog('del', 0, config({ segmentBytes: 1, retentionMs: 1000, flushMs: 500 }));
  const cmp = m.createLog('cmp', 0, config({ segmentBytes: 1, cleanupPolicy: 'compact' }));
  for (let i = 0; i < 3; i++) del.appendAsLeader(batch(1, { timestamp: now }), 0);
  for (let i = 0; i < 3; i++) cmp.appendAsLeader(keyed([{ key: 'k', value: String(i), timestamp: now }]), 0);
  assert.equal(m.runRetention(), 0);
  now += 2000;
  assert.equal(m.runRetention(), 2);
  assert.equal(del.logStartOffset, 2);
  assert.equal(m.runCompaction(), 1); // only the first segment held a superseded value
  assert.equal(del.recoveryPoint, 2); // retention moved it to the new log start
  m.flushDirty();
  assert.equal(del.recoveryPoint, 3);
  assert.equal(cmp.cleanedUpTo, 2);
  m.shutdown();
  const again = manager(t, [root], () => now);
  again.loadLogs((topic) => topic === 'cmp' ? config({ segmentBytes: 1, cleanupPolicy: 'compact' }) : config());
  onCleanup(t, () => again.shutdown());
  assert.equal(again.getLog('cmp', 0)!.cleanedUpTo, 2, 'the cleaner position survives a restart');
  assert.equal(again.getLog('del', 0)!.logStartOffset, 2);
});

test('background tasks run on their intervals and stop', async (t) => {
  const root = tempDir(t);
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  const log = m.createLog('bg', 0, config({ flushMs: 0 }));
  log.appendAsLeader(batch(1), 0);
  m.startBackgroundTasks({ flushCheckMs: 5, checkpointMs: 5, retentionCheckMs: 5, compactionMs: 5 });
  const deadline = Date.now() + 2000;
  while (log.recoveryPoint < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(log.recoveryPoint, 1);
  m.stopBackgroundTasks();
});

test('meta.properties round trip, atomic, and malformed files are a named error', (t) => {
  const dir = tempDir(t);
  assert.equal(readMetaProperties(dir), undefined);
  writeMetaProperties(dir, { nodeId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', version: 1 });
  assert.deepEqual(readMetaProperties(dir), { nodeId: 3, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk', version: 1 });
  assert.deepEqual(fs.readdirSync(dir), ['meta.properties']);
  fs.writeFileSync(path.join(dir, 'meta.properties'), 'node.id=x\ncluster.id=c\n');
  assert.throws(() => readMetaProperties(dir), CorruptCheckpointError);
});

test('offset checkpoints reject malformed content', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'cp');
  for (const text of ['1\n0\n', '0\n2\na 0 1\n', '0\n1\na x 1\n', '0\n1\na 0\n']) {
    fs.writeFileSync(file, text);
    assert.throws(() => readOffsetCheckpoint(file), CorruptCheckpointError, JSON.stringify(text));
  }
  fs.writeFileSync(file, '0\n1\nmy.topic 7 123\n');
  assert.deepEqual(readOffsetCheckpoint(file), [{ topic: 'my.topic', partition: 7, offset: 123 }]);
});
