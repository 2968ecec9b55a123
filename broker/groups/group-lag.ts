// The log end offsets behind consumer lag (strait_group_lag = log end - committed), refreshed every
// group.lag.refresh.interval.ms for the partitions the groups coordinated here have committed: from
// this node's own leaderships directly, from the other leaders through ListOffsets (latest, which
// is the high watermark: what a consumer can reach). What a failed or unanswered call would have
// told keeps its last value until the next round.
import type { Logger } from 'pino';
import { ConnectionPool, ErrorCode, formatAddress, unaryCall, type wire } from '../../client/index.js';
import type { MetadataImage } from '../metadata/index.js';
import { tpKey } from './assignment.js';

export interface LagSources {
  readonly nodeId: number;
  readonly intervalMs: number;
  readonly image: () => MetadataImage;
  /** The high watermark of a partition this node leads now, else undefined. */
  readonly localHighWatermark: (topic: string, partition: number) => number | undefined;
  /** Every partition some group coordinated here has committed. */
  readonly committedPartitions: () => Iterable<{ topic: string; partition: number }>;
  readonly logger: Logger;
}

const CALL_TIMEOUT_MS = 5000;

export class GroupLag {
  private readonly ends = new Map<string, number>();
  private readonly pool = new ConnectionPool();
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(private readonly sources: LagSources) {}

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.sources.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.pool.close();
  }

  /** The partition's log end as last seen, undefined before the first answer. */
  endOffset(topic: string, partition: number): number | undefined {
    return this.ends.get(tpKey(topic, partition));
  }

  /** One round; a round still running when the next is due is not doubled. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const image = this.sources.image();
      const remote = new Map<number, Map<string, number[]>>();
      const seen = new Set<string>();
      for (const { topic, partition } of this.sources.committedPartitions()) {
        const key = tpKey(topic, partition);
        if (seen.has(key)) continue;
        seen.add(key);
        const local = this.sources.localHighWatermark(topic, partition);
        if (local !== undefined) {
          this.ends.set(key, local);
          continue;
        }
        const leader = image.leaderOf(topic, partition);
        if (leader === undefined || leader < 0) continue;
        let byTopic = remote.get(leader);
        if (!byTopic) remote.set(leader, (byTopic = new Map()));
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push(partition);
      }
      for (const key of [...this.ends.keys()]) if (!seen.has(key)) this.ends.delete(key);
      await Promise.all([...remote].map(([leader, byTopic]) => this.ask(image, leader, byTopic)));
    } finally {
      this.refreshing = false;
    }
  }

  private async ask(image: MetadataImage, leaderId: number, byTopic: Map<string, number[]>): Promise<void> {
    const broker = image.broker(leaderId);
    if (!broker) return;
    const address = formatAddress({ host: broker.host, port: broker.port });
    const request: wire.ListOffsetsRequest = {
      replicaId: -1, isolationLevel: 0,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.map((partition) => ({ partition, timestamp: -1 })) })),
    };
    try {
      const client = this.pool.broker(address);
      const res = await unaryCall<wire.ListOffsetsResponse__Output>((opts, cb) => client.ListOffsets(request, opts, cb), CALL_TIMEOUT_MS, address);
      for (const t of res.topics) {
        for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE && p.offset >= 0) this.ends.set(tpKey(t.name, p.partition), p.offset);
      }
    } catch (err) {
      this.sources.logger.debug({ leader: leaderId, err: (err as Error).message }, 'group lag: ListOffsets to a leader failed');
    }
  }
}
