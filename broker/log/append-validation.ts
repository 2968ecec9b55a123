// Checks the bytes of an append before anything is written: every batch whole, magic 2, CRC right,
// within max.message.bytes, with records, and for compacted topics every record keyed.
import { ErrorCode, StraitError } from '../../client/errors.js';
import {
  type BatchHeader, batchIsControl, checkBatch, readBatchHeader,
} from '../../client/records/batch-header.js';
import { decodeRecordBatch } from '../../client/records/record-batch.js';

export interface ValidatedBatch {
  /** Where the batch starts in the appended buffer. */
  position: number;
  header: BatchHeader;
}

export interface ValidationRules {
  /** Refuse batches larger than this (leader appends; followers take what the leader accepted). */
  maxMessageBytes?: number;
  /** Compacted topics: every record must have a key. */
  requireKeys: boolean;
  /** Producers may not write control batches; followers copy the leader's. */
  allowControl: boolean;
}

/** Walks every batch of an append; throws StraitError (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE,
 * INVALID_RECORD) at the first problem. */
export function validateBatches(buf: Buffer, rules: ValidationRules): ValidatedBatch[] {
  if (buf.length === 0) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, 'the append holds no record batch');
  const batches: ValidatedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const check = checkBatch(buf, pos, true);
    if ('kind' in check) {
      throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `batch ${batches.length} at byte ${pos}: ${check.message}`);
    }
    if (rules.maxMessageBytes !== undefined && check.size > rules.maxMessageBytes) {
      throw new StraitError(ErrorCode.MESSAGE_TOO_LARGE,
        `batch ${batches.length} is ${check.size} bytes, larger than max.message.bytes ${rules.maxMessageBytes}`);
    }
    let header: BatchHeader;
    try {
      header = readBatchHeader(buf, pos);
    } catch (err) {
      throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `batch ${batches.length}: ${(err as Error).message}`);
    }
    const control = batchIsControl(header.attributes);
    if (control && !rules.allowControl) {
      throw new StraitError(ErrorCode.INVALID_RECORD, `batch ${batches.length} is a control batch, which producers may not write`);
    }
    if (header.recordCount === 0 && !control) {
      throw new StraitError(ErrorCode.INVALID_RECORD, `batch ${batches.length} holds no records`);
    }
    if (rules.requireKeys && !control) requireKeys(buf, pos, batches.length);
    batches.push({ position: pos, header });
    pos += check.size;
  }
  return batches;
}

function requireKeys(buf: Buffer, pos: number, index: number): void {
  const { records } = decodeRecordBatch(buf, pos);
  const keyless = records.findIndex((r) => r.key === null);
  if (keyless >= 0) {
    throw new StraitError(ErrorCode.INVALID_RECORD,
      `batch ${index} record ${keyless} has no key; a compacted topic only takes keyed records`);
  }
}
