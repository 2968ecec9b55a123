// One batch on its way to a partition: the records' bytes (built in place by a RecordBatchBuilder, or
// prebuilt: a whole batch the caller already holds, e.g. one the mirror fetched), and whoever waits for
// them, without a closure per record.
import { RecordBatchBuilder, rewriteProducerFields } from '../records/index.js';
import type { BatchProducerFields } from '../records/record.js';
import type { ProducerRecord } from '../records/record.js';
import type { StraitError } from '../errors.js';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 when unknown (acks=0, or a duplicate the broker no longer had offsets for). */
  offset: number;
  timestamp: number;
}

/** One promise for a whole sendMany() call, shared by the batches its records went into. */
export interface BulkWaiter {
  remaining: number;
  failed: boolean;
  resolve: () => void;
  reject: (err: StraitError) => void;
}

/** The one waiter of a prebuilt batch: told the batch's base offset (and LogAppendTime, or -1). */
export interface PrebuiltWaiter {
  resolve: (baseOffset: number, logAppendTime: number) => void;
  reject: (err: StraitError) => void;
}

let nextBatchId = 0;

export class ProducerBatch {
  /** Creation order; retried batches go back into their queue in this order. */
  readonly id = nextBatchId++;
  readonly topic: string;
  readonly partition: number;
  readonly createdAt: number;
  /** Undefined for a prebuilt batch, whose bytes are in `buffer` from the start. */
  readonly builder: RecordBatchBuilder | undefined;
  recordCount = 0;
  private prebuiltWaiter: PrebuiltWaiter | undefined;
  /** Per-record waiters (send()); undefined holes for records added by sendMany(). */
  private readonly resolvers: (((m: RecordMetadata) => void) | undefined)[] = [];
  private readonly rejecters: (((e: StraitError) => void) | undefined)[] = [];
  private readonly timestamps: number[] = [];
  private readonly bulk: BulkWaiter[] = [];
  private readonly bulkCounts: number[] = [];
  /** Set once built; a retry re-sends these same bytes (same sequence). */
  buffer: Buffer | undefined;
  /** -1 while the batch holds no sequence number (never sent, or proved unwritten before an epoch bump). */
  baseSequence = -1;
  /** The producer id and epoch the sequence belongs to (-1 without idempotence). */
  producerId = -1;
  producerEpoch = -1;
  /** Times sent, and failed attempts. */
  sends = 0;
  attempts = 0;
  /** Some attempt ended with no answer that settles it (a timeout, a cut stream, an error the leader
   * may give after its append): the broker may have written it. Never cleared: a later refusal comes
   * from one leader at one time, and another replica may still hold the earlier attempt. */
  maybeWritten = false;
  /** The broker acknowledged it. */
  acked = false;
  /** Given up on (expired, out of retries, refused): its waiters were told; it is never sent again. */
  abandoned = false;
  /** Its waiters were told (completed or failed). */
  done = false;

  constructor(topic: string, partition: number, builder: RecordBatchBuilder | undefined, now: number) {
    this.topic = topic;
    this.partition = partition;
    this.builder = builder;
    this.createdAt = now;
  }

  /**
   * A batch whose bytes are already encoded (one whole RecordBatch v2, checked by the caller): the
   * sender rewrites only its producer fields and CRC. It has a single waiter, told the base offset.
   */
  static prebuilt(topic: string, partition: number, bytes: Buffer, recordCount: number, now: number, waiter: PrebuiltWaiter): ProducerBatch {
    const batch = new ProducerBatch(topic, partition, undefined, now);
    batch.buffer = bytes;
    batch.recordCount = recordCount;
    batch.prebuiltWaiter = waiter;
    return batch;
  }

  /** Appends if it fits; false when the batch is full (always, for a prebuilt batch). */
  tryAppend(record: ProducerRecord): boolean {
    if (!this.builder || !this.builder.tryAppend(record)) return false;
    this.recordCount++;
    return true;
  }

  /** Stamps producer id, epoch and base sequence: into the builder, or over the bytes (fixing the CRC). */
  setProducerFields(fields: BatchProducerFields): void {
    if (this.buffer) rewriteProducerFields(this.buffer, 0, fields);
    else this.builder?.setProducerFields(fields);
  }

  /** The bytes to send; built once, so a retry sends the same bytes with the same sequence. */
  bytes(): Buffer {
    // A batch has bytes from the start or a builder: prebuilt() sets the first, the constructor the second.
    this.buffer ??= this.builder!.build();
    return this.buffer;
  }

  addWaiter(timestamp: number, resolve: (m: RecordMetadata) => void, reject: (e: StraitError) => void): void {
    const i = this.recordCount - 1;
    this.resolvers[i] = resolve;
    this.rejecters[i] = reject;
    this.timestamps[i] = timestamp;
  }

  addBulk(waiter: BulkWaiter): void {
    const last = this.bulk.length - 1;
    if (last >= 0 && this.bulk[last] === waiter) this.bulkCounts[last]!++;
    else {
      this.bulk.push(waiter);
      this.bulkCounts.push(1);
    }
  }

  get sizeInBytes(): number {
    return this.buffer?.length ?? this.builder?.sizeInBytes ?? 0;
  }

  /** baseOffset -1: offsets unknown. logAppendTime -1: records keep their own timestamps. */
  complete(baseOffset: number, logAppendTime: number): void {
    if (this.done) return;
    this.done = true;
    this.prebuiltWaiter?.resolve(baseOffset, logAppendTime);
    for (let i = 0; i < this.resolvers.length; i++) {
      const resolve = this.resolvers[i];
      if (resolve === undefined) continue;
      resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTime >= 0 ? logAppendTime : this.timestamps[i]!,
      });
    }
    for (let i = 0; i < this.bulk.length; i++) {
      const w = this.bulk[i]!;
      w.remaining -= this.bulkCounts[i]!;
      if (w.remaining === 0 && !w.failed) w.resolve();
    }
  }

  fail(err: StraitError): void {
    if (this.done) return;
    this.done = true;
    this.prebuiltWaiter?.reject(err);
    for (const reject of this.rejecters) reject?.(err);
    for (const w of this.bulk) {
      if (w.failed) continue;
      w.failed = true;
      w.reject(err);
    }
  }
}
