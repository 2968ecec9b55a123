// The log dir lock and the data dir checks, in-process: a live holder stops a newcomer, a dead pid or
// a reused pid (another start time) left a stale lock that is taken over, release removes only our
// own lock, and an unusable dir is a LogDirError naming it. Processes are simulated with a probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  LOCK_FILE, LogDirLock, LogDirLockedError, parseLockHolder, processStartTime, type ProcessProbe,
} from '../../../broker/log/log-dir-lock.js';
import { LogDirError, checkLogDir, lockLogDirs } from '../../../broker/log/log-dirs.js';
import { tempDir } from './helpers.js';

/** A system where the given pids run with the given start times, on host h1. */
function probe(running: Record<number, string>): ProcessProbe {
  return {
    alive: (pid) => Object.hasOwn(running, pid),
    startTime: (pid) => running[pid],
    host: () => 'h1',
  };
}

test('the lock file names pid, start time and host; a live holder stops a newcomer naming the dir and pid', (t) => {
  const dir = tempDir(t);
  const system = probe({ 100: '5000', 200: '6000' });
  const lock = LogDirLock.acquire(dir, { probe: system, pid: 100 });
  const text = fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8');
  assert.equal(text, 'pid=100\nstart.time=5000\nhost=h1\n');
  assert.deepEqual(parseLockHolder(text), { pid: 100, startTime: '5000', host: 'h1' });
  assert.throws(() => LogDirLock.acquire(dir, { probe: system, pid: 200 }), (err: unknown) => {
    assert.ok(err instanceof LogDirLockedError);
    assert.equal(err.holder?.pid, 100);
    assert.match(err.message, new RegExp(`${dir}.*pid 100`));
    return true;
  });
  // The same process asking again is refused too (one dir, one user).
  assert.throws(() => LogDirLock.acquire(dir, { probe: system, pid: 100 }), LogDirLockedError);
  assert.equal(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'), text, 'the refused newcomers changed nothing');
  lock.release();
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
  LogDirLock.acquire(dir, { probe: system, pid: 200 }).release();
});

test('a stale lock (dead pid, or the pid reused by a process started at another time) is taken over', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, LOCK_FILE), 'pid=300\nstart.time=7000\nhost=h1\n');
  const stale: (number | undefined)[] = [];
  const lock = LogDirLock.acquire(dir, { probe: probe({ 200: '6000' }), pid: 200, onStale: (h) => stale.push(h?.pid) });
  assert.deepEqual(stale, [300]);
  assert.equal(parseLockHolder(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))?.pid, 200);
  lock.release();

  // pid 300 is alive again, but it is another process: it started at 9000, the lock says 7000.
  fs.writeFileSync(path.join(dir, LOCK_FILE), 'pid=300\nstart.time=7000\nhost=h1\n');
  const reused = probe({ 200: '6000', 300: '9000' });
  LogDirLock.acquire(dir, { probe: reused, pid: 200 }).release();
  assert.deepEqual(fs.readdirSync(dir), [], 'no aside files are left behind');
});

test('locks that cannot be judged are not taken over: another host, a live pid without a start time, a fresh partial file', (t) => {
  const dir = tempDir(t);
  const system = probe({ 200: '6000', 300: '1' });
  const file = path.join(dir, LOCK_FILE);
  fs.writeFileSync(file, 'pid=300\nstart.time=7000\nhost=other-host\n');
  assert.throws(() => LogDirLock.acquire(dir, { probe: system, pid: 200 }), /pid 300 on host other-host/);
  fs.writeFileSync(file, 'pid=300\nstart.time=\nhost=h1\n');
  assert.throws(() => LogDirLock.acquire(dir, { probe: system, pid: 200 }), /locked by pid 300/);
  fs.writeFileSync(file, '');
  assert.throws(() => LogDirLock.acquire(dir, { probe: system, pid: 200 }), /creating its lock file/);
  // The same empty file, old: its creator died between create and write.
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
  LogDirLock.acquire(dir, { probe: system, pid: 200 }).release();
});

test('release leaves a lock that is not ours alone', (t) => {
  const dir = tempDir(t);
  const lock = LogDirLock.acquire(dir, { probe: probe({ 100: '1' }), pid: 100 });
  fs.writeFileSync(path.join(dir, LOCK_FILE), 'pid=400\nstart.time=2\nhost=h1\n');
  lock.release();
  assert.equal(parseLockHolder(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))?.pid, 400);
});

test('this process has a start time on Linux', { skip: process.platform !== 'linux' }, () => {
  assert.match(processStartTime('self') ?? '', /^\d+$/);
  assert.equal(processStartTime(process.pid), processStartTime('self'));
});

test('data dirs: created when missing; a file in the way, a dir listed twice and a held dir are refused', (t) => {
  const root = tempDir(t);
  const missing = path.join(root, 'new', 'data');
  checkLogDir(missing);
  assert.ok(fs.statSync(missing).isDirectory());
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, 'x');
  assert.throws(() => checkLogDir(file), (err: unknown) => err instanceof LogDirError && err.dir === file && /not a directory/.test(err.message));
  const under = path.join(file, 'data');
  assert.throws(() => checkLogDir(under), (err: unknown) => err instanceof LogDirError && err.dir === under);

  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  assert.throws(() => lockLogDirs([a, `${a}/`]), /listed more than once/);
  const locks = lockLogDirs([a, b]);
  assert.throws(() => lockLogDirs([path.join(root, 'c'), b]), LogDirLockedError);
  assert.equal(fs.existsSync(path.join(root, 'c', LOCK_FILE)), false, 'a refused start releases what it took');
  locks.release();
  assert.deepEqual([a, b].map((d) => fs.existsSync(path.join(d, LOCK_FILE))), [false, false]);
});
