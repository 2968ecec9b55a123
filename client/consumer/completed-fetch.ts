// Fetched bytes for one partition, decoded a batch at a time as the application asks for records.
// A fetch returns whole batches, so the first may start below the position: those records are skipped.
// A partial trailing batch (the broker cut at max bytes) is ignored; the next fetch starts at it.
import { decodeRecordBatch, type RecordOrigin } from '../records/index.js';
import type { ConsumedRecord } from '../records/record.js';
import { batchIsControl, batchPositions, lastOffsetOf } from '../records/batch-header.js';

export interface ConsumedRecordWithTopic extends ConsumedRecord {
  topic: string;
  partition: number;
}

export class CompletedFetch {
  readonly topic: string;
  readonly partition: number;
  /** The seek generation this data belongs to; data from before a seek is dropped. */
  readonly generation: number;
  private readonly buffer: Buffer;
  private readonly batches: { position: number; size: number }[];
  private nextBatch = 0;
  private readonly origin: RecordOrigin;
  private decoded: ConsumedRecordWithTopic[] = [];
  private nextRecord = 0;
  /** Last offset of the batch in `decoded`: the position moves past it once it is used up. */
  private decodedLastOffset = -1;

  constructor(topic: string, partition: number, generation: number, buffer: Buffer) {
    this.topic = topic;
    this.partition = partition;
    this.generation = generation;
    this.buffer = buffer;
    this.origin = { topic, partition };
    this.batches = [...batchPositions(buffer)];
  }

  get bytes(): number {
    return this.buffer.length;
  }

  /**
   * Moves records at or above `position` into out (at most `max`), returning the position after the
   * last record taken (or after a skipped control batch).
   */
  drain(position: number, max: number, out: ConsumedRecordWithTopic[]): number {
    let taken = 0;
    while (taken < max) {
      if (this.nextRecord >= this.decoded.length) {
        if (this.decodedLastOffset >= position) position = this.decodedLastOffset + 1;
        if (this.nextBatch >= this.batches.length) break;
        const { position: at } = this.batches[this.nextBatch++]!;
        // Decoded in place (no copy of the batch); records come out with their topic and partition.
        const { header, records } = decodeRecordBatch(this.buffer, at, this.origin);
        const lastOffset = header.baseOffset + header.lastOffsetDelta;
        if (batchIsControl(header.attributes)) {
          // Transaction markers are not records an application sees.
          if (lastOffset >= position) position = lastOffset + 1;
          continue;
        }
        this.decoded = records as ConsumedRecordWithTopic[];
        this.decodedLastOffset = lastOffset;
        this.nextRecord = 0;
        continue;
      }
      const record = this.decoded[this.nextRecord++]!;
      if (record.offset < position) continue;
      out.push(record);
      position = record.offset + 1;
      taken++;
    }
    return position;
  }

  /**
   * Hands out every batch not yet handed out, undecoded, as one slice of the fetched bytes (no copy),
   * with the offset after the last: the raw path (Consumer.pollBatches). A batch whose records were
   * partly handed out by drain() is included whole; the caller trims below its position.
   */
  takeRemaining(): { records: Buffer; nextOffset: number } | undefined {
    const first = this.nextRecord < this.decoded.length ? this.nextBatch - 1 : this.nextBatch;
    this.decoded = [];
    this.nextRecord = 0;
    if (first >= this.batches.length) return undefined;
    const start = this.batches[first]!.position;
    const last = this.batches[this.batches.length - 1]!;
    this.nextBatch = this.batches.length;
    return { records: this.buffer.subarray(start, last.position + last.size), nextOffset: lastOffsetOf(this.buffer, last.position) + 1 };
  }

  get exhausted(): boolean {
    return this.nextRecord >= this.decoded.length && this.nextBatch >= this.batches.length;
  }
}
