// Owns every partition log under log.dirs: loading with recovery, creation and deletion, the
// background retention / compaction / flush / checkpoint tasks, and a clean shutdown. Per data dir
// it keeps Kafka's recovery-point-offset-checkpoint, replication-offset-checkpoint (high watermarks),
// cleaner-offset-checkpoint and the .strait_cleanshutdown marker.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { StraitError } from '../../client/errors.js';
import {
  CorruptCheckpointError, readOffsetCheckpoint, writeFileAtomic, writeOffsetCheckpoint, type TopicPartitionOffset,
} from './checkpoint-file.js';
import { cleanLog } from './log-cleaner.js';
import { Log } from './log.js';
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
  /** producer.id.expiration.ms, checked every producer.id.expiration.check.interval.ms */
  producerIdExpiration?: { expirationMs: number; checkMs: number };
}

export interface FailedLog {
  dir: string;
  error: string;
}

const PARTITION_DIR = /^(.+)-(\d+)$/;

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
  private readonly failed: FailedLog[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(options: LogManagerOptions) {
    if (options.logDirs.length === 0) throw new Error('LogManager needs at least one log dir');
    this.logDirs = options.logDirs.map((d) => path.resolve(d));
    this.logger = options.logger.child({ component: 'log-manager' });
    this.logLogger = options.logger.child({ component: 'log' });
    this.now = options.now ?? Date.now;
  }

  /** Opens every <topic>-<partition> directory, recovering those of a dir not shut down cleanly. A
   * log that cannot be opened is reported (failedLogs) and skipped; the others still load. */
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
        if (this.logs.has(key)) {
          this.logger.error({ logDir, dir: entry.name }, 'partition found in two log dirs; keeping the first');
          continue;
        }
        const dir = path.join(logDir, entry.name);
        try {
          const log = Log.open({
            dir, topic, partition, config: configFor(topic), logger: this.logLogger, now: this.now,
            recoveryPoint: recoveryPoints.get(key) ?? 0, cleanShutdown: clean,
          });
          const hw = highWatermarks.get(key) ?? log.logStartOffset;
          log.highWatermark = Math.min(Math.max(hw, log.logStartOffset), log.logEndOffset);
          const cleaned = cleanedUpTo.get(key);
          if (cleaned !== undefined) log.cleanedUpTo = Math.min(Math.max(cleaned, log.logStartOffset), log.logEndOffset);
          this.logs.set(key, log);
          this.homeOf.set(log, logDir);
        } catch (err) {
          this.failed.push({ dir, error: (err as Error).message });
          this.logger.error({ dir, err: (err as Error).message }, 'could not open log; partition is offline');
        }
      }
      fs.rmSync(marker, { force: true });
    }
    this.checkpoint();
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(keyOf(topic, partition));
  }

  /** Creates the log in the data dir holding the fewest partitions, or returns the existing one. */
  createLog(topic: string, partition: number, config: TopicConfig): Log {
    validateTopicName(topic);
    if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`partition ${partition} is not a non-negative integer`);
    const existing = this.getLog(topic, partition);
    if (existing) return existing;
    const counts = new Map(this.logDirs.map((d) => [d, 0]));
    for (const home of this.homeOf.values()) counts.set(home, (counts.get(home) ?? 0) + 1);
    const logDir = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    const log = Log.open({
      dir: path.join(logDir, keyOf(topic, partition)), topic, partition, config, logger: this.logLogger, now: this.now,
      recoveryPoint: 0, cleanShutdown: true,
    });
    this.logs.set(keyOf(topic, partition), log);
    this.homeOf.set(log, logDir);
    return log;
  }

  /** Closes and removes the files of every partition of topic. */
  deleteLogs(topic: string): void {
    let deleted = 0;
    for (const [key, log] of this.logs) {
      if (log.topic !== topic) continue;
      log.deleteFiles();
      this.logs.delete(key);
      this.homeOf.delete(log);
      deleted++;
    }
    if (deleted > 0) {
      this.logger.info({ topic, partitions: deleted }, 'deleted topic logs');
      this.checkpoint();
    }
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  /** Logs that failed to open at load time. */
  failedLogs(): FailedLog[] {
    return [...this.failed];
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
    if (failures === 0) {
      for (const logDir of this.logDirs) writeFileAtomic(path.join(logDir, CLEAN_SHUTDOWN_FILE), '');
    }
    this.logger.info({ logs: this.logs.size, clean: failures === 0 }, 'log manager shut down');
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
      }
    }
    return total;
  }
}
