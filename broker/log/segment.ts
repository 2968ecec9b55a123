// One log segment: <20-digit baseOffset>.log with its sparse .index and .timeindex. Appends are one
// positional write at the end of the file; reads are one positional read into a fresh Buffer.
import fs from 'node:fs';
import path from 'node:path';
import {
  ATTRIBUTES, BASE_OFFSET, BASE_TIMESTAMP, LAST_OFFSET_DELTA, MAX_TIMESTAMP_POSITION, PARTITION_LEADER_EPOCH,
  batchHasDeleteHorizon, readInt64, decodeRecordBatch, type ConsumedRecord,
} from '../../client/index.js';
import { BatchScanner } from './batch-scanner.js';
import { CorruptIndexError } from './index-file.js';
import type { TimestampOffset } from './log-types.js';
import { OffsetIndex, type OffsetPosition } from './offset-index.js';
import { TimeIndex, type TimestampOffsetEntry } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
const INT32_MAX = 2147483647;
/** Enough for one index interval of batch headers in a single read. */
const LOOKUP_CHUNK = 16 * 1024;

export function formatOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function segmentFilePath(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, formatOffset(baseOffset) + suffix);
}

/** The facts about one batch that the segment needs to index it. */
export interface BatchSummary {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

export interface BatchLocation extends BatchSummary {
  position: number;
  partitionLeaderEpoch: number;
}

export interface SegmentSizing {
  segmentIndexBytes: number;
  indexIntervalBytes: number;
}

export interface RecoveryOutcome {
  /** Bytes cut from the end of the file (0 when every batch was valid). */
  truncatedBytes: number;
  /** Where the cut happened and why, when it happened. */
  cut?: { position: number; problem: string };
}

/** The log holds something that is not a valid batch where a batch should be; recovery is needed. */
export class CorruptSegmentError extends Error {
  constructor(readonly path: string, readonly position: number, message: string) {
    super(`${path} at position ${position}: ${message}`);
    this.name = 'CorruptSegmentError';
  }
}

function summarize(buf: Buffer, at: number, size: number): BatchSummary {
  const baseOffset = readInt64(buf, at + BASE_OFFSET);
  return {
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + LAST_OFFSET_DELTA),
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP_POSITION),
    size,
  };
}

export class LogSegment {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private fd: number;
  private fileSize: number;
  private next: number;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  /** See earliestDeleteHorizon(); undefined until asked, and again after the file changes. */
  private earliestHorizon: number | undefined;
  /** segment.ms counts from the first batch's timestamp, or from creation while empty (Kafka). */
  private rollingBasedTimestamp: number | undefined;
  private readonly created: number;

