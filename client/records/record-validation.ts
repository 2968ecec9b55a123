// Walks the records of a batch as a producer must write them, without decoding them: varints are
// read and lengths checked (record-fields.ts, the same steps the reader takes), but no key, value or
// header is sliced and no record object is made, so a walk allocates nothing per record. The broker's
// leader validation uses it on every produced batch (DESIGN §4); the SDK can use it on batches it
// did not build itself.
import { ErrorCode, StraitError } from '../errors.js';
import { type BatchHeader, CompressionType, RECORD_BATCH_OVERHEAD, batchCompression } from './batch-header.js';
import { NO_TIMESTAMP } from './batch-builder.js';
import { decompress } from './compression.js';
import {
  atRecord, enterRecord, leaveRecord, readHeaderCount, recordTimestamp, skipHeaderKey, skipNullableBytes,
} from './record-fields.js';
import { VarintReader } from './varint.js';

/** What a walk learned about well-formed records. */
export interface RecordsWalk {
  /** The largest record timestamp, or NO_TIMESTAMP (-1) when none is larger: what Kafka's batch
   * builders write into maxTimestamp. */
  maxTimestamp: number;
  /** Index of the first record with a null key, -1 when every record has a key. */
  firstKeyless: number;
}

/**
 * Walks exactly recordCount records in data[start, end), which they must fill. Each record must
 * have length, attributes 0, a timestamp delta, offset delta equal to its index (0..n-1 in order),
 * key and value lengths and headers (non-null keys) that fit it exactly.
 * Throws StraitError naming the record: CORRUPT_MESSAGE for bytes that do not parse, INVALID_RECORD
 * for an offset delta out of place.
 */
export function walkRecords(data: Buffer, start: number, end: number, recordCount: number, baseTimestamp: number): RecordsWalk {
  const reader = new VarintReader(data, start, end);
  let maxTimestamp = NO_TIMESTAMP;
  let firstKeyless = -1;
  let i = 0;
  try {
    for (; i < recordCount; i++) {
      const recordEnd = enterRecord(reader, end);
      const recordStart = reader.pos;
      const attributes = data[recordStart]!;
      if (attributes !== 0) throw corrupt(`attributes ${attributes}, v2 records have none`);
      reader.pos = recordStart + 1;
      const timestamp = recordTimestamp(baseTimestamp, reader.readVarlong());
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      const offsetDelta = reader.readVarint();
      if (offsetDelta !== i) {
        throw new StraitError(ErrorCode.INVALID_RECORD, `offset delta ${offsetDelta} where ${i} belongs (deltas run 0..count-1 in order)`);
      }
      if (skipNullableBytes(reader, 'key') < 0 && firstKeyless < 0) firstKeyless = i;
      skipNullableBytes(reader, 'value');
      const headerCount = readHeaderCount(reader);
      for (let h = 0; h < headerCount; h++) {
        skipHeaderKey(reader);
        skipNullableBytes(reader, 'header value');
      }
      leaveRecord(reader, recordStart, recordEnd);
    }
  } catch (err) {
    throw atRecord(err, i);
  }
  if (reader.pos !== end) {
    throw corrupt(`${end - reader.pos} bytes remain after the ${recordCount} records the batch declares`);
  }
  return { maxTimestamp, firstKeyless };
}

/**
 * Walks the records of the batch at pos whose header has been read (and whose frame and CRC have
 * been checked), decompressing them first when the batch is compressed. The codec must be one Kafka
 * defines; a compressed payload that does not decompress is CORRUPT_MESSAGE.
 */
export function walkBatchRecords(buf: Buffer, pos: number, header: BatchHeader): RecordsWalk {
  const start = pos + RECORD_BATCH_OVERHEAD;
  const end = pos + header.sizeInBytes;
  const compression = batchCompression(header.attributes);
  if (compression === CompressionType.None) return walkRecords(buf, start, end, header.recordCount, header.baseTimestamp);
  const data = decompress(compression, buf.subarray(start, end));
  return walkRecords(data, 0, data.length, header.recordCount, header.baseTimestamp);
}

function corrupt(message: string): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message);
}
