// Takes sealed batches, and sends every ready batch for one broker in one ProduceRequest over that
// broker's ProduceStream, up to max.in.flight.requests.per.connection unanswered requests. Handles the
// answers: completes batches, re-queues retriable failures in their original order (keeping their
// sequence numbers so the broker drops what it already has), fails the rest.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import { invalidatesMetadata, type Cluster } from '../cluster/cluster.js';
import { backoffDelay, type RetryPolicy } from '../cluster/retry.js';
import type { PartitionProduceData } from '../wire/generated/strait/v1/PartitionProduceData.js';
import type { ProduceResponse__Output } from '../wire/generated/strait/v1/ProduceResponse.js';
import type { TopicProduceData } from '../wire/generated/strait/v1/TopicProduceData.js';
import { ProduceStreamConnection } from './produce-stream.js';
import type { ProducerBatch } from './producer-batch.js';
import { FATAL_SEQUENCE_ERRORS, ProducerIdentity } from './producer-identity.js';

export interface SenderConfig {
  acks: number;
  maxInFlight: number;
  maxRequestSize: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  idempotence: boolean;
  retry: RetryPolicy;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  /** Sealed batches not in flight, oldest first. */
  batches: ProducerBatch[];
  inFlight: number;
  /** After a retriable failure: one request at a time until one succeeds. */
  retrying: boolean;
  notBefore: number;
}

interface SentPartition {
  queue: PartitionQueue;
  batches: ProducerBatch[];
}

export class Sender {
  private readonly cluster: Cluster;
  private readonly config: SenderConfig;
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly connections = new Map<string, ProduceStreamConnection>();
  private readonly identity: ProducerIdentity;
  private refreshing = false;
  private lastRefreshAt = 0;
  private drainScheduled = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTime = 0;
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Counters for tests and monitoring. */
  readonly stats = { requestsSent: 0, batchesSent: 0, batchesRetried: 0, batchesFailed: 0 };

  constructor(cluster: Cluster, config: SenderConfig) {
    this.cluster = cluster;
    this.config = config;
    this.identity = new ProducerIdentity(cluster, config.requestTimeoutMs);
  }

