// Checks the bytes of an append before anything is written (DESIGN §4, §12).
//
// A producer's append to the leader (origin 'client') is judged as Kafka's LogValidator judges it:
// each batch's frame, magic, size and CRC; its attributes; its record count against lastOffsetDelta;
// its producer fields; then every record walked (compressed batches decompressed first) and its keys
// and largest timestamp held against the topic and the header. A CRC only proves the bytes arrived as
// the producer sent them: a batch can carry a right CRC over contents that would break every consumer.
//
// A follower's append (origin 'replication') copies batches its leader already judged, control
// batches and batches emptied by compaction included: only the frame, the header and the CRC are
// checked, to catch damage on the way.
//
// Errors name the batch (and record) and say why: CORRUPT_MESSAGE for bytes that do not parse,
// INVALID_RECORD for well-formed contents that are not allowed, INVALID_TIMESTAMP for a producer that
// claims LogAppendTime, MESSAGE_TOO_LARGE above max.message.bytes. The first problem refuses the
// whole append: nothing of it is written.
import {
  ErrorCode, StraitError, ATTRIBUTE_BITS_IN_USE, type BatchHeader, CompressionType, NO_PRODUCER_EPOCH, NO_PRODUCER_ID,
  NO_SEQUENCE, TimestampType, batchCompression, batchIsControl, batchIsTransactional, batchTimestampType, checkBatch,
  checkBatchCrc, checkBatchFrame, readBatchHeader, type RecordsWalk, walkBatchRecords,
} from '../../client/index.js';
import type { MessageTimestampType } from './topic-config.js';

export interface ValidatedBatch {
  /** Where the batch starts in the appended buffer. */
  position: number;
  header: BatchHeader;
}

/** A producer's append to the partition's leader. */
export interface ClientAppendRules {
  origin: 'client';
  /** Refuse batches larger than this (the topic's max.message.bytes). */
  maxMessageBytes: number;
  /** Compacted topics: every record must have a key. */
  requireKeys: boolean;
  /** The topic's message.timestamp.type. */
  timestampType: MessageTimestampType;
}

/** A follower's append of batches its leader validated. */
export interface ReplicationAppendRules {
  origin: 'replication';
}

export type ValidationRules = ClientAppendRules | ReplicationAppendRules;

/** Walks every batch of an append; throws StraitError at the first problem (see the file's head). */
export function validateBatches(buf: Buffer, rules: ValidationRules): ValidatedBatch[] {
  if (buf.length === 0) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, 'the append holds no record batch');
  const batches: ValidatedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const index = batches.length;
    const header = rules.origin === 'client' ? checkProducedBatch(buf, pos, index, rules) : checkReplicatedBatch(buf, pos, index);
    batches.push({ position: pos, header });
    pos += header.sizeInBytes;
  }
  return batches;
}

function refuse(code: number, index: number, message: string, cause?: unknown): StraitError {
  return new StraitError(code, `batch ${index}: ${message}`, cause === undefined ? undefined : { cause });
}

function readHeader(buf: Buffer, pos: number, index: number): BatchHeader {
  try {
    return readBatchHeader(buf, pos);
  } catch (err) {
    throw refuse(ErrorCode.CORRUPT_MESSAGE, index, (err as Error).message, err);
  }
}

function checkReplicatedBatch(buf: Buffer, pos: number, index: number): BatchHeader {
  const check = checkBatch(buf, pos, true);
  if ('kind' in check) throw refuse(ErrorCode.CORRUPT_MESSAGE, index, `at byte ${pos}: ${check.message}`);
  return readHeader(buf, pos, index);
}