  private constructor(readonly dir: string, readonly baseOffset: number, sizing: SegmentSizing, now: number, truncate: boolean) {
    const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | (truncate ? fs.constants.O_TRUNC : 0);
    this.fd = fs.openSync(this.logPath, flags, 0o644);
    let offsetIndex: OffsetIndex | undefined;
    try {
      this.fileSize = fs.fstatSync(this.fd).size;
      if (truncate) {
        for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) fs.rmSync(segmentFilePath(dir, baseOffset, suffix), { force: true });
      }
      offsetIndex = new OffsetIndex(segmentFilePath(dir, baseOffset, INDEX_SUFFIX), baseOffset, sizing.segmentIndexBytes);
      this.timeIndex = new TimeIndex(segmentFilePath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset, sizing.segmentIndexBytes);
      this.offsetIndex = offsetIndex;
    } catch (err) {
      // No descriptor outlives a segment that failed to open (EMFILE makes them scarce).
      offsetIndex?.close();
      fs.closeSync(this.fd);
      throw err;
    }
    this.next = baseOffset;
    this.created = now;
  }

  /** A new, empty segment (any old files with that base offset are replaced). */
  static create(dir: string, baseOffset: number, sizing: SegmentSizing, now: number): LogSegment {
    return new LogSegment(dir, baseOffset, sizing, now, true);
  }

  /** An existing segment; call load() or recover() before use. */
  static open(dir: string, baseOffset: number, sizing: SegmentSizing, now: number): LogSegment {
    return new LogSegment(dir, baseOffset, sizing, now, false);
  }

  get logPath(): string {
    return segmentFilePath(this.dir, this.baseOffset, LOG_SUFFIX);
  }

  get size(): number {
    return this.fileSize;
  }

  /** One past the last offset in the segment (baseOffset when empty). */
  get nextOffset(): number {
    return this.next;
  }

  get maxTimestampSoFar(): number {
    return this.maxTimestamp;
  }

  /** For retention: the largest batch timestamp, or the file's mtime when no batch has one. */
  largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : fs.fstatSync(this.fd).mtimeMs;
  }

  /** The earliest delete horizon (KIP-534, set by the log cleaner) among the batches, Infinity when
   * none has one. Read from the batch headers when first asked and kept until the file changes. */
  earliestDeleteHorizon(): number {
    if (this.earliestHorizon === undefined) {
      let earliest = Infinity;
      for (const b of this.batches()) {
        if (batchHasDeleteHorizon(b.buf.readInt16BE(b.at + ATTRIBUTES))) earliest = Math.min(earliest, readInt64(b.buf, b.at + BASE_TIMESTAMP));
      }
      this.earliestHorizon = earliest;
    }
    return this.earliestHorizon;
  }

  /** Trusts the files after a clean shutdown: loads the indexes and scans only the unindexed tail.
   * Throws CorruptIndexError or CorruptSegmentError when they do not hold up; recover() then. */
  load(): void {
    if (this.fileSize > 0 && (!this.offsetIndex.existed || !this.timeIndex.existed)) {
      throw new CorruptIndexError(segmentFilePath(this.dir, this.baseOffset, INDEX_SUFFIX), 'an index file is missing');
    }
    this.offsetIndex.load(this.fileSize);
    this.recomputeTail();
    this.timeIndex.load(this.next);
    this.takeMaxFromTimeIndex();
  }

  /**
   * After recomputeTail() has seen only the unindexed tail: the time index's last entry is the
   * largest timestamp before it. On a tie the index's entry is the earlier record, and max.timestamp
   * answers the first record holding the largest timestamp.
   */
  private takeMaxFromTimeIndex(): void {
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime && lastTime.timestamp >= this.maxTimestamp) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
  }

  /** Scans every batch with full checks, cuts the file at the first invalid one, rebuilds both
   * indexes. */
  recover(sizing: SegmentSizing): RecoveryOutcome {
    const scanner = new BatchScanner(this.fd, this.fileSize, 0, 1024 * 1024);
    const offsetEntries: OffsetPosition[] = [];
    const timeEntries: TimestampOffsetEntry[] = [];
    this.resetState();
    let sinceIndex = 0;
    let cut: RecoveryOutcome['cut'];
    for (;;) {
      const step = scanner.next(true);
      if (step.kind === 'end') break;
      let batch: BatchSummary | undefined;
      let problem = step.kind === 'bad' ? step.problem : '';
      if (step.kind === 'batch') {
        try {
          batch = summarize(step.buf, step.at, step.size);
        } catch (err) {
          problem = (err as Error).message;
        }
        if (batch && batch.baseOffset < this.next) problem = `base offset ${batch.baseOffset} is below the expected ${this.next}`;
        else if (batch && batch.lastOffset - this.baseOffset > INT32_MAX) problem = `offset ${batch.lastOffset} does not fit this segment`;
      }
      if (!batch || problem !== '') {
        cut = { position: step.position, problem };
        break;
      }
      const indexHere = sinceIndex > sizing.indexIntervalBytes;
      this.track(batch);
      if (indexHere) {
        offsetEntries.push({ offset: batch.baseOffset, position: step.position });
        timeEntries.push({ timestamp: this.maxTimestamp, offset: this.offsetOfMaxTimestamp });
        sinceIndex = 0;
      }
      sinceIndex += batch.size;
    }
    const validBytes = cut ? cut.position : this.fileSize;
    const truncatedBytes = this.fileSize - validBytes;
    if (truncatedBytes > 0) {
      fs.ftruncateSync(this.fd, validBytes);
      this.fileSize = validBytes;
    }
    this.bytesSinceLastIndexEntry = sinceIndex;
    this.offsetIndex.rebuild(offsetEntries);
    if (this.maxTimestamp >= 0) timeEntries.push({ timestamp: this.maxTimestamp, offset: this.offsetOfMaxTimestamp });
    this.timeIndex.rebuild(timeEntries);
    return cut ? { truncatedBytes, cut } : { truncatedBytes };
  }

  /** Writes already-validated batches (laid out back to back in buf) at the end of the file. */
  append(buf: Buffer, batches: BatchSummary[], indexIntervalBytes: number): void {
    this.earliestHorizon = undefined;
    let written = 0;
    try {
      while (written < buf.length) {
        written += fs.writeSync(this.fd, buf, written, buf.length - written, this.fileSize + written);
      }
    } catch (err) {
      // A short write (disk full) must not leave a torn batch behind the last good one.
      if (written > 0) fs.ftruncateSync(this.fd, this.fileSize);
      throw err;
    }
    let position = this.fileSize;
    for (const batch of batches) {
      if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
        this.offsetIndex.append(batch.baseOffset, position);
        this.track(batch);
        this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
        this.bytesSinceLastIndexEntry = 0;
      } else {
        this.track(batch);
      }
      this.bytesSinceLastIndexEntry += batch.size;
      position += batch.size;
    }
    this.fileSize = position;
  }

  /** One read of [position, position + length) into a new Buffer. */
  read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.fileSize - position)));
    const done = this.readInto(position, buf.length, buf, 0);
    return done === buf.length ? buf : buf.subarray(0, done);
  }

  /** Reads [position, position + length) into target at `at` (no buffer of its own); returns the
   * bytes read, fewer only at the end of the file. */
  readInto(position: number, length: number, target: Buffer, at: number): number {
    const want = Math.max(0, Math.min(length, this.fileSize - position, target.length - at));
    let done = 0;
    while (done < want) {
      const n = fs.readSync(this.fd, target, at + done, want - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** The first batch whose last offset is >= offset, or undefined when the segment has none. */
  findBatch(offset: number): BatchLocation | undefined {
    const start = this.offsetIndex.lookup(offset).position;
    return this.scanFrom(start, (b) => (b.lastOffset >= offset ? b : undefined));
  }

  /**
   * Kafka's LogSegment.findOffsetByTimestamp: the lowest offset >= startingOffset whose record
   * timestamp is >= timestamp. The time index and each batch's maxTimestamp skip whole batches; the
   * first batch that can hold a match is decoded, because CreateTime records inside a batch need not
   * be in timestamp order. A batch whose matches all sit below startingOffset sends the search on.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): TimestampOffset | undefined {
    if (this.maxTimestamp < timestamp || this.next <= startingOffset) return undefined;
    const from = Math.max(this.timeIndex.lookup(timestamp), startingOffset);
    return this.scanFrom(this.offsetIndex.lookup(from).position, (b) => {
      if (b.maxTimestamp < timestamp || b.lastOffset < startingOffset) return undefined;
      const hit = this.recordsOf(b).find((r) => r.timestamp >= timestamp && r.offset >= startingOffset);
      return hit && { offset: hit.offset, timestamp: hit.timestamp, leaderEpoch: b.partitionLeaderEpoch };
    });
  }

  /**
   * The record holding maxTimestampSoFar (the first such record of the first such batch, as Kafka
   * answers max.timestamp since KAFKA-16310), or undefined when the segment is empty.
   */
  findMaxTimestampRecord(): TimestampOffset | undefined {
    if (this.maxTimestamp < 0) return undefined;
    const target = this.maxTimestamp;
    return this.scanFrom(this.offsetIndex.lookup(this.offsetOfMaxTimestamp).position, (b) => {
      if (b.maxTimestamp !== target) return undefined;
      // The largest record timestamp, not the header's claim: the first record that carries it.
      let best: ConsumedRecord | undefined;
      for (const r of this.recordsOf(b)) if (!best || r.timestamp > best.timestamp) best = r;
      return best && { offset: best.offset, timestamp: best.timestamp, leaderEpoch: b.partitionLeaderEpoch };
    });
  }

  /** Every batch from a position on, in order (header fields only). */
  *batches(fromPosition = 0): Generator<BatchLocation & { buf: Buffer; at: number }> {
    const scanner = new BatchScanner(this.fd, this.fileSize, fromPosition, 1024 * 1024);
    for (;;) {
      const step = scanner.next(false);
      if (step.kind === 'end') return;
      if (step.kind === 'bad') throw new CorruptSegmentError(this.logPath, step.position, step.problem);
      yield { ...this.locate(step.buf, step.at, step.size, step.position), buf: step.buf, at: step.at };
    }
  }

  /** Removes every batch from the one containing offset on; returns the bytes removed. */
  truncateTo(offset: number): number {
    const from = this.findBatch(offset);
    if (!from) return 0;
    const removed = this.fileSize - from.position;
    fs.ftruncateSync(this.fd, from.position);
    this.fileSize = from.position;
    this.offsetIndex.truncateToPosition(from.position);
    this.timeIndex.truncateToOffset(from.baseOffset);
    this.recomputeTail();
    this.takeMaxFromTimeIndex();
    return removed;
  }

  /** Kafka's LogSegment.shouldRoll for an append of `bytes` whose largest timestamp is maxTimestamp. */
  shouldRoll(config: { segmentBytes: number; segmentMs: number }, bytes: number, maxTimestamp: number, now: number): boolean {
    if (this.fileSize === 0) return false;
    const waited = this.rollingBasedTimestamp !== undefined ? maxTimestamp - this.rollingBasedTimestamp : now - this.created;
    return this.fileSize + bytes > config.segmentBytes
      || waited >= config.segmentMs
      || this.offsetIndex.isFull()
      || this.timeIndex.isFull();
  }

  /** Called when the segment stops being the active one: the final time index entry goes in. */
  onBecomeInactive(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    this.offsetIndex.release();
    this.timeIndex.release();
  }

  flush(): void {
    fs.fsyncSync(this.fd);
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  get fileDescriptor(): number {
    return this.fd;
  }

  close(): void {
    if (this.fd < 0) return;
    this.onBecomeInactive();
    this.offsetIndex.close();
    this.timeIndex.close();
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes and removes the segment's files. */
  deleteFiles(): void {
    this.close();
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      fs.rmSync(segmentFilePath(this.dir, this.baseOffset, suffix), { force: true });
    }
  }

  /** Visits batch headers from position on until `visit` returns something, and returns that. */
  private scanFrom<T>(position: number, visit: (b: BatchLocation) => T | undefined): T | undefined {
    const scanner = new BatchScanner(this.fd, this.fileSize, position, LOOKUP_CHUNK);
    for (;;) {
      const step = scanner.next(false);
      if (step.kind === 'end') return undefined;
      if (step.kind === 'bad') throw new CorruptSegmentError(this.logPath, step.position, step.problem);
      const found = visit(this.locate(step.buf, step.at, step.size, step.position));
      if (found !== undefined) return found;
    }
  }

  /** Every record of one batch, read whole and decoded (decompressed when needed). */
  private recordsOf(batch: BatchLocation): ConsumedRecord[] {
    const buf = this.read(batch.position, batch.size);
    try {
      return decodeRecordBatch(buf).records;
    } catch (err) {
      throw new CorruptSegmentError(this.logPath, batch.position, (err as Error).message);
    }
  }

  private locate(buf: Buffer, at: number, size: number, position: number): BatchLocation {
    return { ...summarize(buf, at, size), position, partitionLeaderEpoch: buf.readInt32BE(at + PARTITION_LEADER_EPOCH) };
  }

  private resetState(): void {
    this.earliestHorizon = undefined;
    this.next = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.rollingBasedTimestamp = undefined;
    this.bytesSinceLastIndexEntry = 0;
  }

  private track(batch: BatchSummary): void {
    if (this.rollingBasedTimestamp === undefined) this.rollingBasedTimestamp = batch.maxTimestamp;
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.baseOffset;
    }
    this.next = batch.lastOffset + 1;
  }

  /** nextOffset, the tail's max timestamp and the first batch's timestamp from the file, scanning
   * only what the offset index does not cover. */
  private recomputeTail(): void {
    this.resetState();
    if (this.fileSize === 0) return;
    const first = this.scanFrom(0, (b) => b);
    if (first) this.rollingBasedTimestamp = first.maxTimestamp;
    const last = this.offsetIndex.lastEntry();
    let sinceIndex = 0;
    for (const batch of this.batches(last.position)) {
      if (batch.position === last.position && batch.baseOffset !== last.offset && this.offsetIndex.entries > 0) {
        throw new CorruptIndexError(segmentFilePath(this.dir, this.baseOffset, INDEX_SUFFIX), `last entry says offset ${last.offset} but the batch there starts at ${batch.baseOffset}`);
      }
      sinceIndex += batch.size;
      this.track(batch);
    }
    this.bytesSinceLastIndexEntry = sinceIndex;
  }
}
