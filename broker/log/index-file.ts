// The file half of a sparse segment index: fixed-size entries written append-style (Node has no
// mmap), read back whole on open. The in-memory half (typed arrays for binary search) lives in
// offset-index.ts and time-index.ts.
import fs from 'node:fs';

/** An index file whose bytes do not form a valid index; the caller rebuilds it from the log. */
export class CorruptIndexError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CorruptIndexError';
  }
}

const PENDING_LIMIT = 4096;

/** Inactive segments release their index files (the entries stay in memory), so a broker holds one
 * descriptor per old segment rather than three; a later truncation or rebuild reopens them. */
export class IndexFile {
  private fd: number;
  private size: number;
  private pending: Buffer[] = [];
  /** Whether the file was already there when opened (a missing index must be rebuilt). */
  readonly existed: boolean;

  constructor(readonly path: string, readonly entrySize: number) {
    this.existed = fs.existsSync(path);
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Every whole entry on disk; a trailing partial entry means the file is corrupt. */
  readAll(): Buffer {
    if (this.size % this.entrySize !== 0) {
      throw new CorruptIndexError(this.path, `size ${this.size} is not a multiple of the entry size ${this.entrySize}`);
    }
    const buf = Buffer.allocUnsafe(this.size);
    let done = 0;
    while (done < this.size) {
      const n = fs.readSync(this.handle(), buf, done, this.size - done, done);
      if (n === 0) throw new CorruptIndexError(this.path, 'file shrank while it was read');
      done += n;
    }
    return buf;
  }

  /** Queues an entry. Entries reach the file in groups (commit(), or once 4 KiB are queued): an
   * index only has to be complete on disk for segments below the recovery point, and those are
   * committed when they roll, flush or close; anything newer is rebuilt after a crash. */
  queue(entry: Buffer): void {
    this.pending.push(entry);
    if (this.pending.length * this.entrySize >= PENDING_LIMIT) this.commit();
  }

  commit(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    fs.writeSync(this.handle(), bytes, 0, bytes.length, this.size);
    this.size += bytes.length;
  }

  truncateToEntries(count: number): void {
    this.commit();
    const size = count * this.entrySize;
    if (size < this.size) {
      fs.ftruncateSync(this.handle(), size);
      this.size = size;
    }
  }

  /** Replaces the whole file content (used after a rebuild). */
  overwrite(bytes: Buffer): void {
    this.pending = [];
    fs.ftruncateSync(this.handle(), 0);
    if (bytes.length > 0) fs.writeSync(this.handle(), bytes, 0, bytes.length, 0);
    this.size = bytes.length;
  }

  flush(): void {
    this.commit();
    if (this.fd >= 0) fs.fsyncSync(this.fd);
  }

  /** Writes what is queued and closes the descriptor; the next write reopens it. */
  release(): void {
    this.commit();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  close(): void {
    this.release();
  }

  private handle(): number {
    if (this.fd < 0) this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return this.fd;
  }
}
