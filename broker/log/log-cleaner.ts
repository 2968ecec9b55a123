// Log compaction for cleanup.policy=compact (Kafka's LogCleaner, single pass): over the inactive
// segments old enough for min.compaction.lag.ms, find the latest offset of every key, then rewrite
// each segment keeping only those records, minus tombstones older than delete.retention.ms. Batches
// keep their offsets and producer fields (rebuildRecordBatch); a batch left with no record goes.
// Each cleaned segment is written to .cleaned, renamed to .swap and then over the .log, so a crash
// at any point leaves either the old or the new segment (log-loader.ts finishes a pending swap).
import fs from 'node:fs';
import type { Logger } from 'pino';
import { ATTRIBUTES, batchCompression, batchIsControl, readBatchHeader } from '../../client/records/batch-header.js';
import { decodeRecordBatch, rebuildRecordBatch } from '../../client/records/record-batch.js';
import type { ConsumedRecord } from '../../client/records/record.js';
import { CLEANED_SUFFIX } from './log-loader.js';
import type { Log } from './log.js';
import type { LogSegment } from './segment.js';

export interface CleanOutcome {
  segmentsCleaned: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

const NOTHING: CleanOutcome = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };

/** Keys as latin1 strings: a lossless one-byte-per-char map of the key bytes. */
function keyOf(record: ConsumedRecord): string | undefined {
  return record.key === null ? undefined : record.key.toString('latin1');
}

/** The segments the cleaner may touch: inactive ones whose newest record is older than the lag. */
function cleanableSegments(log: Log, now: number): LogSegment[] {
  const inactive = log.segmentList.slice(0, -1);
  const out: LogSegment[] = [];
  for (const s of inactive) {
    if (now - s.largestTimestamp() < log.config.minCompactionLagMs) break;
    out.push(s);
  }
  return out;
}

/** Compacts the log when it is compacted and dirty enough (min.cleanable.dirty.ratio). */
export function cleanLog(log: Log, logger: Logger, force = false): CleanOutcome {
  if (log.isClosed || log.config.cleanupPolicy === 'delete') return NOTHING;
  const now = log.now();
  const segments = cleanableSegments(log, now);
  if (segments.length === 0) return NOTHING;
  const total = segments.reduce((n, s) => n + s.size, 0);
  const dirty = segments.filter((s) => s.nextOffset > log.cleanedUpTo).reduce((n, s) => n + s.size, 0);
  if (dirty === 0 || (!force && dirty / Math.max(total, 1) < log.config.minCleanableDirtyRatio)) return NOTHING;

  const latest = new Map<string, number>();
  for (const segment of segments) {
    for (const b of segment.batches()) {
      if (batchIsControl(b.buf.readInt16BE(b.at + ATTRIBUTES))) continue;
      for (const r of decodeRecordBatch(b.buf, b.at).records) {
        const key = keyOf(r);
        if (key !== undefined) latest.set(key, r.offset);
      }
    }
  }

  const tombstoneHorizon = now - log.config.deleteRetentionMs;
  const outcome: CleanOutcome = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
  for (const segment of segments) {
    const pieces: Buffer[] = [];
    let removed = 0;
    for (const b of segment.batches()) {
      const raw = b.buf.subarray(b.at, b.at + b.size);
      const header = readBatchHeader(b.buf, b.at);
      if (batchIsControl(header.attributes)) {
        pieces.push(Buffer.from(raw));
        continue;
      }
      const { records } = decodeRecordBatch(b.buf, b.at);
      const kept = records.filter((r) => {
        const key = keyOf(r);
        if (key === undefined || latest.get(key) !== r.offset) return false;
        return !(r.value === null && r.timestamp < tombstoneHorizon);
      });
      removed += records.length - kept.length;
      if (kept.length === records.length) pieces.push(Buffer.from(raw));
      else if (kept.length > 0) pieces.push(rebuildRecordBatch(header, kept, batchCompression(header.attributes)));
    }
    if (removed === 0) continue;
    const cleaned = Buffer.concat(pieces);
    const cleanedPath = segment.logPath + CLEANED_SUFFIX;
    const fd = fs.openSync(cleanedPath, 'w', 0o644);
    try {
      fs.writeFileSync(fd, cleaned);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    outcome.bytesBefore += segment.size;
    outcome.bytesAfter += cleaned.length;
    log.replaceSegment(segment, cleanedPath);
    outcome.segmentsCleaned++;
    outcome.recordsRemoved += removed;
  }
  // The first segment the cleaner did not look at starts where the clean part of the log ends.
  log.cleanedUpTo = Math.max(log.cleanedUpTo, log.segmentList[segments.length]!.baseOffset);
  if (outcome.segmentsCleaned > 0) {
    logger.info({ topic: log.topic, partition: log.partition, ...outcome }, 'compacted log segments');
  }
  return outcome;
}
