// Reads one of the mirror's own topics from its beginning, and then on from where it stopped, each time
// up to the end offsets it finds when asked (MM2's KafkaBasedLog.readToEnd). The stores built from these
// topics (offset syncs, checkpoints, heartbeats) answer only after a read to the end, so they never
// answer from a partial history. Records that do not decode are skipped and counted, never fatal.
import type { Logger } from 'pino';
import { Consumer, LATEST_TIMESTAMP, type Admin, type ConsumedRecordWithTopic, type ConsumerOptions } from '../../client/index.js';
import { ErrorCode, StraitError } from '../../client/index.js';

const POLL_MS = 200;

export interface TopicReaderOptions {
  topic: string;
  /** An admin and consumer options (bootstrap.servers, ...) for the cluster holding the topic. */
  admin: Admin;
  consumer: ConsumerOptions;
  /** Each record, in offset order per partition; a throw skips the record (logged). */
  onRecord(record: ConsumedRecordWithTopic): void;
  logger: Logger;
  /** Only these partitions (MM2 reads partition 0 of the offset-syncs topic); all when absent. */
  partitions?: readonly number[];
}

export class TopicReader {
  private consumer: Consumer | undefined;
  private assigned: number[] = [];
  private skipped = 0;

  constructor(private readonly options: TopicReaderOptions) {}

  /** Records that could not be used so far. */
  get skippedRecords(): number {
    return this.skipped;
  }

  /**
   * Reads every record up to the end offsets of now. The topic must exist. Rejects with REQUEST_TIMED_OUT
   * when the end is not reached within `timeoutMs`; what was read stays read.
   */
  async readToEnd(timeoutMs: number): Promise<void> {
    const { admin, topic } = this.options;
    const consumer = this.consumer ?? new Consumer({ ...this.options.consumer, 'enable.auto.commit': false, 'auto.offset.reset': 'earliest' });
    this.consumer = consumer;
    const [description] = await admin.describeTopics([topic]);
    const partitions = description!.partitions.map((p) => p.partition).filter((p) => !this.options.partitions || this.options.partitions.includes(p)).sort((a, b) => a - b);
    if (partitions.length !== this.assigned.length) {
      // First read, or the topic grew: keep the positions of what was assigned, start new ones at 0.
      const known = new Set(this.assigned);
      const positions = new Map<number, number>();
      for (const p of this.assigned) positions.set(p, await consumer.position({ topic, partition: p }));
      consumer.assign(partitions.map((partition) => ({ topic, partition })));
      for (const p of partitions) consumer.seek({ topic, partition: p }, known.has(p) ? positions.get(p)! : 0);
      this.assigned = partitions;
    }
    const ends = await admin.listOffsets(partitions.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let behind = false;
      for (const end of ends) {
        if ((await consumer.position({ topic, partition: end.partition })) < end.offset) behind = true;
      }
      if (!behind) return;
      if (Date.now() > deadline) throw new StraitError(ErrorCode.REQUEST_TIMED_OUT, `${topic} was not read to its end within ${timeoutMs} ms`);
      for (const record of await consumer.poll(POLL_MS)) {
        try {
          this.options.onRecord(record);
        } catch (err) {
          this.skipped++;
          this.options.logger.warn({ err, topic, partition: record.partition, offset: record.offset }, 'record skipped');
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.consumer?.close();
    this.consumer = undefined;
  }
}
