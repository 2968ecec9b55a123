// The producer: partitions records, accumulates them into per-partition batches and hands sealed
// batches to the sender. Records for a topic whose metadata is not known yet wait, in call order.
import { ErrorCode, StraitError } from '../errors.js';
import { createPartitioner, type Partitioner } from '../partitioner.js';
import type { ProducerRecord } from '../records/record.js';
import { batchIsControl, batchIsTransactional, checkBatch, readBatchHeader } from '../records/batch-header.js';
import { Cluster } from '../cluster/cluster.js';
import { RecordAccumulator, NEEDS_NEW_BATCH } from './accumulator.js';
import { parseProducerConfig, type ProducerConfig, type ProducerOptions } from './producer-config.js';
import { ProducerBatch, type BulkWaiter, type RecordMetadata } from './producer-batch.js';
import { Sender } from './sender.js';

/** What the broker answered for a prebuilt batch (sendRawBatch). */
export interface RawBatchMetadata {
  topic: string;
  partition: number;
  /** Offset of the batch's first record; -1 when unknown (acks=0, an old duplicate). */
  baseOffset: number;
  /** The broker's append time for a LogAppendTime topic, else -1. */
  logAppendTime: number;
}

/** A record with an optional explicit partition (Kafka's ProducerRecord.partition). */
export interface OutgoingRecord extends ProducerRecord {
  partition?: number;
}

const noop = (): void => undefined;

function asStraitError(err: unknown): StraitError {
  return err instanceof StraitError ? err : new StraitError(ErrorCode.INVALID_RECORD, err instanceof Error ? err.message : String(err));
}

export class Producer {
  readonly config: ProducerConfig;
  private readonly cluster: Cluster;
  private readonly partitioner: Partitioner;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  /** Per topic, the tail of the chain of sends waiting for its metadata. */
  private readonly waiting = new Map<string, Promise<void>>();
  private closed = false;

  constructor(options: ProducerOptions) {
    this.config = parseProducerConfig(options);
    this.cluster = new Cluster(this.config);
    this.partitioner = createPartitioner(this.config.partitioner);
    this.sender = new Sender(this.cluster, {
      acks: this.config.acks,
      maxInFlight: this.config.maxInFlight,
      maxRequestSize: this.config.maxRequestSize,
      requestTimeoutMs: this.config.requestTimeoutMs,
      deliveryTimeoutMs: this.config.deliveryTimeoutMs,
      idempotence: this.config.idempotence,
      retry: this.config.retry,
    });
    this.accumulator = new RecordAccumulator(
      {
        batchSize: this.config.batchSize,
        lingerMs: this.config.lingerMs,
        maxRequestSize: this.config.maxRequestSize,
        compression: this.config.compression,
      },
      (batch) => this.sender.enqueue(batch),
    );
  }

