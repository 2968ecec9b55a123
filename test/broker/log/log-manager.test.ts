import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT, REPLICATION_CHECKPOINT,
} from '../../../broker/log/log-manager.js';
import { readMetaProperties, writeMetaProperties } from '../../../broker/log/meta-properties.js';
import { CorruptCheckpointError, readOffsetCheckpoint } from '../../../broker/log/checkpoint-file.js';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from '../../../broker/log/partition-metadata.js';
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
  const logs = [0, 1, 2, 3].map((p) => m.createLog('orders', p, config(), 'id-orders'));
  assert.equal(m.createLog('orders', 0, config(), 'id-orders'), logs[0]);
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
  const log = m.createLog('events', 0, config(), 'id-events');
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
  for (const p of [0, 1]) m.createLog('gone', p, config(), 'id-gone').appendAsLeader(batch(1), 0);
  m.createLog('gone.not', 0, config(), 'id-gone.not').appendAsLeader(batch(1), 0);
  m.deleteLogs('gone');
  assert.deepEqual(fs.readdirSync(root).filter((f) => !f.includes('checkpoint')).sort(), ['gone.not-0']);
  assert.deepEqual(m.allLogs().map((l) => l.topic), ['gone.not']);
  assert.deepEqual(readOffsetCheckpoint(path.join(root, RECOVERY_POINT_CHECKPOINT)).map((e) => e.topic), ['gone.not']);
});

test('createLog refuses invalid topic names and partitions', (t) => {
  const m = manager(t, [tempDir(t)]);
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  assert.throws(() => m.createLog('bad/name', 0, config(), 'id-bad_name'), StraitError);
  assert.throws(() => m.createLog('ok', -1, config(), 'id-ok'), RangeError);
});

test('runRetention, runCompaction and flushDirty act on every log', (t) => {
  let now = 1_000_000;
  const root = tempDir(t);
  const m = manager(t, [root], () => now);
  m.loadLogs(() => config());
  const del = m.createLog('del', 0, config({ segmentBytes: 1, retentionMs: 1000, flushMs: 500 }), 'id-del');
  const cmp = m.createLog('cmp', 0, config({ segmentBytes: 1, cleanupPolicy: 'compact' }), 'id-cmp');
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
  const log = m.createLog('bg', 0, config({ flushMs: 0 }), 'id-bg');
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

test('partition.metadata: Kafka\'s format, written on creation, read back on load; older dirs have none', (t) => {
  const root = tempDir(t);
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  m.createLog('ids', 0, config(), 'AAAAAAAAAAAAAAAAAAAAAA').appendAsLeader(batch(2), 0);
  const legacy = m.createLog('legacy', 0, config(), 'will-be-removed');
  legacy.appendAsLeader(batch(1), 0);
  assert.equal(fs.readFileSync(path.join(root, 'ids-0', PARTITION_METADATA_FILE), 'utf8'), 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA\n');
  m.shutdown();
  fs.rmSync(path.join(root, 'legacy-0', PARTITION_METADATA_FILE));

  const again = manager(t, [root]);
  again.loadLogs(() => config());
  onCleanup(t, () => again.shutdown());
  assert.equal(again.topicIdOf('ids', 0), 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(again.getLog('ids', 0)!.logEndOffset, 2);
  assert.equal(again.topicIdOf('legacy', 0), undefined);
  again.assignTopicId('legacy', 0, 'claimed-id');
  assert.equal(readPartitionMetadata(path.join(root, 'legacy-0')), 'claimed-id');
  assert.equal(again.topicIdOf('legacy', 0), 'claimed-id');

  for (const bad of ['version: 1\ntopic_id: x\n', 'topic_id: x\n', 'version: 0\n', 'version: 0\ntopic_id: two words\n', 'garbage']) {
    fs.writeFileSync(path.join(root, PARTITION_METADATA_FILE), bad);
    assert.throws(() => readPartitionMetadata(root), CorruptCheckpointError, JSON.stringify(bad));
  }
});

test('deleting by topic id leaves a directory of another incarnation; a stray is renamed away and removed', (t) => {
  const root = tempDir(t);
  const captured = capturedLogger();
  const m = new LogManager({ logDirs: [root], logger: captured.logger });
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  m.createLog('name', 0, config(), 'new-id').appendAsLeader(batch(1), 0);
  assert.equal(m.deleteLogs('name', 'old-id'), 0);
  assert.ok(m.getLog('name', 0));
  m.removeStray('name', 0, 'image-id');
  assert.equal(m.getLog('name', 0), undefined);
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.startsWith('name')), []);
  const warn = captured.lines().find((l) => String(l.msg).includes('stray'));
  assert.equal(warn?.diskTopicId, 'new-id');
  assert.equal(warn?.imageTopicId, 'image-id');
  // The name is free again: a new log starts empty.
  assert.equal(m.createLog('name', 0, config(), 'image-id').logEndOffset, 0);
  assert.equal(m.deleteLogs('name', 'image-id'), 1);
});

test('directories whose removal was interrupted (-delete, -stray) are finished at load', (t) => {
  const root = tempDir(t);
  for (const name of ['t-0.0123456789abcdef0123456789abcdef-delete', 't-1.fedcba9876543210fedcba9876543210-stray']) {
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, '00000000000000000000.log'), 'x');
  }
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  assert.equal(m.allLogs().length, 0);
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.startsWith('t-')), []);
});

