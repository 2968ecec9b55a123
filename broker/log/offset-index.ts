// Sparse offset index of one segment: (offset - baseOffset) int32 -> file position int32, one entry
// per index.interval.bytes of log, pointing at the start of a batch. Lookups are binary searches
// over typed arrays; the file is only read on open.
import { CorruptIndexError, IndexFile } from './index-file.js';

const ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex {
  private readonly file: IndexFile;
  private relOffsets: Int32Array = new Int32Array(16);
  private positions: Int32Array = new Int32Array(16);
  private count = 0;
  readonly maxEntries: number;

  constructor(path: string, readonly baseOffset: number, maxIndexBytes: number) {
    this.file = new IndexFile(path, ENTRY_SIZE);
    this.maxEntries = Math.floor(maxIndexBytes / ENTRY_SIZE);
  }

  /** Loads the entries on disk; throws CorruptIndexError if they are not strictly increasing or
   * point past logSize. */
  load(logSize: number): void {
    const buf = this.file.readAll();
    this.count = 0;
    let lastRel = -1;
    let lastPos = -1;
    for (let pos = 0; pos < buf.length; pos += ENTRY_SIZE) {
      const rel = buf.readInt32BE(pos);
      const position = buf.readInt32BE(pos + ENTRY_SIZE / 2);
      if (rel <= lastRel || position <= lastPos || position >= logSize) {
        throw new CorruptIndexError(this.file.path, `entry ${pos / ENTRY_SIZE} (${rel} -> ${position}) is out of order or past the log end ${logSize}`);
      }
      this.push(rel, position);
      lastRel = rel;
      lastPos = position;
    }
  }

  /** False when the index file had to be created on open. */
  get existed(): boolean {
    return this.file.existed;
  }

  get entries(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  lastEntry(): OffsetPosition {
    if (this.count === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relOffsets[this.count - 1]!, position: this.positions[this.count - 1]! };
  }

  /** Adds an entry in memory and queues it for the file; ignored when full (lookups stay correct,
   * they just scan further) or not past the last entry. */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    if (this.isFull() || (this.count > 0 && rel <= this.relOffsets[this.count - 1]!)) return;
    this.push(rel, position);
    const entry = Buffer.allocUnsafe(ENTRY_SIZE);
    entry.writeInt32BE(rel, 0);
    entry.writeInt32BE(position, 4);
    this.file.queue(entry);
  }

  commit(): void {
    this.file.commit();
  }

  /** The entry with the largest offset <= target, or the segment start. */
  lookup(target: number): OffsetPosition {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relOffsets[found]!, position: this.positions[found]! };
  }

  /** Drops every entry at or after the given file position. */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
    this.count = n;
    this.file.truncateToEntries(n);
  }

  /** Replaces the whole index with entries computed from the log. */
  rebuild(entries: OffsetPosition[]): void {
    this.count = 0;
    const buf = Buffer.allocUnsafe(Math.min(entries.length, this.maxEntries) * ENTRY_SIZE);
    for (const e of entries) {
      if (this.isFull()) break;
      const rel = e.offset - this.baseOffset;
      buf.writeInt32BE(rel, this.count * ENTRY_SIZE);
      buf.writeInt32BE(e.position, this.count * ENTRY_SIZE + 4);
      this.push(rel, e.position);
    }
    this.file.overwrite(buf.subarray(0, this.count * ENTRY_SIZE));
  }

  flush(): void {
    this.file.flush();
  }

  /** Closes the file until the next write; lookups keep working from memory. */
  release(): void {
    this.file.release();
  }

  close(): void {
    this.file.close();
  }

  private push(rel: number, position: number): void {
    if (this.count === this.relOffsets.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.relOffsets = grow(this.relOffsets);
      this.positions = grow(this.positions);
    }
    this.relOffsets[this.count] = rel;
    this.positions[this.count] = position;
    this.count++;
  }
}
