// The storage contract the rest of the broker codes against (DESIGN §5). One PartitionLog per
// <topic>-<partition> directory; a LogManager owns every log under log.dirs.
import type { TopicConfig } from './topic-config.js';

export interface AppendResult {
  firstOffset: number;
  lastOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
  recordCount: number;
  /** True when an idempotent producer re-sent a batch already in the log: nothing was written and the
   * offsets are the original ones. */
  duplicate: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound on offsets returned (the high watermark for consumers). */
  maxOffset?: number;
  /** Return the first batch even when it is larger than maxBytes, so a consumer always progresses. */
  minOneBatch: boolean;
}

export interface ReadResult {
  /** Whole batches, straight from the segment files; empty when nothing is available. */
  records: Buffer;
  /** The offset of the first batch returned, or the fetch offset when empty. */
  firstOffset: number;
}

/**
 * Where the bytes of a read lie, so that the caller can read them straight into a buffer of its own
 * (the leader's answer to a follower is one buffer holding every partition's records). Valid only
 * until the log next changes: read it at once, on the same turn of the event loop.
 */
export interface LocatedRead {
  /** The offset of the first batch, or the asked offset when there is nothing to read. */
  readonly firstOffset: number;
  /** Bytes readInto reads: the whole batches, and perhaps the start of one more. */
  readonly length: number;
  /** Reads the bytes into target at `at`; returns how many of them are whole batches within the
   * read's bounds (the bytes after those are to be ignored). Throws KAFKA_STORAGE_ERROR. */
  readInto(target: Buffer, at: number): number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly config: TopicConfig;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Consumers read below this. A single-replica log moves it to the log end on every append. */
  highWatermark: number;
  readonly sizeInBytes: number;

  /** Validates (size, magic, CRC, record count, max.message.bytes, idempotent sequence), assigns
   * offsets and the leader epoch, appends. Throws StraitError with Kafka's code; on throw nothing
   * was written. */
  appendAsLeader(records: Buffer, leaderEpoch: number): AppendResult;
  /** Appends batches whose offsets the leader already assigned (replication). */
  appendAsFollower(records: Buffer): AppendResult;
  /** Throws StraitError(OFFSET_OUT_OF_RANGE) when offset is outside [logStartOffset, logEndOffset]. */
  read(offset: number, maxBytes: number, options: ReadOptions): ReadResult;
  /** read() without the read: the same checks and bounds, the bytes left for the caller to read. */
  locate(offset: number, maxBytes: number, options: ReadOptions): LocatedRead;
  /** The first record (lowest offset, not below the log start) whose timestamp >= timestamp, with its own
   * timestamp; -1 latest, -2 earliest, -3 the first record holding the largest timestamp. */
  offsetForTimestamp(timestamp: number): TimestampOffset | undefined;
  latestEpoch(): number | undefined;
  /** Leader-epoch cache lookup used for follower divergence (KIP-101/279). */
  endOffsetForEpoch(epoch: number): EpochEndOffset | undefined;
  /** A new leader's epoch starts at its log end (Kafka's maybeAssignEpochStartOffset), so that its
   * history answers followers before its first append in that epoch. Older epochs change nothing. */
  assignEpochStartOffset(epoch: number, startOffset: number): void;
  /** False for a replicated partition: replication moves highWatermark itself. */
  highWatermarkFollowsLogEnd: boolean;
  truncateTo(offset: number): void;
  truncateFullyAndStartAt(offset: number): void;
  updateConfig(config: TopicConfig): void;
  flush(): void;
  close(): void;
}
