// Reading Kafka v2 records out of a (decompressed) records section. Keys, values and header values
// are views of the section, never copies; every length is checked against the record's own bounds
// (record-fields.ts, shared with the producer-batch walker) so that hostile bytes end in
// StraitError(CORRUPT_MESSAGE), never in a read past the end.
import { ErrorCode, StraitError } from '../errors.js';
import { type BatchHeader, TimestampType, batchTimestampType } from './batch-header.js';
import type { ConsumedRecord, RecordHeader } from './record.js';
import {
  MIN_RECORD_SIZE, atRecord, enterRecord, leaveRecord, readHeaderCount, recordTimestamp, skipHeaderKey, skipNullableBytes,
} from './record-fields.js';
import { VarintReader } from './varint.js';

function corrupt(message: string): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message);
}

function readNullableBytes(reader: VarintReader, what: string): Buffer | null {
  const start = skipNullableBytes(reader, what);
  return start < 0 ? null : reader.buf.subarray(start, reader.pos);
}

function readHeaders(reader: VarintReader): RecordHeader[] {
  const count = readHeaderCount(reader);
  const headers: RecordHeader[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const keyStart = skipHeaderKey(reader);
    const key = reader.buf.toString('utf8', keyStart, reader.pos);
    headers[i] = { key, value: readNullableBytes(reader, 'header value') };
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
  let i = 0;
  try {
    for (; i < count; i++) {
      const recordEnd = enterRecord(reader, end);
      const recordStart = reader.pos;
      reader.pos++; // record attributes: unused in v2
      const timestampDelta = reader.readVarlong();
      const offsetDelta = reader.readVarint();
      if (offsetDelta < 0 || offsetDelta > lastOffsetDelta) {
        throw corrupt(`offset delta ${offsetDelta}, the batch's last is ${lastOffsetDelta}`);
      }
      const key = readNullableBytes(reader, 'key');
      const value = readNullableBytes(reader, 'value');
      const headers = readHeaders(reader);
      leaveRecord(reader, recordStart, recordEnd);
      const timestamp = useLogAppendTime ? header.maxTimestamp : recordTimestamp(baseTimestamp, timestampDelta);
      records[i] = origin === undefined
        ? { offset: baseOffset + offsetDelta, timestamp, timestampType, key, value, headers, leaderEpoch: partitionLeaderEpoch }
        : { offset: baseOffset + offsetDelta, timestamp, timestampType, key, value, headers, leaderEpoch: partitionLeaderEpoch, topic: origin.topic, partition: origin.partition } as ConsumedRecord;
    }
  } catch (err) {
    throw atRecord(err, i);
  }
  if (reader.pos !== end) {
    throw corrupt(`${end - reader.pos} bytes remain after the batch's ${count} records`);
  }
  return records;
}
