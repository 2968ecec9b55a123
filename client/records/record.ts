// The record model shared by the codec, the SDK and the broker's tools.
import type { CompressionType, TimestampType } from './batch-header.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** What a producer sends. Strings are UTF-8 encoded. */
export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeader[];
  /** CreateTime in ms; defaults to now. */
  timestamp?: number;
}

/** A record as read back from a batch. */
export interface ConsumedRecord {
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  leaderEpoch: number;
}

export interface BatchProducerFields {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional?: boolean;
}

export interface BatchBuildOptions extends Partial<BatchProducerFields> {
  compression?: CompressionType;
  /** Marks a control batch (transaction markers); such batches hold control records only. */
  control?: boolean;
  timestampType?: TimestampType;
  /** Written into the header; the leader overwrites it. */
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}
