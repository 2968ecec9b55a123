// Sparse time index of one segment: max timestamp so far int64 -> (offset - baseOffset) int32 of the
// batch that carried it. Entries only grow in timestamp, so "the first batch at or after time T"
// starts its scan at the last entry whose timestamp is below T.
import { readInt64, writeInt64 } from '../../client/index.js';
import { CorruptIndexError, IndexFile } from './index-file.js';

const ENTRY_SIZE = 12;

export interface TimestampOffsetEntry {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  private readonly file: IndexFile;
  private timestamps: Float64Array = new Float64Array(16);
  private relOffsets: Int32Array = new Int32Array(16);
  private count = 0;
  readonly maxEntries: number;

  constructor(path: string, readonly baseOffset: number, maxIndexBytes: number) {
    this.file = new IndexFile(path, ENTRY_SIZE);
    this.maxEntries = Math.floor(maxIndexBytes / ENTRY_SIZE);
  }

  /** Loads the entries on disk; throws CorruptIndexError unless timestamps and offsets strictly
   * increase and offsets stay below nextOffset. */
  load(nextOffset: number): void {
    const buf = this.file.readAll();
    this.count = 0;
    let lastTs = -Infinity;
    let lastRel = -1;
    for (let pos = 0; pos < buf.length; pos += ENTRY_SIZE) {
      let ts: number;
      try {
        ts = readInt64(buf, pos);
      } catch {
        throw new CorruptIndexError(this.file.path, `entry ${pos / ENTRY_SIZE} has an out-of-range timestamp`);
      }
      const rel = buf.readInt32BE(pos + 8);
      if (ts <= lastTs || rel < lastRel || rel < 0 || this.baseOffset + rel >= nextOffset) {
        throw new CorruptIndexError(this.file.path, `entry ${pos / ENTRY_SIZE} (${ts} -> ${rel}) is out of order or past offset ${nextOffset}`);
      }
      this.push(ts, rel);
      lastTs = ts;
      lastRel = rel;
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

  lastEntry(): TimestampOffsetEntry | undefined {
    if (this.count === 0) return undefined;
    return { timestamp: this.timestamps[this.count - 1]!, offset: this.baseOffset + this.relOffsets[this.count - 1]! };
  }

  /** Adds an entry when the timestamp is larger than the last one. `force` lets the final entry of a
   * closing segment in even when the index is full, as Kafka does. */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if ((this.isFull() && !force) || timestamp < 0) return;
    if (this.count > 0 && timestamp <= this.timestamps[this.count - 1]!) return;
    const rel = offset - this.baseOffset;
    this.push(timestamp, rel);
    const entry = Buffer.allocUnsafe(ENTRY_SIZE);
    writeInt64(entry, timestamp, 0);
    entry.writeInt32BE(rel, 8);
    this.file.queue(entry);
  }

  commit(): void {
    this.file.commit();
  }

  /** The offset where a scan for the first batch with maxTimestamp >= target may start: the entry
   * of the largest timestamp strictly below target, or the segment start. */
  lookup(target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.relOffsets[found]!;
  }

  /** Drops every entry whose offset is >= offset. */
  truncateToOffset(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.relOffsets[n - 1]! >= offset) n--;
    this.count = n;
    this.file.truncateToEntries(n);
  }

  rebuild(entries: TimestampOffsetEntry[]): void {
    this.count = 0;
    this.file.overwrite(Buffer.alloc(0));
    for (const e of entries) this.maybeAppend(e.timestamp, e.offset);
    this.file.commit();
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

  private push(ts: number, rel: number): void {
    if (this.count === this.timestamps.length) {
      const ts2 = new Float64Array(this.timestamps.length * 2);
      ts2.set(this.timestamps);
      const rel2 = new Int32Array(this.relOffsets.length * 2);
      rel2.set(this.relOffsets);
      this.timestamps = ts2;
      this.relOffsets = rel2;
    }
    this.timestamps[this.count] = ts;
    this.relOffsets[this.count] = rel;
    this.count++;
  }
}
