// Reading Kafka v2 records out of a (decompressed) records section. Keys, values and header values
// are views of the section, never copies; every length is checked against the record's own bounds
// so that hostile bytes end in StraitError(CORRUPT_MESSAGE), never in a read past the end.
import { ErrorCode, StraitError } from '../errors.js';
import { type BatchHeader, TimestampType, batchTimestampType } from './batch-header.js';
import type { ConsumedRecord, RecordHeader } from './record.js';
import { VarintReader } from './varint.js';

const MIN_RECORD_SIZE = 7;

function corrupt(message: string): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message);
}

function readNullableBytes(reader: VarintReader, what: string): Buffer | null {
  const length = reader.readVarint();
  if (length < 0) {
    if (length !== -1) throw corrupt(`${what} length ${length} at ${reader.pos}`);
    return null;
  }
  const start = reader.pos;
  const end = start + length;
  if (end > reader.end) throw corrupt(`${what} of ${length} bytes at ${start} runs past the record's end ${reader.end}`);
  reader.pos = end;
  return reader.buf.subarray(start, end);
}

function readHeaders(reader: VarintReader): RecordHeader[] {
  const count = reader.readVarint();
  // Each header takes at least two bytes: a bound on the count before anything is allocated.
  if (count < 0 || count * 2 > reader.end - reader.pos) throw corrupt(`header count ${count} at ${reader.pos}`);
  const headers: RecordHeader[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const key = readNullableBytes(reader, 'header key');
    if (key === null) throw corrupt(`null header key at ${reader.pos}`);
    headers[i] = { key: key.toString('utf8'), value: readNullableBytes(reader, 'header value') };
  }
  return headers;
}

/** Where a batch was fetched from: a consumer's records carry it. */
export interface RecordOrigin {
  topic: string;
  partition: number;
}

/**
 * Reads exactly header.recordCount records from data[start, end); the records must fill the range.
 * With an origin, each record is made with its topic and partition in one object literal: adding them
 * afterwards costs a hidden-class transition and an out-of-object property store per record.
 */
export function readRecords(data: Buffer, start: number, end: number, header: BatchHeader, origin?: RecordOrigin): ConsumedRecord[] {
  const count = header.recordCount;
  // A record takes at least 7 bytes; checked before the array is allocated.
  if (count * MIN_RECORD_SIZE > end - start) {
    throw corrupt(`record count ${count} cannot fit in ${end - start} bytes of records`);
  }
  const records: ConsumedRecord[] = new Array(count);
  const reader = new VarintReader(data, start, end);
  const timestampType = batchTimestampType(header.attributes);
  // In a LogAppendTime batch every record carries the broker's append time, kept in maxTimestamp.
  const useLogAppendTime = timestampType === TimestampType.LogAppendTime;
  const { baseOffset, baseTimestamp, partitionLeaderEpoch, lastOffsetDelta } = header;
  for (let i = 0; i < count; i++) {
    reader.end = end;
    const length = reader.readVarint();
    const recordStart = reader.pos;
    const recordEnd = recordStart + length;
    if (length < 6 || recordEnd > end) {
      throw corrupt(`record ${i} of ${length} bytes at ${recordStart} does not fit the records section (${end})`);
    }
    reader.end = recordEnd;
    reader.pos = recordStart + 1; // record attributes: unused in v2
    const timestampDelta = reader.readVarlong();
    const offsetDelta = reader.readVarint();
    if (offsetDelta < 0 || offsetDelta > lastOffsetDelta) {
      throw corrupt(`record ${i} has offset delta ${offsetDelta}, the batch's last is ${lastOffsetDelta}`);
    }
    const key = readNullableBytes(reader, 'key');
    const value = readNullableBytes(reader, 'value');
    const headers = readHeaders(reader);
    if (reader.pos !== recordEnd) {
      throw corrupt(`record ${i} declares ${length} bytes but its fields take ${reader.pos - recordStart}`);
    }
    const timestamp = useLogAppendTime ? header.maxTimestamp : baseTimestamp + timestampDelta;
    if (!Number.isSafeInteger(timestamp)) throw corrupt(`record ${i} has timestamp ${timestamp}`);
    records[i] = origin === undefined
      ? { offset: baseOffset + offsetDelta, timestamp, timestampType, key, value, headers, leaderEpoch: partitionLeaderEpoch }
      : { offset: baseOffset + offsetDelta, timestamp, timestampType, key, value, headers, leaderEpoch: partitionLeaderEpoch, topic: origin.topic, partition: origin.partition } as ConsumedRecord;
  }
  if (reader.pos !== end) {
    throw corrupt(`${end - reader.pos} bytes remain after the batch's ${count} records`);
  }
  return records;
}
