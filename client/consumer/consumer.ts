// The consumer: manual assignment (group membership is a later addition), positions with
// auto.offset.reset through ListOffsets, fetch-ahead through the Fetcher, and poll/iterators that
// hand out records decoded a batch at a time.
import { ErrorCode, StraitError } from '../errors.js';
import { Cluster } from '../cluster/cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, type OffsetAnswer } from '../cluster/list-offsets.js';
import type { ConsumedRecordWithTopic } from './completed-fetch.js';
import { parseConsumerConfig, type ConsumerConfig, type ConsumerOptions } from './consumer-config.js';
import { Fetcher } from './fetcher.js';
import { PartitionState, tpKey, type TopicPartition } from './partition-state.js';

export class Consumer implements AsyncIterable<ConsumedRecordWithTopic> {
  readonly config: ConsumerConfig;
  private readonly cluster: Cluster;
  private readonly states = new Map<string, PartitionState>();
  private readonly fetcher: Fetcher;
  private waiters: (() => void)[] = [];
  private rotation = 0;
  private closed = false;

  constructor(options: ConsumerOptions) {
    this.config = parseConsumerConfig(options);
    this.cluster = new Cluster(this.config);
    this.fetcher = new Fetcher(this.cluster, this.config, this.states, () => this.wake());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private state(tp: TopicPartition): PartitionState {
    const s = this.states.get(tpKey(tp.topic, tp.partition));
    if (!s) throw new StraitError(ErrorCode.INVALID_REQUEST, `${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return s;
  }

  /** Replaces the assignment (Kafka's assign): kept partitions keep their positions. */
  assign(partitions: readonly TopicPartition[]): void {
    if (this.closed) throw new StraitError(ErrorCode.INVALID_REQUEST, 'consumer is closed');
    const next = new Map<string, PartitionState>();
    for (const { topic, partition } of partitions) {
      if (typeof topic !== 'string' || topic.length === 0 || !Number.isInteger(partition) || partition < 0) {
        throw new StraitError(ErrorCode.INVALID_REQUEST, `not a topic partition: ${JSON.stringify({ topic, partition })}`);
      }
      const key = tpKey(topic, partition);
      next.set(key, this.states.get(key) ?? new PartitionState(topic, partition));
    }
    this.states.clear();
    for (const [k, s] of next) this.states.set(k, s);
    this.cluster.refreshMetadata([...new Set(partitions.map((p) => p.topic))]).catch(() => undefined);
  }

  assignment(): TopicPartition[] {
    return [...this.states.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  seek(tp: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new StraitError(ErrorCode.INVALID_REQUEST, `offset ${offset} is not a non-negative integer`);
    this.state(tp).seek(offset);
    this.fetcher.kick();
  }

  private async seekTo(timestamp: number, tps: readonly TopicPartition[] | undefined): Promise<void> {
    const states = (tps ?? this.assignment()).map((tp) => this.state(tp));
    if (states.length === 0) return;
    const answers = await listOffsets(this.cluster, states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })), this.config.isolationLevel);
    states.forEach((s, i) => s.seek(answers[i]!.offset));
    this.fetcher.kick();
  }

  /** Moves to the log start of the given (default: all assigned) partitions. */
  seekToBeginning(tps?: readonly TopicPartition[]): Promise<void> {
    return this.seekTo(EARLIEST_TIMESTAMP, tps);
  }

  /** Moves to the end (the high watermark) of the given (default: all assigned) partitions. */
  seekToEnd(tps?: readonly TopicPartition[]): Promise<void> {
    return this.seekTo(LATEST_TIMESTAMP, tps);
  }

  /**
   * Kafka's offsetsForTimes: for each partition, the first record (lowest offset) whose timestamp is
   * at or after the given time in ms, with that record's own timestamp; null where no record below the
   * high watermark has one. The partitions need not be assigned; seek() to an answer's offset to read
   * from that record on.
   */
  async offsetsForTimes(queries: readonly (TopicPartition & { timestamp: number })[]): Promise<(OffsetAnswer | null)[]> {
    for (const q of queries) {
      if (!Number.isSafeInteger(q.timestamp) || q.timestamp < 0) {
        throw new StraitError(ErrorCode.INVALID_REQUEST, `timestamp ${q.timestamp} for ${q.topic}-${q.partition} is not a time in ms`);
      }
    }
    if (queries.length === 0) return [];
    const answers = await listOffsets(this.cluster, queries.map(({ topic, partition, timestamp }) => ({ topic, partition, timestamp })), this.config.isolationLevel);
    return answers.map((a) => (a.offset < 0 ? null : a));
  }

  /** The offset of the next record poll will return for tp, resetting it first if it has none. */
  async position(tp: TopicPartition): Promise<number> {
    const s = this.state(tp);
    if (s.position === undefined) await this.resetPositions();
    return s.position!;
  }

  /** Gives every partition without a position one, as auto.offset.reset says. */
  private async resetPositions(): Promise<void> {
    const missing = [...this.states.values()].filter((s) => s.position === undefined);
    if (missing.length === 0) return;
    if (this.config.autoOffsetReset === 'none') {
      const s = missing[0]!;
      throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `${s.topic}-${s.partition} has no position and auto.offset.reset is none`);
    }
    const timestamp = this.config.autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    const generations = missing.map((s) => s.generation);
    const answers = await listOffsets(this.cluster, missing.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })), this.config.isolationLevel);
    missing.forEach((s, i) => {
      // A seek while we asked wins over the reset.
      if (s.generation === generations[i] && s.position === undefined) s.seek(answers[i]!.offset);
    });
  }

  private takeError(): void {
    for (const s of this.states.values()) {
      if (s.error) {
        const err = s.error;
        s.error = undefined;
        throw err;
      }
    }
  }

  private collect(): ConsumedRecordWithTopic[] {
    const out: ConsumedRecordWithTopic[] = [];
    const states = [...this.states.values()];
    const n = states.length;
    // Start at a rotating partition so one busy partition cannot starve the rest.
    for (let i = 0; i < n && out.length < this.config.maxPollRecords; i++) {
      const s = states[(this.rotation + i) % n]!;
      while (s.buffered.length > 0 && out.length < this.config.maxPollRecords) {
        const cf = s.buffered[0]!;
        if (cf.generation !== s.generation || s.position === undefined) {
          s.buffered.shift();
          s.bufferedBytes -= cf.bytes;
          continue;
        }
        s.position = cf.drain(s.position, this.config.maxPollRecords - out.length, out);
        if (cf.exhausted) {
          s.buffered.shift();
          s.bufferedBytes -= cf.bytes;
        }
      }
    }
    this.rotation = n === 0 ? 0 : (this.rotation + 1) % n;
    return out;
  }

  /**
   * Returns the records available now (up to max.poll.records), or waits up to timeoutMs for some.
   * Raises a partition's fetch error (e.g. OFFSET_OUT_OF_RANGE with auto.offset.reset=none) once.
   */
  async poll(timeoutMs: number): Promise<ConsumedRecordWithTopic[]> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (this.closed) return [];
      this.takeError();
      await this.resetPositions();
      const records = this.collect();
      this.fetcher.kick();
      const left = deadline - Date.now();
      if (records.length > 0 || left <= 0) return records;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Batches as poll returns them, until close(). */
  async *batches(): AsyncGenerator<ConsumedRecordWithTopic[]> {
    while (!this.closed) {
      const records = await this.poll(this.config.fetchMaxWaitMs);
      if (records.length > 0) yield records;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumedRecordWithTopic> {
    for await (const batch of this.batches()) yield* batch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fetcher.close();
    this.wake();
    this.cluster.close();
  }
}
