// Accumulates a producer's records for one partition into one batch, keeping the exact uncompressed
// size as it goes so the producer can cut batches at `batch.size` without encoding twice.
import {
  CompressionType,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RECORD_BATCH_OVERHEAD,
  TimestampType,
} from './batch-header.js';
import { type BatchHeaderFields, uncompressedBatchSize, writeBatch } from './batch-writer.js';
import type { BatchBuildOptions, BatchProducerFields, ProducerRecord } from './record.js';
import { type EncodableRecord, encodedRecordSize, toEncodable } from './record-writer.js';

/** Kafka's RecordBatch.NO_TIMESTAMP: the base and max timestamps of a batch with no records. */
export const NO_TIMESTAMP = -1;

export class RecordBatchBuilder {
  private readonly records: EncodableRecord[] = [];
  private readonly maxBytes: number;
  private readonly options: BatchBuildOptions;
  private producer: BatchProducerFields;
  private minTimestamp = Number.POSITIVE_INFINITY;
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  private size = RECORD_BATCH_OVERHEAD;

  constructor(options: BatchBuildOptions & { maxBytes: number }) {
    if (!(options.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${options.maxBytes}`);
    this.maxBytes = options.maxBytes;
    this.options = options;
    this.producer = {
      producerId: options.producerId ?? NO_PRODUCER_ID,
      producerEpoch: options.producerEpoch ?? NO_PRODUCER_EPOCH,
      baseSequence: options.baseSequence ?? NO_SEQUENCE,
      transactional: options.transactional ?? false,
    };
  }

  get recordCount(): number {
    return this.records.length;
  }

  /** Exact size of the batch if it were built now without compression. */
  get sizeInBytes(): number {
    return this.size;
  }

  /**
   * Adds the record unless the batch already holds one and the record would take it past maxBytes.
   * A malformed record throws StraitError(INVALID_RECORD / INVALID_TIMESTAMP) and changes nothing.
   */
  tryAppend(record: ProducerRecord): boolean {
    const records = this.records;
    const encodable = toEncodable(record, records.length, record.timestamp ?? Date.now());
    const timestamp = encodable.timestamp;
    let newSize: number;
    if (timestamp >= this.minTimestamp) {
      newSize = this.size + encodedRecordSize(encodable, timestamp - this.minTimestamp);
    } else {
      // A new minimum timestamp changes every earlier record's timestamp delta: measure them again.
      newSize = uncompressedBatchSize(records, timestamp) + encodedRecordSize(encodable, 0);
    }
    if (records.length > 0 && newSize > this.maxBytes) return false;
    records.push(encodable);
    this.size = newSize;
    if (timestamp < this.minTimestamp) this.minTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return true;
  }

  /** Producer id, epoch and base sequence are known only when the batch is sent. */
  setProducerFields(fields: BatchProducerFields): void {
    this.producer = { ...fields, transactional: fields.transactional ?? this.producer.transactional };
  }

  /** The batch's bytes: offsets 0..n-1 from baseOffset, CRC set. May be called again after more appends. */
  build(): Buffer {
    const count = this.records.length;
    const empty = count === 0;
    const fields: BatchHeaderFields = {
      baseOffset: this.options.baseOffset ?? 0,
      partitionLeaderEpoch: this.options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
      compression: this.options.compression ?? CompressionType.None,
      timestampType: this.options.timestampType ?? TimestampType.CreateTime,
      transactional: this.producer.transactional ?? false,
      control: this.options.control ?? false,
      lastOffsetDelta: empty ? 0 : count - 1,
      baseTimestamp: empty ? NO_TIMESTAMP : this.minTimestamp,
      maxTimestamp: empty ? NO_TIMESTAMP : this.maxTimestamp,
      producerId: this.producer.producerId,
      producerEpoch: this.producer.producerEpoch,
      baseSequence: this.producer.baseSequence,
    };
    return writeBatch(fields, this.records, this.size);
  }
}
