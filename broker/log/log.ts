// One partition's log (DESIGN §5): an ordered list of segments, the newest one active. All file I/O
// is synchronous on purpose: writes land in the page cache and cost little next to an RPC, and an
// append or truncation can never interleave with another on the event loop.
import fs from 'node:fs';
import type { Logger } from 'pino';
import {
  ErrorCode, StraitError, ATTRIBUTES, BASE_OFFSET, BATCH_LENGTH, CRC, LOG_OVERHEAD, MAX_TIMESTAMP_POSITION,
  TIMESTAMP_TYPE_MASK, type BatchHeader, computeBatchCrc, readBatchHeader, readInt64, setBaseOffset,
  setPartitionLeaderEpoch, writeInt64,
} from '../../client/index.js';
import { validateBatches, type ValidatedBatch } from './append-validation.js';
import { CorruptCheckpointError } from './checkpoint-file.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { loadSegments } from './log-loader.js';
import { retentionDeletableCount } from './log-retention.js';
import type {
  AppendResult, EpochEndOffset, LocatedRead, PartitionLog, ReadOptions, ReadResult, TimestampOffset,
} from './log-types.js';
import { ProducerStateManager } from './producer-state.js';
import { type BatchSummary, LogSegment } from './segment.js';
import type { TopicConfig } from './topic-config.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP_QUERY = -3;
const INT32_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);

export interface LogOpenOptions {
  dir: string;
  topic: string;
  partition: number;
  config: TopicConfig;
  logger: Logger;
  now?: () => number;
  /** Offset up to which the files are known to be on disk; recovery scans from its segment on. */
  recoveryPoint?: number;
  /** The log dir was shut down cleanly: trust the indexes instead of scanning. */
  cleanShutdown?: boolean;
  /** Told of every failed file operation (before the KAFKA_STORAGE_ERROR is thrown): the owner
   * takes the partition offline. */
  onStorageError?: (err: StraitError) => void;
}

