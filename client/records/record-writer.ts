// Measuring and writing Kafka v2 records straight into a preallocated batch buffer:
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value |
//   headerCount varint | (headerKeyLength varint | key utf8 | headerValueLength varint (-1 = null) | value)*
// A record is measured once when it is added (its size minus the timestamp delta, which depends on
// the batch's base timestamp) and written once when the batch is built; strings are never copied
// into intermediate buffers.
import { ErrorCode, StraitError } from '../errors.js';
import type { RecordHeader } from './record.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

export type RecordBytes = Buffer | Uint8Array | string;

/** What a record needs to be written, checked and measured. */
export interface EncodableRecord {
  key: RecordBytes | null;
  /** -1 for a null key. */
  keyLength: number;
  value: RecordBytes | null;
  valueLength: number;
  headers: readonly RecordHeader[] | undefined;
  timestamp: number;
  offsetDelta: number;
  /** attributes + offsetDelta + key + value + headers: everything but the length and the timestamp delta. */
  sizeWithoutTimestamp: number;
}

/** The fields of ProducerRecord and ConsumedRecord that encoding reads. */
export interface RecordFields {
  key?: RecordBytes | null;
  value: RecordBytes | null;
  headers?: readonly RecordHeader[];
  timestamp?: number;
}

function invalid(message: string): StraitError {
  return new StraitError(ErrorCode.INVALID_RECORD, message);
}

function byteLength(field: string, data: unknown): number {
  if (data === null || data === undefined) return -1;
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Uint8Array) return data.length;
  throw invalid(`record ${field} must be a Buffer, a string or null, not ${typeof data}`);
}

function headersSize(headers: readonly RecordHeader[] | undefined): number {
  if (headers === undefined || headers === null) return 1;
  if (!Array.isArray(headers)) throw invalid('record headers must be an array');
  let size = sizeOfVarint(headers.length);
  for (const header of headers) {
    if (header === null || typeof header !== 'object' || typeof header.key !== 'string') {
      throw invalid('a record header needs a string key');
    }
    const keyLength = Buffer.byteLength(header.key, 'utf8');
    const valueLength = byteLength('header value', header.value);
    size += sizeOfVarint(keyLength) + keyLength + sizeOfVarint(valueLength) + Math.max(valueLength, 0);
  }
  return size;
}

/** Checks and measures a record; `defaultTimestamp` stands in for a missing timestamp. */
export function toEncodable(record: RecordFields, offsetDelta: number, defaultTimestamp: number): EncodableRecord {
  if (record === null || typeof record !== 'object') throw invalid('a record must be an object');
  const key = record.key ?? null;
  const value = record.value ?? null;
  const keyLength = byteLength('key', key);
  const valueLength = byteLength('value', value);
  const timestamp = record.timestamp ?? defaultTimestamp;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new StraitError(ErrorCode.INVALID_TIMESTAMP, `record timestamp ${timestamp} is not a non-negative integer of ms`);
  }
  const headers = record.headers;
  const sizeWithoutTimestamp =
    1 +
    sizeOfVarint(offsetDelta) +
    sizeOfVarint(keyLength) +
    Math.max(keyLength, 0) +
    sizeOfVarint(valueLength) +
    Math.max(valueLength, 0) +
    headersSize(headers);
  return { key, keyLength, value, valueLength, headers, timestamp, offsetDelta, sizeWithoutTimestamp };
}

/** Total bytes of the record, its length varint included, at the given timestamp delta. */
export function encodedRecordSize(record: EncodableRecord, timestampDelta: number): number {
  const body = record.sizeWithoutTimestamp + sizeOfVarlong(timestampDelta);
  return sizeOfVarint(body) + body;
}

function writeBytes(buf: Buffer, data: RecordBytes, length: number, pos: number): number {
  if (typeof data === 'string') {
    buf.write(data, pos, length, 'utf8');
  } else if (length < 64) {
    // A byte loop beats the native copy for the short keys and values that dominate real traffic.
    for (let i = 0; i < length; i++) buf[pos + i] = data[i]!;
  } else {
    buf.set(data, pos);
  }
  return pos + length;
}

function writeNullableBytes(buf: Buffer, data: RecordBytes | null, length: number, pos: number): number {
  pos = writeVarint(buf, length, pos);
  return data === null ? pos : writeBytes(buf, data, length, pos);
}

/** Writes the record at pos and returns the position after it. */
export function writeRecord(buf: Buffer, record: EncodableRecord, timestampDelta: number, pos: number): number {
  const body = record.sizeWithoutTimestamp + sizeOfVarlong(timestampDelta);
  pos = writeVarint(buf, body, pos);
  buf[pos++] = 0; // record attributes: unused in v2
  pos = writeVarlong(buf, timestampDelta, pos);
  pos = writeVarint(buf, record.offsetDelta, pos);
  pos = writeNullableBytes(buf, record.key, record.keyLength, pos);
  pos = writeNullableBytes(buf, record.value, record.valueLength, pos);
  const headers = record.headers;
  if (headers === undefined || headers === null) {
    buf[pos++] = 0;
    return pos;
  }
  pos = writeVarint(buf, headers.length, pos);
  for (const header of headers) {
    pos = writeNullableBytes(buf, header.key, Buffer.byteLength(header.key, 'utf8'), pos);
    const value = header.value ?? null;
    pos = writeNullableBytes(buf, value, value === null ? -1 : byteLength('header value', value), pos);
  }
  return pos;
}
