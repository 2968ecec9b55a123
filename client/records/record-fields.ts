// The bounds of one v2 record's fields, shared by the reader (record-reader.ts, which makes views of
// keys and values) and the walker (record-validation.ts, which only steps over them):
//
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   headers: (keyLength varint | key | valueLength varint | value)...
//
// Each step reads varints through the VarintReader and checks every length against the record's own
// end, so hostile bytes end in StraitError(CORRUPT_MESSAGE), never in a read past the end. Nothing here
// allocates; messages name byte positions, and the caller adds which record it was reading.
import { ErrorCode, StraitError } from '../errors.js';
import type { VarintReader } from './varint.js';

/** A record's body (after its length) takes at least this: attributes, two varints, key and value
 * lengths and the header count, one byte each. */
const MIN_RECORD_BODY = 6;
/** A whole record takes at least its length varint and a minimal body. */
export const MIN_RECORD_SIZE = 1 + MIN_RECORD_BODY;

// Building a message is kept out of the step functions so that they stay small enough for V8 to
// inline into the record loops: they only call corrupt() on the way out.
function corrupt(message: string): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message);
}

function recordDoesNotFit(length: number, pos: number, sectionEnd: number): StraitError {
  return corrupt(`record length ${length} at ${pos} does not fit the records section (${sectionEnd})`);
}

function badLength(what: string, length: number, pos: number, recordEnd: number): StraitError {
  return length < 0
    ? corrupt(`${what} length ${length} at ${pos}`)
    : corrupt(`${what} of ${length} bytes at ${pos} runs past the record's end ${recordEnd}`);
}

/**
 * Reads a record's length at reader.pos and limits the reader to the record: reader.end becomes the
 * record's end (returned), which must lie within sectionEnd. reader.pos is then at the attributes byte,
 * the start of the record's declared length.
 */
export function enterRecord(reader: VarintReader, sectionEnd: number): number {
  reader.end = sectionEnd;
  const length = reader.readVarint();
  const recordEnd = reader.pos + length;
  if (length < MIN_RECORD_BODY || recordEnd > sectionEnd) throw recordDoesNotFit(length, reader.pos, sectionEnd);
  reader.end = recordEnd;
  return recordEnd;
}

/** The record's fields, from recordStart (where enterRecord left the reader), took exactly the
 * length it declared. */
export function leaveRecord(reader: VarintReader, recordStart: number, recordEnd: number): void {
  if (reader.pos !== recordEnd) {
    throw corrupt(`record at ${recordStart} declares ${recordEnd - recordStart} bytes but its fields take ${reader.pos - recordStart}`);
  }
}

/**
 * Steps over a nullable byte field (key, value, header value): returns where its bytes start, or -1
 * for null (length -1); reader.pos ends after the bytes.
 */
export function skipNullableBytes(reader: VarintReader, what: string): number {
  const length = reader.readVarint();
  const start = reader.pos;
  if (length < 0) {
    if (length !== -1) throw badLength(what, length, start, reader.end);
    return -1;
  }
  const end = start + length;
  if (end > reader.end) throw badLength(what, length, start, reader.end);
  reader.pos = end;
  return start;
}

/** Steps over a header key, which may not be null; returns where its bytes start. */
export function skipHeaderKey(reader: VarintReader): number {
  const start = skipNullableBytes(reader, 'header key');
  if (start < 0) throw corrupt(`null header key at ${reader.pos}`);
  return start;
}

/** Reads the header count, bounded by the bytes left: each header takes at least two. */
export function readHeaderCount(reader: VarintReader): number {
  const count = reader.readVarint();
  if (count < 0 || count * 2 > reader.end - reader.pos) throw corrupt(`header count ${count} at ${reader.pos}`);
  return count;
}

/** baseTimestamp + timestampDelta, which must stay a safe integer (both are, the sum may not be). */
export function recordTimestamp(baseTimestamp: number, timestampDelta: number): number {
  const timestamp = baseTimestamp + timestampDelta;
  if (!Number.isSafeInteger(timestamp)) throw corrupt(`timestamp ${baseTimestamp} + ${timestampDelta} is outside the safe integer range`);
  return timestamp;
}

/** A StraitError from a record's fields, with the record's index in front of its message. */
export function atRecord(err: unknown, index: number): unknown {
  if (!(err instanceof StraitError)) return err;
  return new StraitError(err.code, `record ${index}: ${err.message}`, { cause: err });
}
