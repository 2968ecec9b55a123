// The data dirs a node is given (log.dirs): each checked to be a usable directory (created when
// missing) and locked for this process before anything in it is read or written (log-dir-lock.ts).
// A problem is a LogDirError naming the dir, which the caller reports against the config key.
import fs from 'node:fs';
import path from 'node:path';
import { LogDirLock, LogDirLockedError, type LockHolder } from './log-dir-lock.js';

/** A data dir that cannot be used: not a directory, not readable or not writable. */
export class LogDirError extends Error {
  constructor(readonly dir: string, readonly problem: string, options?: { cause?: unknown }) {
    super(`${dir} ${problem}`, options);
    this.name = 'LogDirError';
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(err);
}

/** Creates the dir if missing; throws LogDirError unless it is a directory this process can list. */
export function checkLogDir(dir: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new LogDirError(dir, `cannot be examined (${reason(err)})`, { cause: err });
  }
  if (stat && !stat.isDirectory()) throw new LogDirError(dir, 'is not a directory (a file is in the way)');
  if (!stat) {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new LogDirError(dir, `cannot be created (${reason(err)})`, { cause: err });
    }
  }
  try {
    fs.readdirSync(dir);
  } catch (err) {
    throw new LogDirError(dir, `is not readable (${reason(err)})`, { cause: err });
  }
}

/** The locks of every data dir of this process. */
export class LogDirLocks {
  constructor(private readonly locks: readonly LogDirLock[]) {}

  release(): void {
    for (const lock of this.locks) lock.release();
  }
}

/**
 * Checks and locks every dir, in order; on any failure the locks taken so far are released and the
 * error is thrown: LogDirError for an unusable dir, LogDirLockedError when another live process
 * holds one. `onStale` hears of each stale lock taken over (its holder died without releasing it).
 */
export function lockLogDirs(dirs: readonly string[], onStale: (dir: string, holder: LockHolder | undefined) => void = () => {}): LogDirLocks {
  const taken: LogDirLock[] = [];
  const seen = new Set<string>();
  try {
    for (const dir of dirs) {
      // The second lock of one dir would find this very process holding it.
      if (seen.has(path.resolve(dir))) throw new LogDirError(dir, 'is listed more than once');
      seen.add(path.resolve(dir));
      checkLogDir(dir);
      try {
        taken.push(LogDirLock.acquire(dir, { onStale: (holder) => onStale(dir, holder) }));
      } catch (err) {
        if (err instanceof LogDirLockedError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        const problem = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'is not writable' : 'cannot hold its lock file';
        throw new LogDirError(dir, `${problem} (${reason(err)})`, { cause: err });
      }
    }
  } catch (err) {
    for (const lock of taken) lock.release();
    throw err;
  }
  return new LogDirLocks(taken);
}
