// One process per log dir (Kafka locks `<log.dir>/.lock` with flock). Node has no flock, so the lock is
// a `.lock` file created with O_EXCL that names its holder: pid, the process start time (field 22 of
// /proc/<pid>/stat, clock ticks since boot) and the host. A newcomer that finds the file checks the
// holder: a live one (same pid, same start time) makes it stop; a dead pid, or a pid reused by another
// process (another start time), left a stale lock behind (kill -9, power loss) that is taken over.
//
// Taking over is made safe against a second newcomer doing the same at the same moment: the stale
// file is renamed to a name of our own (atomic, so only one of them gets that inode), and if what we
// moved turns out not to be the stale lock we judged (the other newcomer's fresh lock), it is linked
// back and we stop. Only three processes starting within microseconds of each other on a stale lock
// could both win; a lock held from another host (a shared file system) is never taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = '.lock';

/** Who holds a lock, as its file says. */
export interface LockHolder {
  pid: number;
  /** Clock ticks since boot when the process started; undefined where /proc is not available. */
  startTime: string | undefined;
  host: string;
}

/** The log dir is in use by another live process: start-up must stop. */
export class LogDirLockedError extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder | undefined, detail: string) {
    super(`log dir ${dir} is locked by ${detail}; another broker is using it`);
    this.name = 'LogDirLockedError';
  }
}

/** Field 22 of /proc/<pid>/stat; undefined when the process does not exist or /proc is missing. */
export function processStartTime(pid: number | 'self'): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3];
}

function render(holder: LockHolder): string {
  return `pid=${holder.pid}\nstart.time=${holder.startTime ?? ''}\nhost=${holder.host}\n`;
}

/** The holder a lock file names; undefined when the content is not a complete lock. */
export function parseLockHolder(text: string): LockHolder | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const pid = Number(fields.get('pid'));
  const host = fields.get('host');
  if (!Number.isSafeInteger(pid) || pid <= 0 || host === undefined || !fields.has('start.time')) return undefined;
  const startTime = fields.get('start.time');
  return { pid, startTime: startTime === '' ? undefined : startTime, host };
}

/** How the system sees the process a lock names. */
export interface ProcessProbe {
  /** True when a process with this pid exists (signal 0; EPERM means it exists under another user). */
  alive(pid: number): boolean;
  startTime(pid: number): string | undefined;
  host(): string;
}

export const systemProbe: ProcessProbe = {
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  startTime: (pid) => processStartTime(pid),
  host: () => os.hostname(),
};

/** A lock file younger than this without a complete content is being written by its creator. */
const FRESH_PARTIAL_LOCK_MS = 10_000;

/** Why a holder still holds the lock (stop), or undefined when the lock is stale (take it over). */
function liveHolder(holder: LockHolder, probe: ProcessProbe): string | undefined {
  if (holder.host !== probe.host()) return `pid ${holder.pid} on host ${holder.host} (not checkable from here)`;
  if (!probe.alive(holder.pid)) return undefined;
  // No recorded start time (no /proc where it was written): a live pid has to count as the holder.
  if (holder.startTime === undefined) return `pid ${holder.pid}`;
  const now = probe.startTime(holder.pid);
  if (now !== undefined && now !== holder.startTime) return undefined;
  return `pid ${holder.pid}`;
}

export class LogDirLock {
  private released = false;

  private constructor(readonly dir: string, private readonly content: string) {}

  get file(): string {
    return path.join(this.dir, LOCK_FILE);
  }

  /**
   * Takes `<dir>/.lock` for this process. Throws LogDirLockedError when a live process holds it;
   * other failures (the dir is missing, not writable) are thrown as they come. `onStale` hears about
   * a stale lock that was taken over.
   */
  static acquire(dir: string, options: { probe?: ProcessProbe; pid?: number; onStale?: (holder: LockHolder | undefined) => void } = {}): LogDirLock {
    const probe = options.probe ?? systemProbe;
    const pid = options.pid ?? process.pid;
    const me: LockHolder = { pid, startTime: probe.startTime(pid), host: probe.host() };
    const content = render(me);
    const file = path.join(dir, LOCK_FILE);
    // Each pass either creates the lock, stops, or removes one stale lock; a few passes suffice.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(file, content)) return new LogDirLock(dir, content);
      let text: string;
      let mtimeMs: number;
      try {
        text = fs.readFileSync(file, 'utf8');
        mtimeMs = fs.statSync(file).mtimeMs;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw err;
      }
      const holder = parseLockHolder(text);
      if (holder === undefined) {
        if (Date.now() - mtimeMs < FRESH_PARTIAL_LOCK_MS) throw new LogDirLockedError(dir, undefined, 'a process that is creating its lock file right now');
      } else {
        const live = liveHolder(holder, probe);
        if (live !== undefined) throw new LogDirLockedError(dir, holder, live);
      }
      if (removeIfStill(file, text, pid)) options.onStale?.(holder);
    }
    throw new LogDirLockedError(dir, undefined, 'processes that keep replacing its lock file');
  }

  /** Removes the lock if it is still ours (clean shutdown). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.content) fs.rmSync(this.file, { force: true });
    } catch {
      // Gone already, or the dir is gone: nothing to release.
    }
  }
}

/** Creates the file with O_EXCL and writes the content; false when it exists. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Removes the lock file only if it still holds `expected` (the stale content judged); true when it did. */
function removeIfStill(file: string, expected: string, pid: number): boolean {
  const aside = `${file}.stale-${pid}-${Date.now()}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  let moved = '';
  try {
    moved = fs.readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as not what we judged, and put it back
  }
  if (moved === expected) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // Another newcomer's fresh lock: give it back (if a third one created a lock in the gap, the link
  // fails and that one keeps its lock; either way we do not hold it).
  try {
    fs.linkSync(aside, file);
  } catch {
    // see above
  }
  fs.rmSync(aside, { force: true });
  return false;
}
