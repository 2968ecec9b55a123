// A group member for tests: a Consumer subscribed to topics, polling in the background, keeping every
// record it was handed (with the time) and every rebalance callback, until stop() closes it. Given an
// OwnershipLedger, it claims a partition there when its onPartitionsAssigned is called and releases
// it only once its onPartitionsRevoked (or onPartitionsLost) has returned, test hook included: the
// ledger then sees a partition handed to a second member while the first still holds it, or before
// the first one's listener finished.
import { Consumer, type ConsumedRecordWithTopic, type ConsumerOptions, type RebalanceListener, type TopicPartition } from '../../client/index.js';
import type { OwnershipLedger } from '../helpers/group-calls.js';

export interface ReceivedRecord {
  at: number;
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

export type ListenerEvent = { at: number; kind: 'assigned' | 'revoked' | 'lost'; partitions: TopicPartition[] };

export class MemberRunner {
  readonly consumer: Consumer;
  readonly records: ReceivedRecord[] = [];
  readonly listenerEvents: ListenerEvent[] = [];
  error: unknown;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    options: ConsumerOptions,
    readonly topics: readonly string[] | RegExp,
    private readonly hooks: RebalanceListener = {},
    private readonly ownership?: { ledger: OwnershipLedger; name: string },
  ) {
    this.consumer = new Consumer(options);
  }

  start(): this {
    const claim = (tps: readonly TopicPartition[]): void => {
      for (const tp of tps) this.ownership?.ledger.take(this.ownership.name, `${tp.topic}-${tp.partition}`);
    };
    const release = (tps: readonly TopicPartition[]): void => {
      for (const tp of tps) this.ownership?.ledger.release(this.ownership.name, `${tp.topic}-${tp.partition}`);
    };
    const listener: RebalanceListener = {
      onPartitionsAssigned: async (tps) => {
        this.listenerEvents.push({ at: Date.now(), kind: 'assigned', partitions: tps });
        claim(tps);
        await this.hooks.onPartitionsAssigned?.(tps);
      },
      onPartitionsRevoked: async (tps) => {
        this.listenerEvents.push({ at: Date.now(), kind: 'revoked', partitions: tps });
        await this.hooks.onPartitionsRevoked?.(tps);
        release(tps);
      },
      onPartitionsLost: async (tps) => {
        this.listenerEvents.push({ at: Date.now(), kind: 'lost', partitions: tps });
        await this.hooks.onPartitionsLost?.(tps);
        release(tps);
      },
    };
    this.consumer.subscribe(this.topics, listener);
    this.loop = (async () => {
      while (!this.stopped) {
        let batch: ConsumedRecordWithTopic[];
        try {
          batch = await this.consumer.poll(100);
        } catch (err) {
          this.error = err;
          return;
        }
        const at = Date.now();
        for (const r of batch) this.records.push({ at, topic: r.topic, partition: r.partition, offset: r.offset, value: r.value?.toString() ?? '' });
      }
    })();
    return this;
  }

  /** The partitions assigned now, as "topic-p" strings. */
  owned(): string[] {
    return this.consumer.assignment().map((tp) => `${tp.topic}-${tp.partition}`);
  }

  values(): string[] {
    return this.records.map((r) => r.value);
  }

  /** Stops polling and closes the consumer (revoke, commit with auto-commit, leave). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.consumer.close();
  }
}