  /**
   * Sends one record; resolves once its batch is acknowledged (acks=0: once it is written to the
   * stream, with offset -1).
   */
  send(topic: string, record: OutgoingRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      const count = this.closed || this.waiting.has(topic) ? undefined : this.cluster.metadata.partitionCount(topic);
      // The common case, without a closure per record: metadata known and nothing queued before us.
      // An explicit partition beyond the known count goes through dispatch, which asks for metadata
      // again: the topic may have grown since (Kafka's producer waits for such a partition likewise).
      if (count !== undefined && (record.partition === undefined || record.partition < count)) {
        try {
          this.appendWithWaiter(topic, record, count, resolve, reject);
        } catch (err) {
          reject(asStraitError(err));
        }
        return;
      }
      this.dispatch(topic, (n) => this.appendWithWaiter(topic, record, n, resolve, reject), reject, record.partition ?? -1);
    });
  }

  private appendWithWaiter(topic: string, record: OutgoingRecord, count: number, resolve: (m: RecordMetadata) => void, reject: (e: StraitError) => void): void {
    const timestamp = record.timestamp ?? Date.now();
    const stamped = record.timestamp === undefined ? { key: record.key, value: record.value, headers: record.headers, timestamp } : record;
    this.append(topic, stamped, record.partition, count).addWaiter(timestamp, resolve, reject);
  }

  /** Sends each record with its own promise: the convenience form of send(). */
  sendBatch(topic: string, records: readonly OutgoingRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(topic, r)));
  }

  /**
   * The bulk path: one promise for all the records, resolved when every one is acknowledged and
   * rejected with the first failure. No per-record promise or metadata object is made.
   */
  sendMany(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: BulkWaiter = { remaining: records.length, failed: false, resolve, reject };
      let highestExplicit = -1;
      for (const r of records) if (r.partition !== undefined && r.partition > highestExplicit) highestExplicit = r.partition;
      this.dispatch(topic, (count) => {
        for (const record of records) {
          if (waiter.failed) return;
          this.append(topic, record, record.partition, count).addBulk(waiter);
        }
      }, (err) => {
        if (!waiter.failed) {
          waiter.failed = true;
          reject(err);
        }
      }, highestExplicit);
    });
  }

  /**
   * Sends one prebuilt RecordBatch v2 (whole, as encoded: e.g. a batch fetched from another cluster)
   * to a partition as one batch, through the same sender as send(): with idempotence its producer id,
   * epoch and base sequence are rewritten (and its CRC), nothing else. Records keep their timestamps,
   * keys, values, headers and compression. The batch must be a producer's batch: magic 2, not a
   * control or transactional batch, at least one record, offsets contiguous (count = lastOffsetDelta
   * + 1), a right CRC is not required (it is rewritten). Anything else is refused with INVALID_RECORD
   * before it is sent. The bytes are taken over: the caller must not reuse them. Batches to one
   * partition are written in call order, after the records send() had put in the partition before.
   */
  sendRawBatch(topic: string, partition: number, batch: Buffer): Promise<RawBatchMetadata> {
    return new Promise((resolve, reject) => {
      let recordCount: number;
      try {
        recordCount = checkProducerBatch(batch);
        if (batch.length > this.config.maxRequestSize) {
          throw new StraitError(ErrorCode.MESSAGE_TOO_LARGE, `a batch of ${batch.length} bytes for ${topic}-${partition} is larger than max.request.size ${this.config.maxRequestSize}`);
        }
      } catch (err) {
        reject(asStraitError(err));
        return;
      }
      this.dispatch(topic, (count) => {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
          throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} is not in ${topic}'s 0..${count - 1}`);
        }
        this.accumulator.sealPartition(topic, partition);
        this.sender.enqueue(ProducerBatch.prebuilt(topic, partition, batch, recordCount, Date.now(), {
          resolve: (baseOffset, logAppendTime) => resolve({ topic, partition, baseOffset, logAppendTime }),
          reject,
        }));
      }, reject, partition);
    });
  }

  /** Runs `work` with the topic's partition count, now if known, else after metadata arrives (in order). */
  private dispatch(topic: string, work: (partitionCount: number) => void, reject: (err: StraitError) => void, partition = -1): void {
    if (this.closed) {
      reject(new StraitError(ErrorCode.NETWORK_EXCEPTION, 'producer is closed'));
      return;
    }
    const run = (count: number): void => {
      try {
        work(count);
      } catch (err) {
        reject(asStraitError(err));
      }
    };
    const count = this.cluster.metadata.partitionCount(topic);
    const tail = this.waiting.get(topic);
    if (count !== undefined && count > partition && tail === undefined) {
      run(count);
      return;
    }
    // An explicit partition beyond the known count: the topic may have grown since; ask once more.
    const stale = count !== undefined && count <= partition;
    const next = (tail ?? Promise.resolve())
      .then(() => (stale ? this.cluster.refreshMetadata([topic]).then(() => undefined, () => undefined) : undefined))
      .then(() => this.cluster.topic(topic, { deadline: Date.now() + this.config.deliveryTimeoutMs }))
      .then(
        (info) => run(info.partitions.length),
        (err: unknown) => reject(err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err))),
      );
    this.waiting.set(topic, next);
    next.then(() => {
      if (this.waiting.get(topic) === next) this.waiting.delete(topic);
    }, noop);
  }

  private append(topic: string, record: ProducerRecord, explicit: number | undefined, count: number): ProducerBatch {
    if (explicit !== undefined) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= count) {
        throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${explicit} is not in ${topic}'s 0..${count - 1}`);
      }
      return this.accumulator.append(topic, explicit, record)!;
    }
    const key = record.key === undefined || record.key === null ? null : typeof record.key === 'string' ? Buffer.from(record.key) : record.key;
    const partition = this.partitioner.partition(topic, key, count);
    // Only the sticky partitioner moves on when a batch fills; asking others would skip partitions.
    if (key !== null || this.config.partitioner !== 'sticky') return this.accumulator.append(topic, partition, record)!;
    const batch = this.accumulator.append(topic, partition, record, true);
    if (batch !== NEEDS_NEW_BATCH) return batch;
    this.partitioner.onNewBatch(topic, partition, count);
    return this.accumulator.append(topic, this.partitioner.partition(topic, null, count), record)!;
  }

  /** Requests and batches sent, batches retried and failed, and epoch bumps so far. */
  stats(): { requestsSent: number; batchesSent: number; batchesRetried: number; batchesFailed: number; epochBumps: number } {
    return { ...this.sender.stats };
  }

  /** Sends everything accumulated so far and waits until all of it is acknowledged or failed. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.waiting.values()]);
    this.accumulator.sealAll();
    await this.sender.whenIdle();
  }

  /**
   * Flushes (waiting at most timeoutMs), then closes the connections; records still unsent fail with
   * NETWORK_EXCEPTION, and later sends are rejected.
   */
  async close(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const flushed = this.flush();
    if (Number.isFinite(timeoutMs)) {
      await Promise.race([flushed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))))]);
      clearTimeout(timer);
    } else {
      await flushed;
    }
    this.sender.close(new StraitError(ErrorCode.NETWORK_EXCEPTION, 'producer closed before these records were acknowledged'));
    this.cluster.close();
  }
}

/** The record count of a batch sendRawBatch may send as it is; throws INVALID_RECORD naming why not. */
function checkProducerBatch(batch: Buffer): number {
  const check = checkBatch(batch, 0, false);
  if ('kind' in check) throw new StraitError(ErrorCode.INVALID_RECORD, `not a record batch: ${check.message}`);
  if (check.size !== batch.length) throw new StraitError(ErrorCode.INVALID_RECORD, `${batch.length} bytes hold more than one batch (the first is ${check.size})`);
  const header = readBatchHeader(batch, 0);
  if (batchIsControl(header.attributes)) throw new StraitError(ErrorCode.INVALID_RECORD, 'a control batch is written by the broker, not sent by a producer');
  if (batchIsTransactional(header.attributes)) throw new StraitError(ErrorCode.INVALID_RECORD, 'a transactional batch needs a transactional producer');
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    throw new StraitError(ErrorCode.INVALID_RECORD, `record count ${header.recordCount} with last offset delta ${header.lastOffsetDelta}: a producer batch has contiguous offsets`);
  }
  return header.recordCount;
}
