// The bytes of a ReplicaFetch answer, built so that record bytes are copied as little as possible.
//
// The leader reads every partition's batches from its segment files straight into the one buffer
// that grpc-js sends, behind a 6-byte head: the tag of `records` (field 15, length-delimited) and its
// length as a 5-byte varint (written once the reads are done; a varint may carry padding). The other
// fields follow the records, encoded by the generated serializer. Protobuf accepts fields in any
// order, so a standard decoder reads the whole answer; protobufjs hands `records` over as a view of
// the received buffer, not a copy. Each partition's share is `records_size` bytes, in order.
//
// Copies of record bytes on this path: the leader's pread into the answer buffer (from the page
// cache), grpc-js copying the answer into its length-prefixed frame, grpc-js on the follower joining
// the HTTP/2 chunks into one message, the follower's write into its segment file. The consumer fetch
// path copies once more on the broker (protobuf encoding of `records`).
import { ErrorCode, loadProtos, type wire } from '../../client/index.js';
import type { LocatedRead } from '../log/index.js';

/** Field 15, wire type 2 (length-delimited). */
const RECORDS_TAG = (15 << 3) | 2;
const HEAD_BYTES = 6;
/** Room for a header that grows after its size was measured (an error found while reading). */
const HEADER_SLACK = 64;

type HeaderEncoder = (response: wire.ReplicaFetchResponse) => Buffer;

let encoder: HeaderEncoder | undefined;

/** The generated protobuf serializer of ReplicaFetchResponse, from the same definition the server loads. */
function encodeHeader(response: wire.ReplicaFetchResponse): Buffer {
  encoder ??= loadProtos().proto.strait.v1.Replica.service.ReplicaFetch.responseSerialize as HeaderEncoder;
  return encoder(response);
}

/** An answer ready for the wire: `frame` is what goes out; the rest is for metrics and logs. */
export interface EncodedReplicaFetchResponse {
  readonly correlationId: number;
  readonly errorCode: number;
  readonly partitions: readonly wire.ReplicaFetchPartitionResponse[];
  readonly frame: Buffer;
}

/** One partition of an answer: its fields, and the bytes to read into the answer (none on error). */
export interface PartitionAnswer {
  readonly fields: wire.ReplicaFetchPartitionResponse;
  readonly read: LocatedRead | undefined;
}

/** Writes value as a 5-byte varint (padded with continuation bits) at `at`. */
function writePaddedVarint(buf: Buffer, value: number, at: number): void {
  for (let i = 0; i < 4; i++) buf[at + i] = ((value >>> (7 * i)) & 0x7f) | 0x80;
  buf[at + 4] = (value >>> 28) & 0x0f;
}

/**
 * Reads each partition's bytes into one buffer and lays the answer out as described at the top. A
 * read that fails (KAFKA_STORAGE_ERROR) becomes that partition's error, with no records.
 */
export function encodeReplicaFetchResponse(correlationId: number, answers: readonly PartitionAnswer[]): EncodedReplicaFetchResponse {
  const partitions = answers.map((a) => ({ ...a.fields, recordsSize: a.read?.length ?? 0 }));
  const upperBound = answers.reduce((n, a) => n + (a.read?.length ?? 0), 0);
  if (upperBound === 0) return encodeWithoutRecords(correlationId, partitions);
  // Sizes only shrink from their upper bounds, so the header measured now is at least as long as
  // the final one, unless a read fails and adds an error code.
  const headerRoom = encodeHeader({ correlationId, errorCode: ErrorCode.NONE, partitions }).length + HEADER_SLACK;
  const buf = Buffer.allocUnsafe(HEAD_BYTES + upperBound + headerRoom);
  let cursor = HEAD_BYTES;
  answers.forEach((answer, i) => {
    const p = partitions[i]!;
    if (!answer.read || answer.read.length === 0) return;
    try {
      p.recordsSize = answer.read.readInto(buf, cursor);
    } catch (err) {
      p.recordsSize = 0;
      p.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      p.errorMessage = (err as Error).message.slice(0, HEADER_SLACK / 2);
    }
    cursor += p.recordsSize;
  });
  const recordBytes = cursor - HEAD_BYTES;
  const header = encodeHeader({ correlationId, errorCode: ErrorCode.NONE, partitions });
  buf[0] = RECORDS_TAG;
  writePaddedVarint(buf, recordBytes, 1);
  let frame: Buffer;
  if (cursor + header.length <= buf.length) {
    header.copy(buf, cursor);
    frame = buf.subarray(0, cursor + header.length);
  } else {
    frame = Buffer.concat([buf.subarray(0, cursor), header]);
  }
  return { correlationId, errorCode: ErrorCode.NONE, partitions, frame };
}

function encodeWithoutRecords(correlationId: number, partitions: wire.ReplicaFetchPartitionResponse[]): EncodedReplicaFetchResponse {
  const frame = encodeHeader({ correlationId, errorCode: ErrorCode.NONE, partitions });
  return { correlationId, errorCode: ErrorCode.NONE, partitions, frame };
}

/** A request-level error answer (no partitions). */
export function encodeReplicaFetchError(correlationId: number, errorCode: number, errorMessage: string): EncodedReplicaFetchResponse {
  const frame = encodeHeader({ correlationId, errorCode: errorCode as wire.ReplicaFetchResponse['errorCode'], errorMessage, partitions: [] });
  return { correlationId, errorCode, partitions: [], frame };
}

/**
 * The follower's side: each partition of a decoded answer with its own records (views of the
 * answer's buffer). Undefined when the sizes do not add up to the records carried (a damaged answer).
 */
export function splitRecords(response: wire.ReplicaFetchResponse__Output): { partition: wire.ReplicaFetchPartitionResponse__Output; records: Buffer }[] | undefined {
  const all = response.records;
  let cursor = 0;
  const out: { partition: wire.ReplicaFetchPartitionResponse__Output; records: Buffer }[] = [];
  for (const p of response.partitions) {
    const size = p.recordsSize;
    if (!Number.isInteger(size) || size < 0 || cursor + size > all.length) return undefined;
    out.push({ partition: p, records: all.subarray(cursor, cursor + size) });
    cursor += size;
  }
  return cursor === all.length ? out : undefined;
}
