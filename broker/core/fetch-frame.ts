// The bytes of a consumer's Fetch answer, laid out by the broker so that record bytes are copied as
// little as possible: each partition's batches are read from the segment file straight into the
// buffer that grpc-js sends, as the follower path does (replication/replica-fetch-frame.ts).
//
// The wire format is FetchResponse of proto/broker.proto, unchanged: any protobuf decoder reads it,
// and the client's generated one hands each `records` over as a view of the received buffer. Two
// liberties the format allows make it possible to write the bytes in one pass:
//   - the length of each embedded message (a topic, a partition) and of `records` is written as a
//     5-byte varint (padded with continuation bits), so that it can be filled in once the read is done
//     and the bytes around it need not move;
//   - in a partition, `records` (field 8) comes before the other fields, so that an error found while
//     reading is still written into the partition's fields, and the partial batch a read may end with
//     is overwritten by them.
// Scalars equal to their default are left out, as proto3 encoders do.
//
// Copies of record bytes on the broker: the pread into this buffer (from the page cache) and grpc-js
// copying it into its length-prefixed frame. With the generated encoder there was one more: the pread
// went into a buffer of the read's own, which protobufjs then copied into the encoded message.
import type { ErrorCodeValue } from '../../client/index.js';
import type { LocatedRead } from '../log/index.js';
import { errorFields } from './error-mapping.js';

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const PADDED_LENGTH_BYTES = 5;
/** A varint of a negative int32/int64 takes 10 bytes (sign-extended to 64 bits). */
const MAX_VARINT_BYTES = 10;
/**
 * The most a partition's fields other than `records` take: 5 scalars (tag + varint) and 2 embedded
 * messages of 2 scalars each (tag + padded length + 2 × (tag + varint)).
 */
const MAX_PARTITION_FIELDS_BYTES = 5 * (1 + MAX_VARINT_BYTES) + 2 * (1 + PADDED_LENGTH_BYTES + 2 * (1 + MAX_VARINT_BYTES));
/** A partition's own tag and padded length, and the tag and padded length of its `records`. */
const PARTITION_OVERHEAD_BYTES = 2 * (1 + PADDED_LENGTH_BYTES) + MAX_PARTITION_FIELDS_BYTES;
/** The response's own scalars: correlation_id, error_code, throttle_time_ms. */
const MAX_RESPONSE_FIELDS_BYTES = 3 * (1 + MAX_VARINT_BYTES);

/** A partition's answer without its records; the numbers are the ones FetchablePartitionResponse carries. */
export interface FetchPartitionFields {
  partition: number;
  errorCode: ErrorCodeValue;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  divergingEpoch?: { epoch: number; endOffset: number } | null;
  currentLeader?: { leaderId: number; leaderEpoch: number } | null;
}

/** One partition to answer: its fields, and where its records lie (none on error or nothing to read). */
export interface FetchPartitionAnswer {
  readonly fields: FetchPartitionFields;
  readonly read: LocatedRead | undefined;
}

export interface FetchTopicAnswer {
  readonly name: string;
  readonly partitions: readonly FetchPartitionAnswer[];
}

/** A laid-out answer: `frame` goes on the wire; `recordBytes[i][j]` are topic i partition j's records
 * (views of the frame), with each partition's fields as written (a failed read sets its error). */
export interface EncodedFetchResponse {
  readonly frame: Buffer;
  readonly records: readonly (readonly Buffer[])[];
}

/** Field numbers of proto/broker.proto. */
const RESPONSE = { correlationId: 1, errorCode: 2, throttleTimeMs: 3, topics: 4 } as const;
const TOPIC = { name: 1, partitions: 2 } as const;
const PARTITION = {
  partition: 1, errorCode: 2, highWatermark: 3, lastStableOffset: 4, logStartOffset: 5,
  divergingEpoch: 6, currentLeader: 7, records: 8,
} as const;
const EPOCH_END_OFFSET = { epoch: 1, endOffset: 2 } as const;
const LEADER_ID_AND_EPOCH = { leaderId: 1, leaderEpoch: 2 } as const;

const TWO_TO_32 = 2 ** 32;

/** Writes the protobuf tag of field `field` (below 16, so one byte) at `at`. */
function writeTag(buf: Buffer, field: number, wireType: number, at: number): number {
  buf[at] = (field << 3) | wireType;
  return at + 1;
}

/**
 * Writes a safe integer as a protobuf varint at `at`: non-negative as itself, negative as its 64-bit
 * two's complement (how int32 and int64 fields carry negative numbers). Returns the end.
 */