function checkProducedBatch(buf: Buffer, pos: number, index: number, rules: ClientAppendRules): BatchHeader {
  const frame = checkBatchFrame(buf, pos);
  if ('kind' in frame) throw refuse(ErrorCode.CORRUPT_MESSAGE, index, `at byte ${pos}: ${frame.message}`);
  if (frame.size > rules.maxMessageBytes) {
    throw refuse(ErrorCode.MESSAGE_TOO_LARGE, index, `${frame.size} bytes, larger than max.message.bytes ${rules.maxMessageBytes}`);
  }
  const crcProblem = checkBatchCrc(buf, pos, frame.size);
  if (crcProblem) throw refuse(ErrorCode.CORRUPT_MESSAGE, index, crcProblem.message);
  const header = readHeader(buf, pos, index);
  checkAttributes(header.attributes, index, rules);
  checkRecordCount(header, index);
  checkProducerFields(header, index);
  let walk: RecordsWalk;
  try {
    walk = walkBatchRecords(buf, pos, header);
  } catch (err) {
    if (!(err instanceof StraitError)) throw err;
    throw refuse(err.code, index, err.message, err);
  }
  if (rules.requireKeys && walk.firstKeyless >= 0) {
    throw refuse(ErrorCode.INVALID_RECORD, index, `record ${walk.firstKeyless} has no key; a compacted topic only takes keyed records`);
  }
  // A LogAppendTime batch's maxTimestamp is the broker's to write; a CreateTime batch's is what the
  // index and time-based retention trust, so it must be the records' own.
  if (batchTimestampType(header.attributes) === TimestampType.CreateTime && header.maxTimestamp !== walk.maxTimestamp) {
    throw refuse(ErrorCode.INVALID_RECORD, index, `max timestamp ${header.maxTimestamp} but the largest record timestamp is ${walk.maxTimestamp}`);
  }
  return header;
}

function checkAttributes(attributes: number, index: number, rules: ClientAppendRules): void {
  const unused = attributes & ~ATTRIBUTE_BITS_IN_USE;
  if (unused !== 0) {
    throw refuse(ErrorCode.CORRUPT_MESSAGE, index, `attributes 0x${(attributes & 0xffff).toString(16)} set unused bits 0x${(unused & 0xffff).toString(16)}`);
  }
  const codec = batchCompression(attributes);
  if (codec > CompressionType.Zstd) {
    throw refuse(ErrorCode.CORRUPT_MESSAGE, index, `compression codec ${codec} is none of 0 (none), 1 (gzip), 2 (snappy), 3 (lz4), 4 (zstd)`);
  }
  if (batchIsControl(attributes)) {
    throw refuse(ErrorCode.INVALID_RECORD, index, 'is a control batch, which producers may not write');
  }
  if (batchIsTransactional(attributes)) {
    throw refuse(ErrorCode.INVALID_RECORD, index, 'is transactional; this broker does not support transactions');
  }
  if (rules.timestampType === 'CreateTime' && batchTimestampType(attributes) === TimestampType.LogAppendTime) {
    throw refuse(ErrorCode.INVALID_TIMESTAMP, index, 'claims LogAppendTime, which only the broker may set; the topic uses CreateTime');
  }
}

function checkRecordCount(header: BatchHeader, index: number): void {
  const { recordCount, lastOffsetDelta } = header;
  if (recordCount <= 0) throw refuse(ErrorCode.INVALID_RECORD, index, `holds no records (record count ${recordCount})`);
  if (lastOffsetDelta !== recordCount - 1) {
    throw refuse(ErrorCode.INVALID_RECORD, index, `last offset delta ${lastOffsetDelta} does not match record count ${recordCount} (must be ${recordCount - 1})`);
  }
}

function checkProducerFields(header: BatchHeader, index: number): void {
  const { producerId, producerEpoch, baseSequence } = header;
  const fields = `producer id ${producerId}, epoch ${producerEpoch}, base sequence ${baseSequence}`;
  if (producerId === NO_PRODUCER_ID) {
    if (producerEpoch !== NO_PRODUCER_EPOCH || baseSequence !== NO_SEQUENCE) {
      throw refuse(ErrorCode.INVALID_RECORD, index, `${fields}: without a producer id, epoch and sequence must be -1`);
    }
  } else if (producerId < 0) {
    throw refuse(ErrorCode.INVALID_RECORD, index, `${fields}: a producer id is either -1 or non-negative`);
  } else if (producerEpoch < 0 || baseSequence < 0) {
    throw refuse(ErrorCode.INVALID_RECORD, index, `${fields}: with a producer id, epoch and sequence must not be negative`);
  }
}