  enqueue(batch: ProducerBatch): void {
    const key = `${batch.topic}\u0000${batch.partition}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { topic: batch.topic, partition: batch.partition, batches: [], inFlight: 0, retrying: false, notBefore: 0 };
      this.queues.set(key, q);
    }
    q.batches.push(batch);
    this.outstanding++;
    this.scheduleDrain();
  }

  /** Resolves once every batch enqueued so far has completed or failed. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private finished(): void {
    if (--this.outstanding === 0) {
      // Nothing left to expire or retry: no timer should keep the process up.
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private complete(batch: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    if (batch.done) return;
    batch.complete(baseOffset, logAppendTime);
    this.finished();
  }

  private fail(batch: ProducerBatch, err: StraitError): void {
    if (batch.done) return;
    this.stats.batchesFailed++;
    batch.fail(err);
    this.finished();
  }

  scheduleDrain(): void {
    if (this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Drains again at `time` (the earliest of all the times asked for). */
  private wakeAt(time: number): void {
    if (this.wakeTimer && this.wakeTime <= time) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTime = time;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.scheduleDrain();
    }, Math.max(0, time - Date.now()));
  }

  private connection(address: string): ProduceStreamConnection {
    let conn = this.connections.get(address);
    if (!conn) {
      conn = new ProduceStreamConnection(this.cluster.pool.broker(address), address, this.config.requestTimeoutMs);
      conn.onWritable = () => this.scheduleDrain();
      this.connections.set(address, conn);
    }
    return conn;
  }

  private initProducerId(): void {
    this.identity.init(
      () => !this.closed && this.outstanding > 0,
      (err) => {
        if (err) for (const q of this.queues.values()) for (const b of q.batches.splice(0)) this.fail(b, err);
        this.scheduleDrain();
      },
    );
  }

  /** Refreshes metadata for the queued topics, at most once per retry.backoff.ms. */
  private refreshMetadata(): void {
    if (this.refreshing) return;
    const now = Date.now();
    const earliest = this.lastRefreshAt + this.config.retry.backoffMs;
    if (now < earliest) {
      this.wakeAt(earliest);
      return;
    }
    this.refreshing = true;
    this.lastRefreshAt = now;
    const topics = [...new Set([...this.queues.values()].filter((q) => q.batches.length > 0).map((q) => q.topic))];
    this.cluster
      .refreshMetadata(topics)
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = false;
        this.scheduleDrain();
      });
  }

  /** Seals sequence numbers and producer id into a batch the first time it is sent. */
  private build(batch: ProducerBatch): Buffer {
    if (batch.buffer) return batch.buffer;
    if (this.config.idempotence) this.identity.stamp(batch);
    const built: Buffer = batch.builder.build();
    batch.buffer = built;
    return built;
  }

  private drain(): void {
    if (this.closed) return;
    const now = Date.now();
    let oldest = Number.POSITIVE_INFINITY;
    for (const q of this.queues.values()) {
      while (q.batches.length > 0 && now - q.batches[0]!.createdAt >= this.config.deliveryTimeoutMs) {
        this.fail(q.batches.shift()!, new StraitError(ErrorCode.REQUEST_TIMED_OUT, `expiring records for ${q.topic}-${q.partition}: delivery.timeout.ms ${this.config.deliveryTimeoutMs} passed`));
      }
      if (q.batches.length > 0) oldest = Math.min(oldest, q.batches[0]!.createdAt);
    }
    // Whatever else happens (no producer id, no leader), queued batches expire on time.
    if (oldest !== Number.POSITIVE_INFINITY) this.wakeAt(oldest + this.config.deliveryTimeoutMs);
    if (this.config.idempotence && !this.identity.ready) {
      if (this.outstanding > 0) this.initProducerId();
      return;
    }
    this.cluster.refreshIfStale();
    const byAddress = new Map<string, PartitionQueue[]>();
    let needMetadata = false;
    for (const q of this.queues.values()) {
      if (q.batches.length === 0 || (q.retrying && q.inFlight > 0)) continue;
      if (now < q.notBefore) {
        this.wakeAt(q.notBefore);
        continue;
      }
      const address = this.cluster.metadata.leaderAddress(q.topic, q.partition);
      if (!address) {
        needMetadata = true;
        continue;
      }
      let list = byAddress.get(address);
      if (!list) byAddress.set(address, (list = []));
      list.push(q);
    }
    if (needMetadata) this.refreshMetadata();
    for (const [address, list] of byAddress) this.sendTo(address, list);
  }

  private sendTo(address: string, queues: PartitionQueue[]): void {
    const conn = this.connection(address);
    const acks = this.config.acks;
    while (conn.writable && (acks === 0 || conn.inFlight < this.config.maxInFlight)) {
      const sent: SentPartition[] = [];
      const topics = new Map<string, PartitionProduceData[]>();
      let size = 0;
      for (const q of queues) {
        if (q.batches.length === 0 || (q.retrying && q.inFlight > 0)) continue;
        const taken: ProducerBatch[] = [];
        while (q.batches.length > 0) {
          const next = this.build(q.batches[0]!);
          if (size > 0 && size + next.length > this.config.maxRequestSize) break;
          size += next.length;
          taken.push(q.batches.shift()!);
          if (q.retrying) break;
        }
        if (taken.length === 0) continue;
        const records = taken.length === 1 ? taken[0]!.buffer! : Buffer.concat(taken.map((b) => b.buffer!));
        let parts = topics.get(q.topic);
        if (!parts) topics.set(q.topic, (parts = []));
        parts.push({ partition: q.partition, records });
        sent.push({ queue: q, batches: taken });
        if (size >= this.config.maxRequestSize) break;
      }
      if (sent.length === 0) return;
      const topicData: TopicProduceData[] = [];
      for (const [name, partitions] of topics) topicData.push({ name, partitions });
      const request = { acks, timeoutMs: this.config.requestTimeoutMs, topics: topicData, transactionalId: '' };
      const answer = conn.send(request, acks !== 0);
      this.stats.requestsSent++;
      for (const s of sent) {
        this.stats.batchesSent += s.batches.length;
        for (const b of s.batches) b.sends++;
      }
      if (!answer) {
        for (const s of sent) for (const b of s.batches) this.complete(b, -1, -1);
        continue;
      }
      for (const s of sent) s.queue.inFlight++;
      answer.then(
        (res) => this.onResponse(sent, res),
        (err: StraitError) => this.onFailure(sent, err),
      );
    }
  }

  private onResponse(sent: SentPartition[], res: ProduceResponse__Output): void {
    const results = new Map<string, { errorCode: number; baseOffset: number; logAppendTimeMs: number; errorMessage: string }>();
    for (const t of res.topics) for (const p of t.partitions) results.set(`${t.name}\u0000${p.partition}`, p);
    for (const s of sent) {
      s.queue.inFlight--;
      const r = results.get(`${s.queue.topic}\u0000${s.queue.partition}`);
      if (!r) {
        this.retryOrFail(s, new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${s.queue.topic}-${s.queue.partition} in the produce response`));
        continue;
      }
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        s.queue.retrying = false;
        let offset = r.errorCode === ErrorCode.NONE ? r.baseOffset : -1;
        for (const b of s.batches) {
          this.complete(b, offset, r.logAppendTimeMs);
          if (offset >= 0) offset += b.recordCount;
        }
        continue;
      }
      this.retryOrFail(s, errorFromCode(r.errorCode, r.errorMessage)!);
    }
    this.scheduleDrain();
  }

  private onFailure(sent: SentPartition[], err: StraitError): void {
    for (const s of sent) {
      s.queue.inFlight--;
      this.retryOrFail(s, err);
    }
    this.scheduleDrain();
  }

  private retryOrFail(s: SentPartition, err: StraitError): void {
    const q = s.queue;
    const now = Date.now();
    // OUT_OF_ORDER right after an earlier batch of the partition failed is that failure's echo.
    const retriable = err.retriable || (err.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && q.retrying);
    let attempts = 0;
    const again: ProducerBatch[] = [];
    for (const b of s.batches) {
      b.attempts++;
      attempts = Math.max(attempts, b.attempts);
      const delay = backoffDelay(b.attempts - 1, this.config.retry);
      const inTime = now + delay - b.createdAt < this.config.deliveryTimeoutMs;
      if (retriable && b.attempts <= this.config.retry.retries && inTime && !this.closed) again.push(b);
      else this.fail(b, err);
    }
    if (!retriable && FATAL_SEQUENCE_ERRORS.has(err.code)) this.resetProducerId(s.batches[0]!.producerId);
    if (again.length === 0) return;
    this.stats.batchesRetried += again.length;
    q.retrying = true;
    q.notBefore = now + backoffDelay(attempts - 1, this.config.retry);
    q.batches.push(...again);
    q.batches.sort((a, b) => a.id - b.id);
    if (invalidatesMetadata(err.code)) {
      this.cluster.metadata.markStale();
      this.refreshMetadata();
    }
  }

  /**
   * After the broker lost track of our sequences, takes a new producer id: batches never sent are
   * rebuilt under it; batches already sent keep their bytes, because rebuilding those could write
   * them twice.
   */
  private resetProducerId(failedProducerId: number): void {
    if (!this.identity.reset(failedProducerId)) return;
    for (const q of this.queues.values()) {
      for (const b of q.batches) {
        if (b.sends === 0) b.buffer = undefined;
      }
    }
    this.scheduleDrain();
  }

  /** Fails whatever is still queued and closes the streams. */
  close(err: StraitError): void {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const q of this.queues.values()) for (const b of q.batches.splice(0)) this.fail(b, err);
    for (const conn of this.connections.values()) conn.close();
    this.connections.clear();
  }
}
