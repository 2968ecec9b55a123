// Owns every partition log under log.dirs: loading with recovery, creation and deletion, the
// background retention / compaction / flush / checkpoint tasks, and a clean shutdown. Per data dir
// it keeps Kafka's recovery-point-offset-checkpoint, replication-offset-checkpoint (high watermarks),
// cleaner-offset-checkpoint and the .strait_cleanshutdown marker; per partition directory the topic
// id it belongs to (partition.metadata, KIP-516).
//
// A partition whose log cannot be opened (at load or on creation) or whose files fail later (an
// append, a read, a flush) is offline on this node until the next start: its files are closed and
// left alone, and it is never opened again in this process (Kafka takes a failed log dir offline the
// same way). Directories are removed by renaming them first (`<topic>-<n>.<uuid>-delete`, or
// `-stray` for a directory of another incarnation of the topic), so an interrupted removal never
// leaves something that looks like a partition; the next start finishes it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import {
  CorruptCheckpointError, readOffsetCheckpoint, syncDirectory, writeFileAtomic, writeOffsetCheckpoint, type TopicPartitionOffset,
} from './checkpoint-file.js';
import { cleanLog } from './log-cleaner.js';
import { Log } from './log.js';
import { DescriptorBudgetExceeded, descriptorsForLogs, isOutOfDescriptors } from './open-file-limit.js';
import { readPartitionMetadata, writePartitionMetadata } from './partition-metadata.js';
import { validateTopicName, type TopicConfig } from './topic-config.js';

/** The metadata quorum's directory in the first log dir (Kafka's name); never loaded as a partition. */
export const CLUSTER_METADATA_DIR = '__cluster_metadata-0';

export const CLEAN_SHUTDOWN_FILE = '.strait_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const REPLICATION_CHECKPOINT = 'replication-offset-checkpoint';
/** Where compaction got to per compacted log, so a restart does not re-clean everything. */
export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';

export interface LogManagerOptions {
  logDirs: string[];
  logger: Logger;
  now?: () => number;
  /** Told when a partition goes offline after load (a failed creation or a failed file operation). */
  onOffline?: (log: OfflineLog) => void;
  /** File descriptors the logs may hold (open-file-limit.ts): a log that would take them past it is
   * not opened (offline), so that the process keeps descriptors for its sockets. Undefined: no limit. */
  descriptorBudget?: number;
}

/** Periods of the background tasks in ms (Kafka's broker settings named beside each). */
export interface BackgroundIntervals {
  /** log.retention.check.interval.ms */
  retentionCheckMs?: number;
  /** log.cleaner.backoff.ms */
  compactionMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked. */
  flushCheckMs?: number;
  /** log.flush.offset.checkpoint.interval.ms */
  checkpointMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms: the high watermarks alone, more often. */
  highWatermarkCheckpointMs?: number;
  /** producer.id.expiration.ms, checked every producer.id.expiration.check.interval.ms */
  producerIdExpiration?: { expirationMs: number; checkMs: number };
}

/** A partition of this node whose log is offline (it could not be opened, or its files failed). */
export interface OfflineLog {
  topic: string;
  partition: number;
  dir: string;
  error: string;
  /** The topic id of its partition.metadata, when that could be read. */
  topicId: string | undefined;
}

const PARTITION_DIR = /^(.+)-(\d+)$/;
/** A directory being removed (Kafka's names): finished at start. */
const RETIRED_DIR = /\.[0-9a-f]{32}-(delete|stray)$/;

type RetireReason = 'delete' | 'stray';

/** A log line field for a failure caused by running out of file descriptors. */
function descriptorHint(err: unknown): { hint?: string } {
  const out = isOutOfDescriptors(err) || isOutOfDescriptors((err as { cause?: unknown } | undefined)?.cause);
  return out ? { hint: 'the process ran out of file descriptors: raise its open-file limit (ulimit -n, LimitNOFILE, docker --ulimit nofile)' } : {};
}

/** A file-system error (errno code): the storage failed, not the request. */
function isSystemError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

