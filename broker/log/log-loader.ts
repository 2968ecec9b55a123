// Opens the segments of one partition directory. After a clean shutdown the indexes are trusted
// (and rebuilt only if they do not hold up); after a crash every segment from the recovery point on
// is scanned batch by batch, cut at the first bad length, magic or CRC, and everything after the cut
// is deleted (DESIGN §5). Interrupted compaction swaps are completed or discarded first.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { CorruptIndexError } from './index-file.js';
import {
  CorruptSegmentError, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, segmentFilePath, type SegmentSizing,
} from './segment.js';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';

export interface LoadParams {
  dir: string;
  /** For messages; the logger is expected to carry topic and partition bindings already. */
  topic: string;
  partition: number;
  sizing: SegmentSizing;
  logger: Logger;
  now: number;
  recoveryPoint: number;
  cleanShutdown: boolean;
}

export interface LoadedSegments {
  segments: LogSegment[];
  /** True when recovery cut or deleted anything. */
  truncated: boolean;
}

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** Finishes or discards what a crash during compaction or a write left behind. */
function tidyDirectory(dir: string, logger: Logger): void {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(CLEANED_SUFFIX) || name.endsWith('.tmp')) {
      fs.rmSync(file, { force: true });
    } else if (name.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) {
      // A .swap file is a complete cleaned segment: the rename over the old one is what was cut short.
      const target = file.slice(0, -SWAP_SUFFIX.length);
      fs.renameSync(file, target);
      const base = target.slice(0, -LOG_SUFFIX.length);
      fs.rmSync(base + INDEX_SUFFIX, { force: true });
      fs.rmSync(base + TIME_INDEX_SUFFIX, { force: true });
      logger.info({ file: target }, 'completed an interrupted compaction swap');
    }
  }
}

export function loadSegments(p: LoadParams): LoadedSegments {
  fs.mkdirSync(p.dir, { recursive: true });
  tidyDirectory(p.dir, p.logger);
  const names = fs.readdirSync(p.dir);
  const bases = names
    .map((n) => SEGMENT_NAME.exec(n)?.[1])
    .filter((b): b is string => b !== undefined)
    .map(Number)
    .filter((n) => Number.isSafeInteger(n))
    .sort((a, b) => a - b);
  // Index files whose log is gone are leftovers of a deletion that was cut short.
  const baseSet = new Set(bases);
  for (const n of names) {
    const m = /^(\d{20})\.(index|timeindex)$/.exec(n);
    if (m && !baseSet.has(Number(m[1]))) fs.rmSync(path.join(p.dir, n), { force: true });
  }
  if (bases.length === 0) {
    return { segments: [LogSegment.create(p.dir, 0, p.sizing, p.now)], truncated: false };
  }

  // The segment holding the recovery point is the first one that may hold unflushed data.
  let firstUnflushed = 0;
  for (let i = 0; i < bases.length; i++) if (bases[i]! <= p.recoveryPoint) firstUnflushed = i;

  const segments: LogSegment[] = [];
  try {
    return scanSegments(p, bases, firstUnflushed, segments);
  } catch (err) {
    // A log that cannot open keeps no descriptors (they are scarce when EMFILE is the reason).
    for (const s of segments) {
      try {
        s.close();
      } catch {
        // being given up either way
      }
    }
    throw err;
  }
}

/** Opens each segment into `segments` (so the caller can close them on failure), recovering from
 * the first unflushed one on after a crash. */
function scanSegments(p: LoadParams, bases: number[], firstUnflushed: number, segments: LogSegment[]): LoadedSegments {
  let truncated = false;
  for (let i = 0; i < bases.length; i++) {
    const segment = LogSegment.open(p.dir, bases[i]!, p.sizing, p.now);
    segments.push(segment);
    const mustScan = !p.cleanShutdown && i >= firstUnflushed;
    let scan = mustScan;
    if (!mustScan) {
      try {
        segment.load();
      } catch (err) {
        if (!(err instanceof CorruptIndexError || err instanceof CorruptSegmentError || err instanceof RangeError)) throw err;
        p.logger.warn({ file: segment.logPath, err: err.message },
          'index or segment tail does not hold up; rebuilding the segment from its batches');
        scan = true;
      }
    }
    if (!scan) continue;
    const outcome = segment.recover(p.sizing);
    if (outcome.cut) {
      truncated = true;
      const later = bases.slice(i + 1);
      let laterBytes = 0;
      for (const base of later) laterBytes += fs.statSync(segmentFilePath(p.dir, base, LOG_SUFFIX)).size;
      p.logger.warn({
        file: segment.logPath,
        offset: segment.nextOffset,
        position: outcome.cut.position,
        bytesCut: outcome.truncatedBytes,
        segmentsDeleted: later.length,
        segmentBytesDeleted: laterBytes,
        problem: outcome.cut.problem,
      }, `recovery cut ${p.topic}-${p.partition} at offset ${segment.nextOffset} (file position ${outcome.cut.position}): `
        + `${outcome.truncatedBytes} bytes removed, ${later.length} later segments (${laterBytes} bytes) deleted`);
      for (const base of later) {
        for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
          fs.rmSync(segmentFilePath(p.dir, base, suffix), { force: true });
        }
      }
      break;
    }
  }
  for (const s of segments.slice(0, -1)) s.onBecomeInactive();
  return { segments, truncated };
}
