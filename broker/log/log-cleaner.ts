// Log compaction for cleanup.policy=compact (Kafka's LogCleaner, single pass): over the inactive
// segments the cleaner may touch, find the latest offset of every key, then rewrite each segment
// keeping only those records. Batches keep their offsets and producer fields (rebuildRecordBatch); a
// batch left with no record goes. Each cleaned segment is written to .cleaned, renamed to .swap and
// then over the .log, so a crash at any point leaves either the old or the new segment (log-loader.ts
// finishes a pending swap).
//
// Tombstones follow KIP-534: a tombstone stays delete.retention.ms after the cleaner FIRST passes it,
// whatever its own timestamp says. The first clean that keeps a batch holding a tombstone rebuilds it
// with the delete horizon (clean time + delete.retention.ms) as its baseTimestamp and the
// delete-horizon attribute bit; record timestamps read the same, their deltas are relative to it. The
// horizon is in the bytes, so it survives restarts and travels to followers. A later clean drops the
// batch's tombstones once now >= the horizon, and runs for that alone when nothing else is dirty.
import fs from 'node:fs';
import type { Logger } from 'pino';
import {
  type BatchHeader, batchCompression, batchDeleteHorizon, batchIsControl, readBatchHeader, decodeRecordBatch,
  rebuildRecordBatch, type ConsumedRecord,
} from '../../client/index.js';
import { CLEANED_SUFFIX } from './log-loader.js';
import type { Log } from './log.js';
import type { LogSegment } from './segment.js';

export interface CleanOutcome {
  segmentsCleaned: number;
  recordsRemoved: number;
  /** Batches that got their delete horizon in this clean (they hold tombstones seen for the first time). */
  deleteHorizonsSet: number;
  bytesBefore: number;
  bytesAfter: number;
}

const NOTHING: CleanOutcome = { segmentsCleaned: 0, recordsRemoved: 0, deleteHorizonsSet: 0, bytesBefore: 0, bytesAfter: 0 };

/** Keys as latin1 strings: a lossless one-byte-per-char map of the key bytes. */
function keyOf(record: ConsumedRecord): string | undefined {
  return record.key === null ? undefined : record.key.toString('latin1');
}

/**
 * The segments the cleaner may touch: the inactive ones up to the first dirty segment whose newest
 * record is younger than min.compaction.lag.ms. As in Kafka, the lag holds back dirty segments only:
 * the clean part was old enough when it was cleaned, and must stay reachable for tombstone expiry.
 */
function cleanableSegments(log: Log, now: number): LogSegment[] {
  const inactive = log.segmentList.slice(0, -1);
  const out: LogSegment[] = [];
  for (const s of inactive) {
    const dirty = s.nextOffset > log.cleanedUpTo;
    if (dirty && now - s.largestTimestamp() < log.config.minCompactionLagMs) break;
    out.push(s);
  }
  return out;
}

/** The whole batch a header-mode segment scan points at (its chunk may end inside a large batch). */
function wholeBatch(segment: LogSegment, b: { buf: Buffer; at: number; position: number; size: number }): Buffer {
  return b.at + b.size <= b.buf.length ? b.buf.subarray(b.at, b.at + b.size) : segment.read(b.position, b.size);
}

/** What the cleaner writes for one batch: its bytes unchanged, a rebuilt batch, or nothing. */
interface BatchVerdict {
  bytes: Buffer | undefined;
  removed: number;
  horizonSet: boolean;
}

function cleanBatch(raw: Buffer, header: BatchHeader, latest: ReadonlyMap<string, number>, now: number, newHorizon: number): BatchVerdict {
  const { records } = decodeRecordBatch(raw);
  const horizon = batchDeleteHorizon(header);
  const tombstonesExpired = horizon !== undefined && now >= horizon;
  const kept = records.filter((r) => {
    const key = keyOf(r);
    if (key === undefined || latest.get(key) !== r.offset) return false;
    return r.value !== null || !tombstonesExpired;
  });
  const removed = records.length - kept.length;
  // A batch keeps (or first gets) a horizon while it holds a tombstone; without one the bit goes.
  const holdsTombstone = kept.some((r) => r.value === null);
  const nextHorizon = holdsTombstone ? (horizon ?? newHorizon) : undefined;
  if (removed === 0 && nextHorizon === horizon) return { bytes: raw, removed, horizonSet: false };
  if (kept.length === 0) return { bytes: undefined, removed, horizonSet: false };
  return {
    bytes: rebuildRecordBatch(header, kept, batchCompression(header.attributes), nextHorizon),
    removed,
    horizonSet: horizon === undefined && nextHorizon !== undefined,
  };
}

/** Compacts the log when it is compacted and dirty enough (min.cleanable.dirty.ratio, or `force`
 * with any dirt), or when a delete horizon in its cleanable part has come. */
export function cleanLog(log: Log, logger: Logger, force = false): CleanOutcome {
  if (log.isClosed || log.config.cleanupPolicy === 'delete') return NOTHING;
  const now = log.now();
  const segments = cleanableSegments(log, now);
  if (segments.length === 0) return NOTHING;
  const total = segments.reduce((n, s) => n + s.size, 0);
  const dirty = segments.filter((s) => s.nextOffset > log.cleanedUpTo).reduce((n, s) => n + s.size, 0);
  const dirtyEnough = dirty > 0 && (force || dirty / Math.max(total, 1) >= log.config.minCleanableDirtyRatio);
  if (!dirtyEnough && !segments.some((s) => s.earliestDeleteHorizon() <= now)) return NOTHING;

  const latest = new Map<string, number>();
  for (const segment of segments) {
    for (const b of segment.batches()) {
      if (batchIsControl(readBatchHeader(b.buf, b.at).attributes)) continue;
      for (const r of decodeRecordBatch(wholeBatch(segment, b)).records) {
        const key = keyOf(r);
        if (key !== undefined) latest.set(key, r.offset);
      }
    }
  }

  const newHorizon = Math.min(now + log.config.deleteRetentionMs, Number.MAX_SAFE_INTEGER);
  const outcome: CleanOutcome = { ...NOTHING };
  for (const segment of segments) {
    const pieces: Buffer[] = [];
    let removed = 0;
    let horizonsSet = 0;
    let rewritten = false;
    for (const b of segment.batches()) {
      const raw = wholeBatch(segment, b);
      const header = readBatchHeader(raw);
      if (batchIsControl(header.attributes)) {
        pieces.push(raw);
        continue;
      }
      const verdict = cleanBatch(raw, header, latest, now, newHorizon);
      removed += verdict.removed;
      if (verdict.horizonSet) horizonsSet++;
      if (verdict.bytes !== raw) rewritten = true;
      if (verdict.bytes) pieces.push(verdict.bytes);
    }
    if (!rewritten) continue;
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
    outcome.deleteHorizonsSet += horizonsSet;
  }
  // The first segment the cleaner did not look at starts where the clean part of the log ends.
  log.cleanedUpTo = Math.max(log.cleanedUpTo, log.segmentList[segments.length]!.baseOffset);
  if (outcome.segmentsCleaned > 0) {
    logger.info({ topic: log.topic, partition: log.partition, ...outcome }, 'compacted log segments');
  }
  return outcome;
}