function keyOf(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class LogManager {
  readonly logDirs: string[];
  private readonly logger: Logger;
  /** Parent of every Log's logger (each adds topic and partition). */
  private readonly logLogger: Logger;
  private readonly now: () => number;
  private readonly logs = new Map<string, Log>();
  /** The data dir each log lives in. */
  private readonly homeOf = new Map<Log, string>();
  /** The topic id of each log's partition.metadata (absent: older data without one). */
  private readonly topicIds = new Map<Log, string>();
  private readonly offline = new Map<string, OfflineLog>();
  private readonly onOffline: (log: OfflineLog) => void;
  private readonly descriptorBudget: number | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(options: LogManagerOptions) {
    if (options.logDirs.length === 0) throw new Error('LogManager needs at least one log dir');
    this.logDirs = options.logDirs.map((d) => path.resolve(d));
    this.logger = options.logger.child({ component: 'log-manager' });
    this.logLogger = options.logger.child({ component: 'log' });
    this.now = options.now ?? Date.now;
    this.onOffline = options.onOffline ?? (() => {});
    this.descriptorBudget = options.descriptorBudget;
  }

  /** Opens every <topic>-<partition> directory, recovering those of a dir not shut down cleanly. A
   * log that cannot be opened is offline (offlineLogs); the others still load. */
  loadLogs(configFor: (topic: string) => TopicConfig): void {
    for (const logDir of this.logDirs) {
      fs.mkdirSync(logDir, { recursive: true });
      const marker = path.join(logDir, CLEAN_SHUTDOWN_FILE);
      const clean = fs.existsSync(marker);
      const recoveryPoints = this.readCheckpoint(path.join(logDir, RECOVERY_POINT_CHECKPOINT));
      const highWatermarks = this.readCheckpoint(path.join(logDir, REPLICATION_CHECKPOINT));
      const cleanedUpTo = this.readCheckpoint(path.join(logDir, CLEANER_CHECKPOINT));
      if (!clean) this.logger.warn({ logDir }, 'no clean shutdown marker: recovering logs from their recovery points');
      for (const entry of fs.readdirSync(logDir, { withFileTypes: true })) {
        // The metadata quorum's Raft log lives beside the partitions but is not one of them.
        if (!entry.isDirectory() || entry.name === CLUSTER_METADATA_DIR) continue;
        if (RETIRED_DIR.test(entry.name)) {
          this.removeDir(path.join(logDir, entry.name));
          this.logger.info({ logDir, dir: entry.name }, 'finished removing a directory whose removal was interrupted');
          continue;
        }
        const match = PARTITION_DIR.exec(entry.name);
        const topic = match?.[1] ?? '';
        const partition = Number(match?.[2]);
        try {
          validateTopicName(topic);
        } catch {
          this.logger.warn({ logDir, dir: entry.name }, 'ignoring a directory that is not <topic>-<partition>');
          continue;
        }
        const key = keyOf(topic, partition);
        if (this.logs.has(key) || this.offline.has(key)) {
          this.logger.error({ logDir, dir: entry.name }, 'partition found in two log dirs; keeping the first');
          continue;
        }
        const dir = path.join(logDir, entry.name);
        let topicId: string | undefined;
        try {
          topicId = readPartitionMetadata(dir);
          this.checkDescriptors(() => fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length + 2);
          const log = this.open(dir, topic, partition, configFor(topic), recoveryPoints.get(key) ?? 0, clean);
          if (topicId !== undefined) this.topicIds.set(log, topicId);
          const hw = highWatermarks.get(key) ?? log.logStartOffset;
          log.highWatermark = Math.min(Math.max(hw, log.logStartOffset), log.logEndOffset);
          const cleaned = cleanedUpTo.get(key);
          if (cleaned !== undefined) log.cleanedUpTo = Math.min(Math.max(cleaned, log.logStartOffset), log.logEndOffset);
          this.logs.set(key, log);
          this.homeOf.set(log, logDir);
        } catch (err) {
          this.offline.set(key, { topic, partition, dir, error: (err as Error).message, topicId });
          this.logger.error({ dir, topicId, err: (err as Error).message, ...descriptorHint(err) }, 'could not open log; partition is offline until restart');
        }
      }
      fs.rmSync(marker, { force: true });
    }
    this.checkpoint();
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(keyOf(topic, partition));
  }

  /** The topic id in the partition's partition.metadata; undefined for older data without one (and
   * for a partition without a log). */
  topicIdOf(topic: string, partition: number): string | undefined {
    const log = this.getLog(topic, partition);
    return log === undefined ? undefined : this.topicIds.get(log);
  }

  /** The partition's offline entry, when its log is offline on this node. */
  offlineLog(topic: string, partition: number): OfflineLog | undefined {
    return this.offline.get(keyOf(topic, partition));
  }

  offlineLogs(): OfflineLog[] {
    return [...this.offline.values()];
  }

  /**
   * Creates the log of a partition of the topic with this id, in the data dir holding the fewest
   * partitions, or returns the existing one (whatever its topic id: the caller compares). A
   * partition that is offline, or whose creation fails, throws KAFKA_STORAGE_ERROR; a failed
   * creation takes the partition offline.
   */
  createLog(topic: string, partition: number, config: TopicConfig, topicId: string): Log {
    validateTopicName(topic);
    if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`partition ${partition} is not a non-negative integer`);
    const existing = this.getLog(topic, partition);
    if (existing) return existing;
    const key = keyOf(topic, partition);
    const down = this.offline.get(key);
    if (down) throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${key} is offline on this node: ${down.error}`);
    const counts = new Map(this.logDirs.map((d) => [d, 0]));
    for (const home of this.homeOf.values()) counts.set(home, (counts.get(home) ?? 0) + 1);
    const logDir = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    const dir = path.join(logDir, key);
    try {
      this.checkDescriptors(() => 3);
      fs.mkdirSync(dir, { recursive: true });
      // The id first: a directory with segments but no id would be taken for older data.
      writePartitionMetadata(dir, topicId);
      const log = this.open(dir, topic, partition, config, 0, true);
      this.logs.set(key, log);
      this.homeOf.set(log, logDir);
      this.topicIds.set(log, topicId);
      return log;
    } catch (err) {
      const entry: OfflineLog = { topic, partition, dir, error: (err as Error).message, topicId };
      this.offline.set(key, entry);
      this.logger.error({ dir, topicId, err: entry.error, ...descriptorHint(err) }, 'could not create log; partition is offline until restart');
      this.onOffline(entry);
      throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `Could not create the log of ${key}: ${entry.error}`, { cause: err });
    }
  }

  /** Writes the topic id into an older partition directory that has none. A failure takes the
   * partition offline and throws KAFKA_STORAGE_ERROR. */
  assignTopicId(topic: string, partition: number, topicId: string): void {
    const log = this.getLog(topic, partition);
    if (!log) throw new RangeError(`no log for ${keyOf(topic, partition)}`);
    try {
      writePartitionMetadata(log.dir, topicId);
    } catch (err) {
      this.takeOffline(log, err);
      throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `Could not write the topic id of ${keyOf(topic, partition)}: ${(err as Error).message}`, { cause: err });
    }
    this.topicIds.set(log, topicId);
  }

  /**
   * Removes the partition directories of the topic: with a topic id, only those recorded with that
   * id (a directory of another incarnation of the name stays); without one, all of them. Offline
   * directories of the topic go too. Returns how many.
   */
  deleteLogs(topic: string, topicId?: string): number {
    let deleted = 0;
    for (const log of [...this.logs.values()]) {
      if (log.topic !== topic || (topicId !== undefined && this.topicIds.get(log) !== topicId)) continue;
      this.retire(log.dir, 'delete', log);
      deleted++;
    }
    for (const [key, down] of [...this.offline]) {
      if (down.topic !== topic || (topicId !== undefined && down.topicId !== topicId)) continue;
      this.offline.delete(key);
      this.retire(down.dir, 'delete');
      deleted++;
    }
    if (deleted > 0) {
      this.logger.info({ topic, topicId, partitions: deleted }, 'deleted topic logs');
      this.checkpoint();
    }
    return deleted;
  }

  /**
   * Removes one partition's directory when it belongs to the topic id (a replica this node no longer
   * holds: a reassignment moved it elsewhere). Its files are closed first; the directory is renamed
   * `-delete` and removed, as a deleted topic's are. Returns whether there was one to remove.
   */
  deleteLog(topic: string, partition: number, topicId: string): boolean {
    const key = keyOf(topic, partition);
    const log = this.logs.get(key);
    const down = this.offline.get(key);
    if (log && this.topicIds.get(log) === topicId) {
      this.retire(log.dir, 'delete', log);
    } else if (down && down.topicId === topicId) {
      this.offline.delete(key);
      this.retire(down.dir, 'delete');
    } else {
      return false;
    }
    this.logger.info({ topic, partition, topicId }, 'deleted a partition log this node no longer holds a replica of');
    this.checkpoint();
    return true;
  }

  /**
   * A partition directory that belongs to another incarnation of the topic (its topic id differs
   * from the metadata's): renamed to `<topic>-<n>.<uuid>-stray` at once, so it is never used as
   * this topic's log, then removed. Its offline entry, if it was offline, goes with it.
   */
  removeStray(topic: string, partition: number, imageTopicId: string): void {
    const key = keyOf(topic, partition);
    const log = this.logs.get(key);
    const down = this.offline.get(key);
    const dir = log?.dir ?? down?.dir;
    if (dir === undefined) return;
    const diskTopicId = log ? this.topicIds.get(log) : down?.topicId;
    this.offline.delete(key);
    this.retire(dir, 'stray', log);
    this.logger.warn({ topic, partition, dir, diskTopicId, imageTopicId },
      `removed the stray directory of ${key}: it belongs to topic id ${diskTopicId ?? '(none)'}, the metadata's ${topic} is ${imageTopicId}`);
    this.checkpoint();
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  /** Applies retention.ms / retention.bytes to every log; returns the number of segments deleted. */
  runRetention(): number {
    return this.eachLog('retention', (log) => log.deleteOldSegments());
  }

  /** Compacts every compacted log that is dirty enough; returns the number of segments rewritten. */
  runCompaction(): number {
    return this.eachLog('compaction', (log) => cleanLog(log, this.logger).segmentsCleaned);
  }

  /** Forgets idle producer ids in every log; returns how many. */
  removeExpiredProducers(expirationMs: number): number {
    return this.eachLog('producer-expiration', (log) => log.removeExpiredProducers(expirationMs));
  }

  /** fsyncs every log whose flush.ms has passed since its last flush. */
  flushDirty(): void {
    this.eachLog('flush', (log) => (log.flushIfDue() ? 1 : 0));
  }

  /** Writes each data dir's replication-offset-checkpoint (Kafka's high-watermark checkpoint, on
   * replica.high.watermark.checkpoint.interval.ms): a restart resumes from these. */
  checkpointHighWatermarks(): void {
    for (const logDir of this.logDirs) {
      const hws: TopicPartitionOffset[] = [];
      for (const [log, home] of this.homeOf) if (home === logDir) hws.push({ topic: log.topic, partition: log.partition, offset: log.highWatermark });
      try {
        writeOffsetCheckpoint(path.join(logDir, REPLICATION_CHECKPOINT), hws);
      } catch (err) {
        this.logger.error({ logDir, err: (err as Error).message }, 'could not write the high-watermark checkpoint');
      }
    }
  }

  /** Writes each data dir's recovery points and high watermarks. */
  checkpoint(): void {
    for (const logDir of this.logDirs) {
      const recovery: TopicPartitionOffset[] = [];
      const hws: TopicPartitionOffset[] = [];
      const cleaned: TopicPartitionOffset[] = [];
      for (const [log, home] of this.homeOf) {
        if (home !== logDir) continue;
        recovery.push({ topic: log.topic, partition: log.partition, offset: log.recoveryPoint });
        hws.push({ topic: log.topic, partition: log.partition, offset: log.highWatermark });
        if (log.config.cleanupPolicy !== 'delete') cleaned.push({ topic: log.topic, partition: log.partition, offset: log.cleanedUpTo });
      }
      try {
        writeOffsetCheckpoint(path.join(logDir, RECOVERY_POINT_CHECKPOINT), recovery);
        writeOffsetCheckpoint(path.join(logDir, REPLICATION_CHECKPOINT), hws);
        writeOffsetCheckpoint(path.join(logDir, CLEANER_CHECKPOINT), cleaned);
      } catch (err) {
        this.logger.error({ logDir, err: (err as Error).message }, 'could not write checkpoints');
      }
    }
  }

  startBackgroundTasks(intervals: BackgroundIntervals = {}): void {
    this.stopBackgroundTasks();
    const every = (ms: number, task: () => void): void => {
      this.timers.push(setInterval(task, ms).unref());
    };
    every(intervals.retentionCheckMs ?? 300_000, () => this.runRetention());
    every(intervals.compactionMs ?? 15_000, () => this.runCompaction());
    every(intervals.flushCheckMs ?? 1_000, () => this.flushDirty());
    every(intervals.checkpointMs ?? 60_000, () => this.checkpoint());
    every(intervals.highWatermarkCheckpointMs ?? 5_000, () => this.checkpointHighWatermarks());
    const expiry = intervals.producerIdExpiration ?? { expirationMs: 86_400_000, checkMs: 600_000 };
    every(expiry.checkMs, () => this.removeExpiredProducers(expiry.expirationMs));
  }

  stopBackgroundTasks(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Flushes and closes every log (writing producer snapshots), checkpoints, and marks each data
   * dir cleanly shut down so the next start trusts the indexes. */
  shutdown(): void {
    this.stopBackgroundTasks();
    let failures = 0;
    for (const log of this.logs.values()) {
      try {
        log.close();
      } catch (err) {
        failures++;
        this.logger.error({ topic: log.topic, partition: log.partition, err: (err as Error).message }, 'could not close log');
      }
    }
    this.checkpoint();
    // A dir holding an offline log is recovered at the next start (that log's files were given up
    // mid-operation); the others start from their trusted indexes.
    const recoverNext = new Set([...this.offline.values()].map((o) => path.dirname(o.dir)));
    if (failures === 0) {
      for (const logDir of this.logDirs) if (!recoverNext.has(logDir)) writeFileAtomic(path.join(logDir, CLEAN_SHUTDOWN_FILE), '');
    }
    this.logger.info({ logs: this.logs.size, offline: this.offline.size, clean: failures === 0 }, 'log manager shut down');
  }

  /** Throws DescriptorBudgetExceeded when a log needing `needed()` descriptors would exceed the budget. */
  private checkDescriptors(needed: () => number): void {
    if (this.descriptorBudget === undefined) return;
    const inUse = descriptorsForLogs([...this.logs.values()].map((l) => l.numberOfSegments));
    const more = needed();
    if (inUse + more > this.descriptorBudget) throw new DescriptorBudgetExceeded(inUse, more, this.descriptorBudget);
  }

  private open(dir: string, topic: string, partition: number, config: TopicConfig, recoveryPoint: number, cleanShutdown: boolean): Log {
    let opened: Log | undefined;
    const log = Log.open({
      dir, topic, partition, config, logger: this.logLogger, now: this.now, recoveryPoint, cleanShutdown,
      // Reported from inside the failing call; the log is taken offline before the error reaches its caller.
      onStorageError: (err) => {
        if (opened) this.takeOffline(opened, err);
      },
    });
    opened = log;
    return log;
  }

  /** Closes the log's files without writing more and keeps it offline until the next start. */
  private takeOffline(log: Log, err: unknown): void {
    const key = keyOf(log.topic, log.partition);
    if (this.logs.get(key) !== log) return;
    this.logs.delete(key);
    this.homeOf.delete(log);
    const entry: OfflineLog = { topic: log.topic, partition: log.partition, dir: log.dir, error: (err as Error).message, topicId: this.topicIds.get(log) };
    this.topicIds.delete(log);
    this.offline.set(key, entry);
    log.abandon();
    this.logger.error({ dir: log.dir, topicId: entry.topicId, err: entry.error, ...descriptorHint(err) }, 'a file operation failed; partition is offline until restart');
    this.onOffline(entry);
  }

  /** Renames dir to `<name>.<uuid>-<reason>` (atomic: from then on it is not a partition directory),
   * closes the log's files, and removes the renamed directory. */
  private retire(dir: string, reason: RetireReason, log?: Log): void {
    const key = log ? keyOf(log.topic, log.partition) : undefined;
    if (log && key !== undefined && this.logs.get(key) === log) {
      this.logs.delete(key);
      this.homeOf.delete(log);
      this.topicIds.delete(log);
    }
    let target = `${dir}.${randomUUID().replace(/-/g, '')}-${reason}`;
    try {
      fs.renameSync(dir, target);
      syncDirectory(path.dirname(dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.error({ dir, err: (err as Error).message }, 'could not rename a directory before removing it; removing it in place');
      }
      target = dir;
    }
    if (log) {
      // Closes the segment files; its own removal of log.dir finds nothing once the rename happened.
      try {
        log.deleteFiles();
      } catch (err) {
        this.logger.error({ dir, err: (err as Error).message }, 'could not close a removed log');
      }
    }
    this.removeDir(target);
  }

  private removeDir(dir: string): void {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      this.logger.error({ dir, err: (err as Error).message }, 'could not remove a directory; the next start tries again');
    }
  }

  private readCheckpoint(file: string): Map<string, number> {
    try {
      return new Map(readOffsetCheckpoint(file).map((e) => [keyOf(e.topic, e.partition), e.offset]));
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      this.logger.warn({ file, err: err.message }, 'checkpoint file is corrupt; ignoring it');
      return new Map();
    }
  }

  private eachLog(task: string, run: (log: Log) => number): number {
    let total = 0;
    for (const log of this.logs.values()) {
      if (log.isClosed) continue;
      try {
        total += run(log);
      } catch (err) {
        const code = err instanceof StraitError ? err.name : undefined;
        this.logger.error({ task, topic: log.topic, partition: log.partition, code, err: (err as Error).message }, 'background log task failed');
        // A file operation outside the Log's own checks (the cleaner's files) failed: the storage is bad.
        if (isSystemError(err)) this.takeOffline(log, err);
      }
    }
    return total;
  }
}