function writeVarint(buf: Buffer, value: number, at: number): number {
  let hi = Math.floor(value / TWO_TO_32) >>> 0;
  let lo = (value - Math.floor(value / TWO_TO_32) * TWO_TO_32) >>> 0;
  while (hi !== 0 || lo > 0x7f) {
    buf[at++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[at++] = lo;
  return at;
}

/** Writes a varint field unless the value is the default (0). */
function writeScalar(buf: Buffer, field: number, value: number, at: number): number {
  if (value === 0) return at;
  return writeVarint(buf, value, writeTag(buf, field, WIRE_VARINT, at));
}

/** Writes `value` as a 5-byte varint at `at` (padded with continuation bits). */
function writePaddedLength(buf: Buffer, value: number, at: number): void {
  for (let i = 0; i < 4; i++) buf[at + i] = ((value >>> (7 * i)) & 0x7f) | 0x80;
  buf[at + 4] = (value >>> 28) & 0x0f;
}

/** Opens an embedded message (field `field`): its tag and room for its length. Returns where its body starts. */
function openMessage(buf: Buffer, field: number, at: number): number {
  return writeTag(buf, field, WIRE_LENGTH_DELIMITED, at) + PADDED_LENGTH_BYTES;
}

/** Fills in the length of the embedded message whose body starts at `bodyStart` and ends at `end`. */
function closeMessage(buf: Buffer, bodyStart: number, end: number): void {
  writePaddedLength(buf, end - bodyStart, bodyStart - PADDED_LENGTH_BYTES);
}

function writePair(buf: Buffer, field: number, fieldA: number, a: number, fieldB: number, b: number, at: number): number {
  const body = openMessage(buf, field, at);
  const end = writeScalar(buf, fieldB, b, writeScalar(buf, fieldA, a, body));
  closeMessage(buf, body, end);
  return end;
}

function writePartitionFields(buf: Buffer, p: FetchPartitionFields, at: number): number {
  at = writeScalar(buf, PARTITION.partition, p.partition, at);
  at = writeScalar(buf, PARTITION.errorCode, p.errorCode, at);
  at = writeScalar(buf, PARTITION.highWatermark, p.highWatermark, at);
  at = writeScalar(buf, PARTITION.lastStableOffset, p.lastStableOffset, at);
  at = writeScalar(buf, PARTITION.logStartOffset, p.logStartOffset, at);
  if (p.divergingEpoch) {
    at = writePair(buf, PARTITION.divergingEpoch, EPOCH_END_OFFSET.epoch, p.divergingEpoch.epoch, EPOCH_END_OFFSET.endOffset, p.divergingEpoch.endOffset, at);
  }
  if (p.currentLeader) {
    at = writePair(buf, PARTITION.currentLeader, LEADER_ID_AND_EPOCH.leaderId, p.currentLeader.leaderId, LEADER_ID_AND_EPOCH.leaderEpoch, p.currentLeader.leaderEpoch, at);
  }
  return at;
}

/** Reads a partition's records into `buf` as field 8 at `at`; returns the end and the records (empty
 * and nothing written when there are none or the read failed, which sets the partition's error). */
function writeRecords(buf: Buffer, answer: FetchPartitionAnswer, at: number): { end: number; records: Buffer } {
  const read = answer.read;
  if (!read || read.length === 0) return { end: at, records: EMPTY };
  const body = openMessage(buf, PARTITION.records, at);
  let whole: number;
  try {
    whole = read.readInto(buf, body);
  } catch (err) {
    // KAFKA_STORAGE_ERROR: the log has already taken itself offline and said why (Log.storageError).
    answer.fields.errorCode = errorFields(err).errorCode;
    return { end: at, records: EMPTY };
  }
  if (whole === 0) return { end: at, records: EMPTY };
  closeMessage(buf, body, body + whole);
  return { end: body + whole, records: buf.subarray(body, body + whole) };
}

const EMPTY = Buffer.alloc(0);

/**
 * Lays out a FetchResponse with each partition's records read straight into it. Reads happen here:
 * call it on the same turn of the event loop as the locate() that made each LocatedRead.
 */
export function encodeFetchResponse(correlationId: number, errorCode: ErrorCodeValue, throttleTimeMs: number, topics: readonly FetchTopicAnswer[]): EncodedFetchResponse {
  let size = MAX_RESPONSE_FIELDS_BYTES;
  for (const t of topics) {
    size += 1 + PADDED_LENGTH_BYTES + 1 + MAX_VARINT_BYTES + Buffer.byteLength(t.name);
    for (const p of t.partitions) size += PARTITION_OVERHEAD_BYTES + (p.read?.length ?? 0);
  }
  const buf = Buffer.allocUnsafe(size);
  let at = writeScalar(buf, RESPONSE.correlationId, correlationId, 0);
  at = writeScalar(buf, RESPONSE.errorCode, errorCode, at);
  at = writeScalar(buf, RESPONSE.throttleTimeMs, throttleTimeMs, at);
  const records: Buffer[][] = [];
  for (const t of topics) {
    const topicBody = openMessage(buf, RESPONSE.topics, at);
    at = topicBody;
    if (t.name !== '') {
      at = writeTag(buf, TOPIC.name, WIRE_LENGTH_DELIMITED, at);
      const nameBytes = Buffer.byteLength(t.name);
      at = writeVarint(buf, nameBytes, at);
      at += buf.write(t.name, at, 'utf8');
    }
    const topicRecords: Buffer[] = [];
    for (const p of t.partitions) {
      const partitionBody = openMessage(buf, TOPIC.partitions, at);
      const written = writeRecords(buf, p, partitionBody);
      topicRecords.push(written.records);
      at = writePartitionFields(buf, p.fields, written.end);
      closeMessage(buf, partitionBody, at);
    }
    closeMessage(buf, topicBody, at);
    records.push(topicRecords);
  }
  return { frame: buf.subarray(0, at), records };
}
