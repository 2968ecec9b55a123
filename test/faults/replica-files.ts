// Reads one replica of a partition straight from its directory on disk, after its broker has
// stopped: every `<20-digit base offset>.log` segment in order, each batch framed and CRC-checked by
// the records codec and decoded for its values, each batch's bytes kept exactly as stored so that
// replicas can be compared byte for byte. Read-only, and independent of the broker's Log class: what
// the checker sees is what the files hold, not what the broker's loader would make of them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkBatch, decodeRecordBatch, lastOffsetOf, readInt64, BASE_OFFSET } from '../../client/index.js';
import { partitionDirs } from '../cluster/cluster-kit.js';
import type { PartitionLog } from './topic-reader.js';

const SEGMENT_FILE = /^(\d{20})\.log$/;

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  /** The whole batch, header included, as the segment file holds it. */
  bytes: Buffer;
  /** Segment file name and the batch's position in it (for messages). */
  segment: string;
  position: number;
}

/** One node's copy of one partition: its records (as a PartitionLog for the delivery checker) and its batches. */
export interface ReplicaLog extends PartitionLog {
  node: number;
  batches: StoredBatch[];
  /** What could not be read: a torn or corrupt batch (reading that segment stops there), a batch below its segment's base. */
  problems: string[];
}

/**
 * The replica held in `dir`. The start offset is the first batch's base offset (the first segment's
 * base when it holds none): these scenarios never delete records, so no log start checkpoint lies
 * above it.
 */
export function readReplicaLog(node: number, partition: number, dir: string): ReplicaLog {
  const segments = readdirSync(dir).filter((name) => SEGMENT_FILE.test(name)).sort();
  const replica: ReplicaLog = { node, partition, startOffset: 0, endOffset: 0, records: [], batches: [], problems: [] };
  for (const segment of segments) {
    const segmentBase = Number(SEGMENT_FILE.exec(segment)![1]);
    const buf = readFileSync(path.join(dir, segment));
    let position = 0;
    while (position < buf.length) {
      const check = checkBatch(buf, position, true);
      if ('kind' in check) {
        replica.problems.push(`${segment} at byte ${position}: ${check.message} (${buf.length - position} bytes not read)`);
        break;
      }
      const bytes = buf.subarray(position, position + check.size);
      const baseOffset = readInt64(bytes, BASE_OFFSET);
      if (baseOffset < segmentBase) replica.problems.push(`${segment} at byte ${position}: batch at offset ${baseOffset} below the segment's base ${segmentBase}`);
      replica.batches.push({ baseOffset, lastOffset: lastOffsetOf(bytes, 0), bytes, segment, position });
      try {
        for (const r of decodeRecordBatch(bytes).records) {
          replica.records.push({ partition, offset: r.offset, value: r.value === null ? null : r.value.toString() });
        }
      } catch (err) {
        replica.problems.push(`${segment} at byte ${position}: batch at offset ${baseOffset} does not decode: ${err instanceof Error ? err.message : String(err)}`);
      }
      position += check.size;
    }
  }
  const first = replica.batches[0];
  const last = replica.batches[replica.batches.length - 1];
  replica.startOffset = first ? first.baseOffset : segments.length > 0 ? Number(SEGMENT_FILE.exec(segments[0]!)![1]) : 0;
  replica.endOffset = last ? last.lastOffset + 1 : replica.startOffset;
  return replica;
}

/** Every replica of `topic` in a node's data dir (one directory per partition it holds). */
export function readNodeReplicas(node: number, dataDir: string, topic: string): ReplicaLog[] {
  return partitionDirs(dataDir, topic)
    .map((name) => readReplicaLog(node, Number(name.slice(topic.length + 1)), path.join(dataDir, name)))
    .sort((a, b) => a.partition - b.partition);
}