test('a log that fails to open at load is offline; the others load; no clean marker for its dir', (t) => {
  const root = tempDir(t);
  const m = manager(t, [root]);
  m.loadLogs(() => config());
  m.createLog('fine', 0, config(), 'fine-id').appendAsLeader(batch(1), 0);
  m.createLog('broken', 0, config(), 'broken-id').appendAsLeader(batch(1), 0);
  m.shutdown();
  // An index that is a directory: the segment cannot open (this works as root, unlike chmod).
  const index = path.join(root, 'broken-0', '00000000000000000000.index');
  fs.rmSync(index);
  fs.mkdirSync(index);

  const again = manager(t, [root]);
  again.loadLogs(() => config());
  assert.equal(again.getLog('fine', 0)!.logEndOffset, 1);
  assert.equal(again.getLog('broken', 0), undefined);
  const down = again.offlineLog('broken', 0);
  assert.equal(down?.topicId, 'broken-id');
  assert.match(down?.error ?? '', /EISDIR|directory/);
  assert.throws(() => again.createLog('broken', 0, config(), 'broken-id'), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR);
  assert.ok(fs.statSync(index).isDirectory(), 'an offline directory is left alone');
  again.shutdown();
  assert.equal(fs.existsSync(path.join(root, CLEAN_SHUTDOWN_FILE)), false, 'the dir holding an offline log is recovered next time');
});

test('a failed creation takes the partition offline once: the next attempt fails without touching the disk', (t) => {
  const root = tempDir(t);
  const offline: string[] = [];
  const m = new LogManager({ logDirs: [root], logger: silentLogger, onOffline: (o) => offline.push(`${o.topic}-${o.partition}`) });
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  fs.writeFileSync(path.join(root, 'blocked-0'), 'a file where the partition directory must go');
  const storageError = (err: unknown): boolean => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR;
  assert.throws(() => m.createLog('blocked', 0, config(), 'b-id'), storageError);
  assert.deepEqual(offline, ['blocked-0']);
  assert.deepEqual(m.offlineLogs().map((o) => [o.topic, o.partition, o.topicId]), [['blocked', 0, 'b-id']]);
  fs.rmSync(path.join(root, 'blocked-0'));
  assert.throws(() => m.createLog('blocked', 0, config(), 'b-id'), storageError);
  assert.equal(fs.existsSync(path.join(root, 'blocked-0')), false, 'offline until restart: no new attempt');
  assert.deepEqual(offline, ['blocked-0']);
});

test('an append whose files fail takes the partition offline and closes its log', (t) => {
  const root = tempDir(t);
  const offline: string[] = [];
  const m = new LogManager({ logDirs: [root], logger: silentLogger, onOffline: (o) => offline.push(o.error) });
  m.loadLogs(() => config());
  onCleanup(t, () => m.shutdown());
  const log = m.createLog('failing', 0, config({ segmentBytes: 1 }), 'f-id');
  log.appendAsLeader(batch(1), 0);
  // The next append rolls to a segment at offset 1, whose file name is taken by a directory.
  fs.mkdirSync(path.join(root, 'failing-0', '00000000000000000001.log'));
  assert.throws(() => log.appendAsLeader(batch(1), 0), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal(offline.length, 1);
  assert.equal(m.getLog('failing', 0), undefined);
  assert.ok(log.isClosed);
  assert.equal(m.offlineLog('failing', 0)?.topicId, 'f-id');
  assert.throws(() => log.read(0, 1000, { minOneBatch: true }), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal(m.deleteLogs('failing', 'f-id'), 1, 'deleting the topic removes an offline directory too');
  assert.equal(fs.existsSync(path.join(root, 'failing-0')), false);
  assert.equal(m.offlineLog('failing', 0), undefined);
});

test('a descriptor budget keeps logs beyond it offline (at creation and at load) instead of starving the process', (t) => {
  const root = tempDir(t);
  const m = new LogManager({ logDirs: [root], logger: silentLogger, descriptorBudget: 7 });
  m.loadLogs(() => config());
  m.createLog('fd', 0, config(), 'fd-id');
  m.createLog('fd', 1, config(), 'fd-id');
  assert.throws(() => m.createLog('fd', 2, config(), 'fd-id'), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.KAFKA_STORAGE_ERROR
    && /hold about 6 of the 7 file descriptors/.test(err.message));
  assert.match(m.offlineLog('fd', 2)?.error ?? '', /raise the limit/);
  m.shutdown();

  const unlimited = manager(t, [root]);
  unlimited.loadLogs(() => config());
  unlimited.createLog('fd', 2, config(), 'fd-id');
  unlimited.shutdown();
  const tight = new LogManager({ logDirs: [root], logger: silentLogger, descriptorBudget: 6 });
  tight.loadLogs(() => config());
  onCleanup(t, () => tight.shutdown());
  assert.equal(tight.allLogs().length, 2);
  assert.equal(tight.offlineLogs().length, 1);
});
