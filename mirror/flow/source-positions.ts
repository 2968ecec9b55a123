// The source positions of one flow, kept in the target cluster as MM2 keeps its source offsets there
// (`mm2-offsets.<source>.internal`, compacted): key (source topic, partition), value the next source
// offset to forward. A position is recorded only after the target acknowledged everything below it,
// and written at most every offset.flush.interval.ms (Connect's 60 s default would let a crash re-send a
// minute of records; ours is 1 s), and at once for partitions this worker gives up or when it stops. So
// a restart, or another worker taking a partition over, re-sends at most what was forwarded since the
// last write: duplicates bounded, nothing lost.
//
// Unlike MM2's value (the last offset forwarded, `{"offset": n}`, resumed at n + 1) ours is the next
// offset, `{"offset": next}`: a partition whose first records were control batches moves on too.
import { Admin, Consumer, ErrorCode, LATEST_TIMESTAMP, Producer, StraitError, type ConsumerOptions } from '../../client/index.js';
import { COMPACTED, ensureTopic } from '../internal-topics.js';

export interface SourcePositionsOptions {
  /** On the target: `mm2-offsets.<source>.internal`. */
  topic: string;
  replicationFactor: number;
  flushIntervalMs: number;
  targetAdmin: Admin;
  /** Producer on the target (the flow's: positions go after its own forwarded batches). */
  targetProducer: Producer;
  /** Options for the short-lived consumers that read the topic back (bootstrap.servers of the target). */
  targetConsumerOptions: ConsumerOptions;
  onError: (err: unknown) => void;
}

/** MM2's offsets topic has 25 partitions (Connect's offset.storage.partitions); positions are few and
 * read whole at every assignment, so fewer partitions read faster. */
const POSITIONS_PARTITIONS = 5;
/** Bound of one read of the whole topic. */
const READ_TIMEOUT_MS = 30_000;

export function positionKey(topic: string, partition: number): string {
  return JSON.stringify({ topic, partition });
}

export class SourcePositions {
  private readonly dirty = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SourcePositionsOptions) {}

  async start(): Promise<void> {
    await ensureTopic(this.options.targetAdmin, { name: this.options.topic, partitions: POSITIONS_PARTITIONS, replicationFactor: this.options.replicationFactor, configs: COMPACTED });
    this.timer = setInterval(() => void this.flush().catch((err: unknown) => this.options.onError(err)), this.options.flushIntervalMs);
  }

  /** Every recorded position, read whole from the topic (the newest value per key). */
  async readAll(): Promise<Map<string, number>> {
    const { targetAdmin, topic } = this.options;
    const [description] = await targetAdmin.describeTopics([topic]);
    const partitions = description!.partitions.map((p) => p.partition);
    const ends = await targetAdmin.listOffsets(partitions.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
    const positions = new Map<string, number>();
    const pending = new Map(ends.filter((e) => e.offset > 0).map((e) => [e.partition, e.offset]));
    if (pending.size === 0) return positions;
    const consumer = new Consumer({ ...this.options.targetConsumerOptions, 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false', 'fetch.max.wait.ms': '100' });
    try {
      consumer.assign([...pending.keys()].map((partition) => ({ topic, partition })));
      const deadline = Date.now() + READ_TIMEOUT_MS;
      while (pending.size > 0) {
        if (Date.now() > deadline) throw new StraitError(ErrorCode.REQUEST_TIMED_OUT, `reading ${topic} took longer than ${READ_TIMEOUT_MS} ms`);
        for (const r of await consumer.poll(200)) {
          if (r.key !== null) {
            // A value that is not a position (written by something else) is passed over: that
            // partition then starts by auto.offset.reset, as one never recorded.
            const next = r.value === null ? undefined : parsePosition(r.value);
            if (next === undefined) positions.delete(r.key.toString());
            else positions.set(r.key.toString(), next);
          }
          if (r.offset + 1 >= (pending.get(r.partition) ?? 0)) pending.delete(r.partition);
        }
      }
    } finally {
      await consumer.close();
    }
    return positions;
  }

  /** The target acknowledged everything below `next` of this source partition. */
  record(topic: string, partition: number, next: number): void {
    this.dirty.set(positionKey(topic, partition), next);
  }

  /** Writes the positions recorded since the last write; resolves once the target has them. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const entries = [...this.dirty];
    this.dirty.clear();
    try {
      await this.options.targetProducer.sendMany(this.options.topic, entries.map(([key, next]) => ({ key, value: JSON.stringify({ offset: next }) })));
    } catch (err) {
      // Not written: keep them for the next flush unless a newer position came meanwhile.
      for (const [key, next] of entries) if (!this.dirty.has(key)) this.dirty.set(key, next);
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

export function parsePosition(value: Buffer): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : undefined;
}