export class Log implements PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  /** Consumers read below this. */
  highWatermark: number;
  /** While true every append moves the high watermark to the log end (a single-replica partition).
   * Replication sets it false and moves highWatermark itself. */
  highWatermarkFollowsLogEnd = true;
  /** Offsets below this have been compacted since the log was opened (log-cleaner.ts). */
  cleanedUpTo: number;
  private cfg: TopicConfig;
  private segments: LogSegment[];
  private startOffset: number;
  private endOffset: number;
  private recoveryPointOffset: number;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private closed = false;
  private readonly producerState: ProducerStateManager;
  private readonly epochCache: LeaderEpochCache;
  private readonly logger: Logger;
  private readonly onStorageError: ((err: StraitError) => void) | undefined;
  readonly now: () => number;

  private constructor(o: LogOpenOptions) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.dir = o.dir;
    this.cfg = o.config;
    this.now = o.now ?? Date.now;
    this.logger = o.logger.child({ topic: o.topic, partition: o.partition });
    this.onStorageError = o.onStorageError;
    const loaded = loadSegments({
      dir: o.dir, topic: o.topic, partition: o.partition, sizing: o.config, logger: this.logger, now: this.now(),
      recoveryPoint: o.recoveryPoint ?? 0, cleanShutdown: o.cleanShutdown ?? false,
    });
    this.segments = loaded.segments;
    this.startOffset = this.segments[0]!.baseOffset;
    this.endOffset = this.active.nextOffset;
    this.recoveryPointOffset = Math.min(o.recoveryPoint ?? 0, this.endOffset);
    this.highWatermark = this.endOffset;
    this.cleanedUpTo = this.startOffset;
    this.lastFlushMs = this.now();
    try {
      this.producerState = new ProducerStateManager(o.dir);
      this.epochCache = new LeaderEpochCache(o.dir);
      this.loadEpochCache();
      this.loadProducerState();
    } catch (err) {
      // A log that cannot open keeps no descriptors (they are scarce when EMFILE is the reason).
      this.abandon();
      throw err;
    }
  }

  /** Opens (creating if needed) the log in o.dir, recovering it when the shutdown was not clean. */
  static open(o: LogOpenOptions): Log {
    return new Log(o);
  }

  get config(): TopicConfig {
    return this.cfg;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }

  get sizeInBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get numberOfSegments(): number {
    return this.segments.length;
  }

  /** The segments, oldest first (the last one is active). For the cleaner and tools. */
  get segmentList(): readonly LogSegment[] {
    return this.segments;
  }

  appendAsLeader(records: Buffer, leaderEpoch: number): AppendResult {
    this.ensureOpen();
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < -1 || leaderEpoch > INT32_MAX) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `leader epoch ${leaderEpoch} is not an int32`);
    }
    const batches = validateBatches(records, {
      origin: 'client',
      maxMessageBytes: this.cfg.maxMessageBytes,
      requireKeys: this.cfg.cleanupPolicy !== 'delete',
      timestampType: this.cfg.messageTimestampType,
    });
    const recordCount = batches.reduce((n, b) => n + b.header.recordCount, 0);
    const verdicts = this.producerState.validate(batches.map((b) => b.header));
    const duplicate = verdicts.findIndex((v) => v.kind === 'duplicate');
    if (duplicate >= 0) {
      const verdict = verdicts[duplicate]!;
      // One answer per append: it can carry a duplicate's original offsets only when the duplicate is
      // the whole append (Kafka's produce takes one batch per partition for this reason).
      if (batches.length > 1 || verdict.kind !== 'duplicate') {
        throw new StraitError(ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
          `batch ${duplicate} of ${batches.length} repeats a batch already in the log; an append of several batches must be all new`);
      }
      return { firstOffset: verdict.firstOffset, lastOffset: verdict.lastOffset, logAppendTimeMs: -1, logStartOffset: this.startOffset, recordCount, duplicate: true };
    }
    const now = this.now();
    const logAppendTime = this.cfg.messageTimestampType === 'LogAppendTime';
    let offset = this.endOffset;
    const summaries: BatchSummary[] = [];
    for (const { position, header } of batches) {
      setBaseOffset(records, position, offset);
      setPartitionLeaderEpoch(records, position, leaderEpoch);
      header.baseOffset = offset;
      header.partitionLeaderEpoch = leaderEpoch;
      if (logAppendTime) {
        records.writeInt16BE(header.attributes | TIMESTAMP_TYPE_MASK, position + ATTRIBUTES);
        writeInt64(records, now, position + MAX_TIMESTAMP_POSITION);
        records.writeUInt32BE(computeBatchCrc(records, position, header.sizeInBytes), position + CRC);
        header.maxTimestamp = now;
      }
      summaries.push({ baseOffset: offset, lastOffset: offset + header.lastOffsetDelta, maxTimestamp: header.maxTimestamp, size: header.sizeInBytes });
      offset += header.lastOffsetDelta + 1;
    }
    const firstOffset = this.endOffset;
    this.write(records, batches, summaries, now);
    this.epochCache.assign(leaderEpoch, firstOffset);
    return {
      firstOffset,
      lastOffset: offset - 1,
      logAppendTimeMs: logAppendTime ? now : -1,
      logStartOffset: this.startOffset,
      recordCount,
      duplicate: false,
    };
  }

  appendAsFollower(records: Buffer): AppendResult {
    this.ensureOpen();
    if (records.length === 0) {
      return { firstOffset: this.endOffset, lastOffset: this.endOffset - 1, logAppendTimeMs: -1, logStartOffset: this.startOffset, recordCount: 0, duplicate: false };
    }
    const batches = validateBatches(records, { origin: 'replication' });
    let expected = this.endOffset;
    for (const { header } of batches) {
      if (header.baseOffset < expected) {
        throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE,
          `replicated batch starts at offset ${header.baseOffset}, below the expected ${expected}; truncate first`);
      }
      expected = header.baseOffset + header.lastOffsetDelta + 1;
    }
    const summaries = batches.map(({ header }) => ({
      baseOffset: header.baseOffset, lastOffset: header.baseOffset + header.lastOffsetDelta, maxTimestamp: header.maxTimestamp, size: header.sizeInBytes,
    }));
    this.write(records, batches, summaries, this.now());
    for (const { header } of batches) this.epochCache.assign(header.partitionLeaderEpoch, header.baseOffset);
    return {
      firstOffset: summaries[0]!.baseOffset,
      lastOffset: summaries.at(-1)!.lastOffset,
      logAppendTimeMs: -1,
      logStartOffset: this.startOffset,
      recordCount: batches.reduce((n, b) => n + b.header.recordCount, 0),
      duplicate: false,
    };
  }

  read(offset: number, maxBytes: number, options: ReadOptions): ReadResult {
    const located = this.locate(offset, maxBytes, options);
    if (located.length === 0) return { records: EMPTY, firstOffset: located.firstOffset };
    const buf = Buffer.allocUnsafe(located.length);
    const whole = located.readInto(buf, 0);
    return { records: whole === buf.length ? buf : buf.subarray(0, whole), firstOffset: located.firstOffset };
  }

  locate(offset: number, maxBytes: number, options: ReadOptions): LocatedRead {
    this.ensureOpen();
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new StraitError(ErrorCode.INVALID_FETCH_SIZE, `max bytes ${maxBytes} is not a non-negative integer`);
    }
    if (options.maxOffset !== undefined && !Number.isSafeInteger(options.maxOffset)) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `max offset ${options.maxOffset} is not an integer`);
    }
    if (!Number.isSafeInteger(offset) || offset < this.startOffset || offset > this.endOffset) {
      throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.startOffset}, ${this.endOffset}] of ${this.topic}-${this.partition}`);
    }
    const limit = Math.min(options.maxOffset ?? this.endOffset, this.endOffset);
    const empty: LocatedRead = { firstOffset: offset, length: 0, readInto: () => 0 };
    if (offset >= limit) return empty;
    try {
      return this.locateFrom(offset, maxBytes, limit, options.minOneBatch) ?? empty;
    } catch (err) {
      // The files changed under us (disk fault, outside interference): the partition's storage is bad.
      throw this.storageError(`read at ${offset}`, err);
    }
  }

  /** One segment's run of bytes from the batch holding offset: whole batches up to maxBytes (the
   * first one whole even past it with minOneBatch), none at or past limit. */
  private locateFrom(offset: number, maxBytes: number, limit: number, minOneBatch: boolean): LocatedRead | undefined {
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      const segment = this.segments[i]!;
      const first = segment.findBatch(offset);
      if (!first) continue;
      if (first.baseOffset >= limit) return undefined;
      let length = Math.min(maxBytes, segment.size - first.position);
      if (limit < segment.nextOffset) {
        // A consumer's read ends at the high watermark: no bytes past the batch holding it (Kafka
        // bounds the read by the high watermark's file position the same way), so that a consumer at
        // the tail of a replicated partition does not read what followers have not copied yet.
        const bound = segment.findBatch(limit);
        if (bound) length = Math.min(length, (bound.baseOffset >= limit ? bound.position : bound.position + bound.size) - first.position);
      }
      if (first.size > length) {
        if (!minOneBatch) return undefined;
        length = first.size;
      }
      const readInto = (target: Buffer, at: number): number => {
        let read: number;
        try {
          read = segment.readInto(first.position, length, target, at);
        } catch (err) {
          throw this.storageError(`read at ${offset}`, err);
        }
        // Whole batches below the limit only: the length may end inside a batch.
        let end = 0;
        while (end + LOG_OVERHEAD <= read) {
          const size = LOG_OVERHEAD + target.readInt32BE(at + end + BATCH_LENGTH);
          if (end + size > read || readInt64(target, at + end + BASE_OFFSET) >= limit) break;
          end += size;
        }
        return end;
      };
      return { firstOffset: first.baseOffset, length, readInto };
    }
    return undefined;
  }

  offsetForTimestamp(timestamp: number): TimestampOffset | undefined {
    this.ensureOpen();
    if (timestamp === EARLIEST_TIMESTAMP) {
      return { offset: this.startOffset, timestamp: -1, leaderEpoch: this.epochAt(this.startOffset) };
    }
    if (timestamp === LATEST_TIMESTAMP) {
      return { offset: this.endOffset, timestamp: -1, leaderEpoch: this.latestEpoch() ?? -1 };
    }
    if (timestamp === MAX_TIMESTAMP_QUERY) {
      // The first segment with the largest timestamp, then the first record in it that carries it.
      let best: LogSegment | undefined;
      for (const s of this.segments) if (s.maxTimestampSoFar >= 0 && (!best || s.maxTimestampSoFar > best.maxTimestampSoFar)) best = s;
      return best?.findMaxTimestampRecord();
    }
    if (timestamp < 0) return undefined;
    // Per record, as Kafka: the lowest offset at or above the log start whose timestamp is >= target.
    for (const segment of this.segments) {
      const hit = segment.findOffsetByTimestamp(timestamp, this.startOffset);
      if (hit) return hit;
    }
    return undefined;
  }

  latestEpoch(): number | undefined {
    return this.epochCache.latestEpoch();
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset | undefined {
    return this.epochCache.endOffsetFor(epoch, this.endOffset);
  }

  assignEpochStartOffset(epoch: number, startOffset: number): void {
    this.ensureOpen();
    this.epochCache.assign(epoch, startOffset);
  }

  /** The leader epoch history, oldest first. */
  epochEntries(): Array<{ epoch: number; startOffset: number }> {
    return this.epochCache.all();
  }

  truncateTo(offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`cannot truncate to offset ${offset}`);
    if (offset >= this.endOffset) {
      // Nothing to cut, but an epoch this replica started as leader at its log end, without
      // appending in it, contradicts the new leader's history: forget it (as Kafka's truncateTo).
      this.epochCache.truncateFromEnd(this.endOffset);
      return;
    }
    if (offset < this.segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    while (this.segments.length > 1 && this.active.baseOffset > offset) this.segments.pop()!.deleteFiles();
    const removed = this.active.truncateTo(offset);
    this.endOffset = this.active.nextOffset;
    this.afterTruncation();
    this.logger.info({ offset, logEndOffset: this.endOffset, bytesRemoved: removed }, 'log truncated');
  }

  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`cannot start the log at offset ${offset}`);
    for (const s of this.segments) s.deleteFiles();
    this.segments = [LogSegment.create(this.dir, offset, this.cfg, this.now())];
    this.startOffset = offset;
    this.endOffset = offset;
    this.cleanedUpTo = offset;
    this.epochCache.clear();
    this.producerState.clear();
    this.producerState.deleteAllSnapshots();
    this.afterTruncation();
    this.highWatermark = offset;
    this.logger.info({ offset }, 'log emptied and restarted');
  }

  updateConfig(config: TopicConfig): void {
    this.cfg = config;
  }

  flush(): void {
    if (this.closed) return;
    try {
      for (const s of this.segments) if (s.nextOffset > this.recoveryPointOffset || s === this.active) s.flush();
    } catch (err) {
      throw this.storageError('flush', err);
    }
    this.recoveryPointOffset = this.endOffset;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.now();
  }

  /** flush.ms: flushes when something was written and the oldest unflushed write is old enough. */
  flushIfDue(): boolean {
    if (this.closed || this.unflushedMessages === 0 || this.now() - this.lastFlushMs < this.cfg.flushMs) return false;
    this.flush();
    return true;
  }

  /** Deletes old segments by retention.ms / retention.bytes (cleanup.policy with delete); returns
   * how many. The active segment always stays. */
  deleteOldSegments(): number {
    if (this.closed || this.cfg.cleanupPolicy === 'compact') return 0;
    const inactive = this.segments.slice(0, -1).map((s) => ({ size: s.size, largestTimestamp: s.largestTimestamp() }));
    const count = retentionDeletableCount(inactive, this.sizeInBytes, this.cfg, this.now());
    if (count === 0) return 0;
    for (const s of this.segments.splice(0, count)) s.deleteFiles();
    this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
    this.highWatermark = Math.max(this.highWatermark, this.startOffset);
    this.recoveryPointOffset = Math.max(this.recoveryPointOffset, this.startOffset);
    this.cleanedUpTo = Math.max(this.cleanedUpTo, this.startOffset);
    this.epochCache.truncateFromStart(this.startOffset);
    this.logger.info({ segments: count, logStartOffset: this.startOffset }, 'retention deleted segments');
    return count;
  }

  /** Swaps a cleaned copy of `old` in (log-cleaner.ts): `cleanedPath` is renamed to .swap, then over
   * the segment's .log, and the indexes are rebuilt from it. */
  replaceSegment(old: LogSegment, cleanedPath: string): LogSegment {
    const index = this.segments.indexOf(old);
    if (index < 0 || old === this.active) throw new Error(`segment ${old.baseOffset} is not an inactive segment of this log`);
    const swapPath = `${old.logPath}.swap`;
    fs.renameSync(cleanedPath, swapPath);
    old.close();
    fs.renameSync(swapPath, old.logPath);
    const segment = LogSegment.open(this.dir, old.baseOffset, this.cfg, this.now());
    segment.recover(this.cfg);
    segment.onBecomeInactive();
    this.segments[index] = segment;
    return segment;
  }

  /** Writes a producer-state snapshot at the log end (also done on roll and close). */
  takeProducerSnapshot(): void {
    this.producerState.takeSnapshot(this.endOffset);
  }

  /** Forgets producers that have not written for expirationMs (producer.id.expiration.ms). */
  removeExpiredProducers(expirationMs: number): number {
    if (this.closed) return 0;
    const removed = this.producerState.removeExpired(this.now(), expirationMs);
    if (removed > 0) this.logger.info({ producers: removed, expirationMs }, 'expired idle producer ids');
    return removed;
  }

  /** Idempotence state of one producer, for tools and tests. */
  producerEntry(producerId: number): { epoch: number; lastSequence: number } | undefined {
    const e = this.producerState.entry(producerId);
    const last = e?.batches.at(-1);
    return e ? { epoch: e.epoch, lastSequence: last ? last.lastSeq : -1 } : undefined;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.producerState.takeSnapshot(this.endOffset);
    for (const s of this.segments) s.close();
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the files without writing anything more: the storage failed, so a flush could fail again. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) {
      try {
        s.close();
      } catch {
        // the file is being given up either way
      }
    }
  }

  /** A KAFKA_STORAGE_ERROR for a failed file operation, reported to the owner first. */
  private storageError(what: string, err: unknown): StraitError {
    const error = new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `${what} of ${this.topic}-${this.partition} failed: ${(err as Error).message}`, { cause: err });
    this.onStorageError?.(error);
    return error;
  }

  /** Closes the files and removes the whole partition directory. */
  deleteFiles(): void {
    if (!this.closed) {
      for (const s of this.segments) s.close();
      this.closed = true;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private write(records: Buffer, batches: ValidatedBatch[], summaries: BatchSummary[], now: number): void {
    const first = summaries[0]!;
    const last = summaries.at(-1)!;
    const maxTimestamp = summaries.reduce((m, s) => Math.max(m, s.maxTimestamp), -1);
    const active = this.active;
    try {
      if (active.shouldRoll(this.cfg, records.length, maxTimestamp, now) || last.lastOffset - active.baseOffset > INT32_MAX) {
        this.roll(Math.max(first.baseOffset, this.endOffset));
      }
      this.active.append(records, summaries, this.cfg.indexIntervalBytes);
    } catch (err) {
      throw this.storageError('append', err);
    }
    for (const { header } of batches) this.producerState.update(header, header.baseOffset, now);
    this.endOffset = last.lastOffset + 1;
    if (this.highWatermarkFollowsLogEnd) this.highWatermark = this.endOffset;
    this.unflushedMessages += batches.reduce((n, b) => n + b.header.recordCount, 0);
    if (this.unflushedMessages >= this.cfg.flushMessages) this.flush();
  }

  private roll(newBase: number): void {
    const old = this.active;
    if (old.size === 0 && old.baseOffset === newBase) return;
    old.onBecomeInactive();
    this.producerState.takeSnapshot(newBase);
    this.segments.push(LogSegment.create(this.dir, newBase, this.cfg, this.now()));
    // Kafka flushes the finished segment in the background; its data then no longer needs a scan.
    fs.fsync(old.fileDescriptor, (err) => {
      if (!err && !this.closed && this.segments.includes(old) && newBase <= this.endOffset && this.recoveryPointOffset < newBase) {
        this.recoveryPointOffset = newBase;
      }
    });
    this.logger.debug({ baseOffset: newBase }, 'rolled a new segment');
  }

  private afterTruncation(): void {
    this.highWatermark = Math.min(this.highWatermark, this.endOffset);
    this.recoveryPointOffset = Math.min(this.recoveryPointOffset, this.endOffset);
    this.cleanedUpTo = Math.min(this.cleanedUpTo, this.endOffset);
    this.epochCache.truncateFromEnd(this.endOffset);
    this.producerState.deleteSnapshotsAbove(this.endOffset);
    this.loadProducerState();
  }

  /** Index of the segment holding offset: the last one whose base offset is <= offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private epochAt(offset: number): number {
    let epoch = -1;
    for (const e of this.epochCache.all()) if (e.startOffset <= offset) epoch = e.epoch;
    return epoch;
  }

  /** Every batch header from offset `from` to the log end, in order. */
  private *headersFrom(from: number): Generator<BatchHeader> {
    for (const segment of this.segments) {
      if (segment.nextOffset <= from) continue;
      for (const b of segment.batches(segment.offsetIndex.lookup(from).position)) {
        if (b.lastOffset >= from) yield readBatchHeader(b.buf, b.at);
      }
    }
  }

  private loadEpochCache(): void {
    try {
      this.epochCache.load();
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      this.logger.warn({ err: err.message }, 'leader epoch checkpoint is corrupt; rebuilding it from the batches');
      this.epochCache.clear();
      for (const h of this.headersFrom(this.startOffset)) this.epochCache.assign(h.partitionLeaderEpoch, h.baseOffset);
    }
    this.epochCache.truncateFromEnd(this.endOffset);
    this.epochCache.truncateFromStart(this.startOffset);
  }

  /** Newest snapshot at or below the log end, then the batches after it. */
  private loadProducerState(): void {
    this.producerState.deleteSnapshotsAbove(this.endOffset);
    const from = this.producerState.loadSnapshot(this.endOffset, this.now(), (file, err) => {
      this.logger.warn({ file, err: err.message }, 'producer state snapshot is unreadable; deleted it');
    }) ?? this.startOffset;
    for (const h of this.headersFrom(from)) this.producerState.update(h, h.baseOffset, h.maxTimestamp);
  }

  private ensureOpen(): void {
    if (this.closed) throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
  }
}
