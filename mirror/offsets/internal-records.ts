// The record formats of the mirror's offset topics: offset syncs, checkpoints and heartbeats. MM2's
// key/value split (OffsetSync, Checkpoint, Heartbeat) kept, encoded as UTF-8 JSON objects with a format
// version `v`, so `strait consume --property print.key=true` shows them as they are and a later format
// can be told apart. Keys are written with a fixed field order: compaction compares key bytes.
// A record that does not decode (another tool's bytes, a newer version) is a MalformedRecordError: the
// readers skip and count it, they never stop on it.
import { ErrorCode, StraitError } from '../../client/index.js';

export const RECORD_FORMAT_VERSION = 1;

/** Source record `upstream` of `topic`/`partition` is at `downstream` in the remote partition. */
export interface OffsetSync {
  topic: string;
  partition: number;
  upstream: number;
  downstream: number;
}

/** A group's committed source offset and its translation in the remote topic (`topic` is the remote name). */
export interface Checkpoint {
  group: string;
  topic: string;
  partition: number;
  upstream: number;
  downstream: number;
  metadata: string;
}

export interface Heartbeat {
  source: string;
  target: string;
  timestampMs: number;
}

export class MalformedRecordError extends StraitError {
  constructor(what: string, problem: string) {
    super(ErrorCode.INVALID_RECORD, `malformed ${what} record: ${problem}`);
  }
}

const encode = (fields: Record<string, string | number>): Buffer => Buffer.from(JSON.stringify({ v: RECORD_FORMAT_VERSION, ...fields }), 'utf8');

/**
 * An offset-sync key: the source partition and a history level. MM2 keys syncs by partition alone, so
 * compaction leaves one sync per partition and a restarted reader has lost the history that lagging
 * groups translate with. Here the writer's n-th sync of a partition goes under level ctz(n): compaction
 * keeps the newest sync of each level, syncs spaced 1, 2, 4, 8... syncs back, at most 33 per partition.
 */
export function encodeOffsetSyncKey(topic: string, partition: number, level: number): Buffer {
  return encode({ topic, partition, level });
}

export function encodeOffsetSyncValue(sync: OffsetSync): Buffer {
  return encode({ upstream: sync.upstream, downstream: sync.downstream });
}

export function decodeOffsetSync(key: Buffer | null, value: Buffer | null): OffsetSync {
  const k = decodeObject('offset sync', key);
  const v = decodeObject('offset sync', value);
  return {
    topic: stringField('offset sync', k, 'topic'),
    partition: offsetField('offset sync', k, 'partition'),
    upstream: offsetField('offset sync', v, 'upstream'),
    downstream: offsetField('offset sync', v, 'downstream'),
  };
}

export function encodeCheckpointKey(c: Pick<Checkpoint, 'group' | 'topic' | 'partition'>): Buffer {
  return encode({ group: c.group, topic: c.topic, partition: c.partition });
}

export function encodeCheckpointValue(c: Checkpoint): Buffer {
  return encode({ upstream: c.upstream, downstream: c.downstream, metadata: c.metadata });
}

export function decodeCheckpoint(key: Buffer | null, value: Buffer | null): Checkpoint {
  const k = decodeObject('checkpoint', key);
  const v = decodeObject('checkpoint', value);
  return {
    group: stringField('checkpoint', k, 'group'),
    topic: stringField('checkpoint', k, 'topic'),
    partition: offsetField('checkpoint', k, 'partition'),
    upstream: offsetField('checkpoint', v, 'upstream'),
    downstream: offsetField('checkpoint', v, 'downstream'),
    metadata: stringField('checkpoint', v, 'metadata'),
  };
}

export function encodeHeartbeatKey(h: Pick<Heartbeat, 'source' | 'target'>): Buffer {
  return encode({ source: h.source, target: h.target });
}

export function encodeHeartbeatValue(h: Heartbeat): Buffer {
  return encode({ timestamp: h.timestampMs });
}

export function decodeHeartbeat(key: Buffer | null, value: Buffer | null): Heartbeat {
  const k = decodeObject('heartbeat', key);
  const v = decodeObject('heartbeat', value);
  return {
    source: stringField('heartbeat', k, 'source'),
    target: stringField('heartbeat', k, 'target'),
    timestampMs: offsetField('heartbeat', v, 'timestamp'),
  };
}

function decodeObject(what: string, bytes: Buffer | null): Record<string, unknown> {
  if (bytes === null) throw new MalformedRecordError(what, 'no key or value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedRecordError(what, 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MalformedRecordError(what, 'not an object');
  const fields = parsed as Record<string, unknown>;
  if (fields.v !== RECORD_FORMAT_VERSION) throw new MalformedRecordError(what, `format version ${String(fields.v)} (this reader knows ${RECORD_FORMAT_VERSION})`);
  return fields;
}

function stringField(what: string, fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new MalformedRecordError(what, `${name} is not a string`);
  return value;
}

/** Offsets, partitions and timestamps: whole numbers from 0 up to Number.MAX_SAFE_INTEGER (the SDK's choice). */
function offsetField(what: string, fields: Record<string, unknown>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new MalformedRecordError(what, `${name} is not a whole number >= 0`);
  return value;
}
