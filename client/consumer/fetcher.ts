// Keeps one fetch in flight per broker for the partitions it leads, so the next data is on its way
// while the application works through the last. Answers become CompletedFetches on each partition.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import { invalidatesMetadata, type Cluster } from '../cluster/cluster.js';
import { backoffDelay } from '../cluster/retry.js';
import { batchPositions, lastOffsetOf } from '../records/batch-header.js';
import type { FetchTopic } from '../wire/generated/strait/v1/FetchTopic.js';
import type { FetchResponse__Output } from '../wire/generated/strait/v1/FetchResponse.js';
import { CompletedFetch } from './completed-fetch.js';
import type { ConsumerConfig } from './consumer-config.js';
import { FetchStreamConnection } from './fetch-stream.js';
import { tpKey, type PartitionState } from './partition-state.js';

export class Fetcher {
  private readonly cluster: Cluster;
  private readonly config: ConsumerConfig;
  private readonly states: Map<string, PartitionState>;
  private readonly onChange: () => void;
  private readonly connections = new Map<string, FetchStreamConnection>();
  private failures = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private lastRefreshAt = 0;
  private closed = false;

  constructor(cluster: Cluster, config: ConsumerConfig, states: Map<string, PartitionState>, onChange: () => void) {
    this.cluster = cluster;
    this.config = config;
    this.states = states;
    this.onChange = onChange;
  }

  private connection(address: string): FetchStreamConnection {
    let conn = this.connections.get(address);
    if (!conn) {
      conn = new FetchStreamConnection(this.cluster.pool.broker(address), address, this.config.requestTimeoutMs);
      this.connections.set(address, conn);
    }
    return conn;
  }

  /** Starts a fetch on every idle broker that leads a partition with room for more data. */
  kick(): void {
    if (this.closed || this.backoffTimer) return;
    this.cluster.refreshIfStale();
    const byAddress = new Map<string, PartitionState[]>();
    let needMetadata = false;
    for (const s of this.states.values()) {
      if (s.fetchOffset === undefined || s.inFlight || s.error || !s.active || s.bufferedBytes >= 2 * this.config.maxPartitionFetchBytes) continue;
      const address = this.cluster.metadata.leaderAddress(s.topic, s.partition);
      if (!address) {
        needMetadata = true;
        continue;
      }
      let list = byAddress.get(address);
      if (!list) byAddress.set(address, (list = []));
      list.push(s);
    }
    if (needMetadata) this.refresh();
    for (const [address, list] of byAddress) {
      const conn = this.connection(address);
      if (!conn.busy) this.fetchFrom(conn, list);
    }
  }

  /** Refreshes metadata for the assigned topics, at most once per retry.backoff.ms. */
  private refresh(): void {
    if (this.refreshing || this.closed) return;
    const now = Date.now();
    if (now < this.lastRefreshAt + this.config.retry.backoffMs) {
      this.backoff();
      return;
    }
    this.refreshing = true;
    this.lastRefreshAt = now;
    const topics = [...new Set([...this.states.values()].map((s) => s.topic))];
    this.cluster.metadata.markStale();
    this.cluster
      .refreshMetadata(topics)
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = false;
        this.kick();
      });
  }

  private backoff(): void {
    if (this.backoffTimer || this.closed) return;
    const delay = backoffDelay(Math.min(this.failures++, 10), this.config.retry);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.kick();
    }, delay);
  }

  private fetchFrom(conn: FetchStreamConnection, list: PartitionState[]): void {
    const topics = new Map<string, FetchTopic['partitions']>();
    const sent: { state: PartitionState; generation: number; offset: number }[] = [];
    for (const s of list) {
      let parts = topics.get(s.topic);
      if (!parts) topics.set(s.topic, (parts = []));
      parts.push({ partition: s.partition, fetchOffset: s.fetchOffset!, partitionMaxBytes: this.config.maxPartitionFetchBytes, logStartOffset: -1 });
      s.inFlight = true;
      sent.push({ state: s, generation: s.generation, offset: s.fetchOffset! });
    }
    const request = {
      replicaId: -1,
      maxWaitMs: this.config.fetchMaxWaitMs,
      minBytes: this.config.fetchMinBytes,
      maxBytes: this.config.fetchMaxBytes,
      isolationLevel: this.config.isolationLevel,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      rackId: '',
    };
    conn.fetch(request).then(
      (res) => {
        for (const x of sent) x.state.inFlight = false;
        this.failures = 0;
        try {
          this.onResponse(res, sent);
        } catch (err) {
          // Bytes that do not parse as batches: report on the partitions, never crash the process.
          const error = err instanceof StraitError ? err : new StraitError(ErrorCode.CORRUPT_MESSAGE, `unreadable fetch response from ${conn.address}: ${(err as Error).message}`);
          for (const x of sent) if (x.state.generation === x.generation) x.state.error = error;
        }
        this.onChange();
        this.kick();
      },
      (err: StraitError) => {
        for (const x of sent) x.state.inFlight = false;
        if (this.closed) return;
        if (invalidatesMetadata(err.code)) this.refresh();
        if (err.retriable) this.backoff();
        else for (const x of sent) if (x.state.generation === x.generation) x.state.error = err;
        this.onChange();
      },
    );
  }

  private onResponse(res: FetchResponse__Output, sent: { state: PartitionState; generation: number; offset: number }[]): void {
    const top = errorFromCode(res.errorCode);
    if (top) {
      if (invalidatesMetadata(top.code)) this.refresh();
      if (top.retriable) this.backoff();
      else for (const x of sent) x.state.error = top;
      return;
    }
    const asked = new Map(sent.map((x) => [tpKey(x.state.topic, x.state.partition), x]));
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const x = asked.get(tpKey(t.name, p.partition));
        const s = x && this.states.get(tpKey(t.name, p.partition));
        // Unassigned since, or seeked since: this answer is for a position nobody wants now.
        if (!x || !s || s !== x.state || s.generation !== x.generation || s.fetchOffset !== x.offset) continue;
        this.onPartition(s, t.name, p.partition, p.errorCode, p.highWatermark, p.records);
      }
    }
  }

  private onPartition(s: PartitionState, topic: string, partition: number, errorCode: number, highWatermark: number, records: Buffer): void {
    const err = errorFromCode(errorCode, `${topic}-${partition}: ${errorFromCode(errorCode)?.message ?? ''}`);
    if (err) {
      if (err.code === ErrorCode.OFFSET_OUT_OF_RANGE) {
        if (this.config.autoOffsetReset === 'none') s.error = err;
        else {
          s.seek(undefined); // the consumer resets it by auto.offset.reset
          s.resetByPolicy = true;
        }
      } else if (invalidatesMetadata(err.code) || err.retriable) {
        this.refresh();
      } else {
        s.error = err;
      }
      return;
    }
    s.highWatermark = highWatermark;
    if (records.length === 0) return;
    let next = -1;
    for (const { position } of batchPositions(records)) next = lastOffsetOf(records, position) + 1;
    if (next < 0) {
      s.error = new StraitError(ErrorCode.RECORD_LIST_TOO_LARGE, `${topic}-${partition}: a batch at offset ${s.fetchOffset} is larger than max.partition.fetch.bytes ${this.config.maxPartitionFetchBytes}`);
      return;
    }
    if (next <= s.fetchOffset!) return;
    s.fetchOffset = next;
    s.buffered.push(new CompletedFetch(topic, partition, s.generation, records));
    s.bufferedBytes += records.length;
  }

  close(): void {
    this.closed = true;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    for (const conn of this.connections.values()) conn.close();
    this.connections.clear();
  }
}
