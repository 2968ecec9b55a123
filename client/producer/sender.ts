// Takes sealed batches and sends them to their partition leaders over each broker's ProduceStream,
// with Kafka's rules: one batch per partition in a request, at most max.in.flight.requests.per.connection
// unanswered requests per broker, and (idempotence) at most that many unsettled batches per partition,
// so that every re-sent batch is still inside the broker's five-batch duplicate window.
//
// A batch that fails retriably goes back into its queue in order, with its sequence number, and the
// partition then sends one batch at a time until an answer settles it. A batch that runs out of
// delivery.timeout.ms or of retries, or that the broker refuses, is given up on; its records fail
// with `maybeWritten` saying whether the broker may hold them anyway (some attempt went unanswered)
// or certainly does not. What a later answer proves about such a batch, and when a partition moves to
// a new epoch, is sequence-window.ts's business.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import { invalidatesMetadata, type Cluster } from '../cluster/cluster.js';
import { backoffDelay, type RetryPolicy } from '../cluster/retry.js';
import type { PartitionProduceData } from '../wire/generated/strait/v1/PartitionProduceData.js';
import type { ProduceResponse__Output } from '../wire/generated/strait/v1/ProduceResponse.js';
import type { TopicProduceData } from '../wire/generated/strait/v1/TopicProduceData.js';
import { ProduceStreamConnection } from './produce-stream.js';
import type { ProducerBatch } from './producer-batch.js';
import { ProducerIdentity } from './producer-identity.js';
import { SequenceWindow } from './sequence-window.js';

export interface SenderConfig {
  acks: number;
  maxInFlight: number;
  maxRequestSize: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  idempotence: boolean;
  retry: RetryPolicy;
}

/** Answers after which the broker may have written the batch all the same. KAFKA_STORAGE_ERROR is
 * one: the log answers it also when the batch's bytes reached the segment file and the index write or
 * the flush after them failed, and recovery keeps those bytes. */
const UNSETTLED_ERRORS: ReadonlySet<number> = new Set<number>([
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.UNKNOWN_SERVER_ERROR,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** With acks=all a leader answers these also when it appended the batch and then lost the partition
 * while waiting for the ISR (Kafka's DelayedProduce): the batch may live on in the new leader's log. */
const AFTER_APPEND_WITH_ACKS_ALL: ReadonlySet<number> = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
]);

interface PartitionQueue {
  topic: string;
  partition: number;
  /** Batches waiting to be sent (new, or going again), in creation order. */
  batches: ProducerBatch[];
  /** Batches in unanswered requests. */
  inFlight: Set<ProducerBatch>;
  /** The broker those went to: the partition waits for them before it turns to another leader. */
  address: string | undefined;
  /** After a retriable failure: one batch at a time until an answer settles one. */
  retrying: boolean;
  notBefore: number;
  /** Sequence numbers (idempotence only). */
  window: SequenceWindow | undefined;
}

interface SentBatch {
  queue: PartitionQueue;
  batch: ProducerBatch;
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
  /** Batches whose waiters have not been told yet. */
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  /** Where the next request starts its walk over the partitions, so none is always last. */
  private rotation = 0;
  private closed = false;
  /** Counters for tests and monitoring. */
  readonly stats = { requestsSent: 0, batchesSent: 0, batchesRetried: 0, batchesFailed: 0, epochBumps: 0 };

  constructor(cluster: Cluster, config: SenderConfig) {
    this.cluster = cluster;
    this.config = config;
    this.identity = new ProducerIdentity(cluster, config.requestTimeoutMs);
  }

  enqueue(batch: ProducerBatch): void {
    const key = `${batch.topic}\u0000${batch.partition}`;
    let q = this.queues.get(key);
    if (!q) {
      q = {
        topic: batch.topic, partition: batch.partition, batches: [], inFlight: new Set(), address: undefined,
        retrying: false, notBefore: 0, window: this.config.idempotence ? new SequenceWindow(this.config.maxInFlight) : undefined,
      };
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

  private told(): void {
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
    this.told();
  }

  /** Fails the batch's records for good; the error says whether the broker may hold them. */
  private giveUp(batch: ProducerBatch, err: StraitError): void {
    batch.abandoned = true;
    if (batch.done) return;
    this.stats.batchesFailed++;
    const verdict = err.maybeWritten === batch.maybeWritten ? err : new StraitError(err.code, err.message, { cause: err.cause, maybeWritten: batch.maybeWritten });
    batch.fail(verdict);
    this.told();
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
        if (err) {
          for (const q of this.queues.values()) {
            for (const b of q.batches.splice(0)) this.giveUp(b, err);
          }
        }
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

  private drain(): void {
    if (this.closed) return;
    const now = Date.now();
    this.expire(now);
    this.cluster.refreshIfStale();
    const byAddress = new Map<string, PartitionQueue[]>();
    let needMetadata = false;
    let needIdentity = false;
    for (const q of this.queues.values()) {
      if (q.window?.needsBump(q.inFlight.size)) this.bumpEpoch(q);
      if (q.batches.length === 0) continue;
      if (now < q.notBefore) {
        this.wakeAt(q.notBefore);
        continue;
      }
      if (q.window && !this.identity.ready && q.window.size === 0) {
        needIdentity = true;
        continue;
      }
      const address = this.cluster.metadata.leaderAddress(q.topic, q.partition);
      if (!address) {
        needMetadata = true;
        continue;
      }
      // Batches of one partition in flight to two brokers could be answered out of order.
      if (q.inFlight.size > 0 && q.address !== address) continue;
      let list = byAddress.get(address);
      if (!list) byAddress.set(address, (list = []));
      list.push(q);
    }
    if (needIdentity) this.initProducerId();
    if (needMetadata) this.refreshMetadata();
    for (const [address, list] of byAddress) this.sendTo(address, list);
  }

  /** Gives up on batches past delivery.timeout.ms: queued ones, and in-flight ones whose answer is late. */
  private expire(now: number): void {
    const deadline = this.config.deliveryTimeoutMs;
    let oldest = Number.POSITIVE_INFINITY;
    for (const q of this.queues.values()) {
      while (q.batches.length > 0 && now - q.batches[0]!.createdAt >= deadline) this.expireBatch(q, q.batches.shift()!);
      for (const b of q.inFlight) {
        if (!b.done && now - b.createdAt >= deadline) {
          b.maybeWritten = true;
          this.expireBatch(q, b);
        }
      }
      if (q.batches.length > 0) oldest = Math.min(oldest, q.batches[0]!.createdAt);
      for (const b of q.inFlight) if (!b.done) oldest = Math.min(oldest, b.createdAt);
    }
    // Whatever else happens (no producer id, no leader, no answer), batches expire on time.
    if (oldest !== Number.POSITIVE_INFINITY) this.wakeAt(oldest + deadline);
  }

  private expireBatch(q: PartitionQueue, b: ProducerBatch): void {
    const ms = Date.now() - b.createdAt;
    this.giveUp(b, new StraitError(ErrorCode.REQUEST_TIMED_OUT,
      `Expiring ${b.recordCount} record(s) for ${q.topic}-${q.partition}: ${ms} ms has passed since batch creation ` +
        `(delivery.timeout.ms ${this.config.deliveryTimeoutMs})${b.maybeWritten ? '; they may have been written' : '; they were not written'}`));
  }

  /**
   * A new epoch for the partition: batches proved unwritten go again first, with new sequences. They
   * are queued already, in order (a bump waits until nothing is in flight, and every failed attempt
   * that is retried went back into the queue), so they are only re-stamped where they are, as Kafka's
   * TransactionManager.startSequencesAtBeginning does. Queueing them a second time sent each twice:
   * the second copy, after the first was acknowledged, took the next sequence and was written again.
   */
  private bumpEpoch(q: PartitionQueue): void {
    const window = q.window!;
    this.identity.bumpFrom(window.identity);
    window.bump();
    this.stats.epochBumps++;
  }

  /** The next batch the partition may send now, or undefined. */
  private sendable(q: PartitionQueue): ProducerBatch | undefined {
    const head = q.batches[0];
    if (!head) return undefined;
    if (q.retrying && q.inFlight.size > 0) return undefined;
    if (!q.window) return q.inFlight.size < this.config.maxInFlight ? head : undefined;
    if (q.window.holds(head)) return head;
    // A window that is not empty goes on under its own identity (each partition's epoch only has to
    // grow); an empty one starts under the producer's current one.
    if (!q.window.canAssign() || (q.window.size === 0 && !this.identity.ready)) return undefined;
    return head;
  }

  /** The batch's bytes, with its sequence number and producer fields when it has none yet. */
  private bytesOf(q: PartitionQueue, batch: ProducerBatch): Buffer {
    if (q.window && !q.window.holds(batch)) {
      q.window.assign(batch, this.identity.current);
      batch.setProducerFields({ producerId: batch.producerId, producerEpoch: batch.producerEpoch, baseSequence: batch.baseSequence });
    }
    return batch.bytes();
  }

  private sendTo(address: string, queues: PartitionQueue[]): void {
    const conn = this.connection(address);
    const acks = this.config.acks;
    while (conn.writable && (acks === 0 || conn.inFlight < this.config.maxInFlight)) {
      const sent: SentBatch[] = [];
      const topics = new Map<string, PartitionProduceData[]>();
      let size = 0;
      const start = this.rotation++ % queues.length;
      for (let k = 0; k < queues.length; k++) {
        const q = queues[(start + k) % queues.length]!;
        const next = this.sendable(q);
        if (!next) continue;
        const bytes = this.bytesOf(q, next);
        if (size > 0 && size + bytes.length > this.config.maxRequestSize) continue;
        q.batches.shift();
        size += bytes.length;
        let parts = topics.get(q.topic);
        if (!parts) topics.set(q.topic, (parts = []));
        parts.push({ partition: q.partition, records: bytes });
        sent.push({ queue: q, batch: next });
        if (size >= this.config.maxRequestSize) break;
      }
      if (sent.length === 0) return;
      const topicData: TopicProduceData[] = [];
      for (const [name, partitions] of topics) topicData.push({ name, partitions });
      const request = { acks, timeoutMs: this.config.requestTimeoutMs, topics: topicData, transactionalId: '' };
      const answer = conn.send(request, acks !== 0);
      this.stats.requestsSent++;
      this.stats.batchesSent += sent.length;
      for (const s of sent) s.batch.sends++;
      if (!answer) {
        for (const s of sent) this.complete(s.batch, -1, -1);
        continue;
      }
      for (const s of sent) {
        s.queue.inFlight.add(s.batch);
        s.queue.address = address;
      }
      answer.then(
        (res) => this.onResponse(sent, res),
        (err: StraitError) => this.onFailure(sent, err),
      );
    }
  }

  private onResponse(sent: SentBatch[], res: ProduceResponse__Output): void {
    const results = new Map<string, { errorCode: number; baseOffset: number; logAppendTimeMs: number; errorMessage: string }>();
    for (const t of res.topics) for (const p of t.partitions) results.set(`${t.name}\u0000${p.partition}`, p);
    for (const { queue: q, batch } of sent) {
      q.inFlight.delete(batch);
      const r = results.get(`${q.topic}\u0000${q.partition}`);
      if (!r) {
        this.onError(q, batch, new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${q.topic}-${q.partition} in the produce response`));
      } else if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        // DUPLICATE_SEQUENCE_NUMBER (older brokers): written before, original offsets unknown (-1).
        q.retrying = false;
        q.window?.onAcknowledged(batch);
        batch.acked = true;
        this.complete(batch, r.errorCode === ErrorCode.NONE ? r.baseOffset : -1, r.logAppendTimeMs);
      } else {
        this.onError(q, batch, errorFromCode(r.errorCode, r.errorMessage)!);
      }
    }
    this.scheduleDrain();
  }

  private onFailure(sent: SentBatch[], err: StraitError): void {
    for (const { queue: q, batch } of sent) {
      q.inFlight.delete(batch);
      // No answer at all: the request may have been written before the stream broke.
      batch.maybeWritten = true;
      this.onError(q, batch, err);
    }
    this.scheduleDrain();
  }

  private onError(q: PartitionQueue, batch: ProducerBatch, err: StraitError): void {
    batch.attempts++;
    if (UNSETTLED_ERRORS.has(err.code) || (this.config.acks === -1 && AFTER_APPEND_WITH_ACKS_ALL.has(err.code))) batch.maybeWritten = true;
    if (invalidatesMetadata(err.code)) {
      this.cluster.metadata.markStale();
      this.refreshMetadata();
    }
    let retry = err.retriable;
    if (err.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && q.window) {
      const verdict = q.window.onOutOfOrder(batch);
      retry = verdict !== 'fail';
    }
    if (batch.abandoned) return; // its waiters were told; the answer only settled the window
    const delay = backoffDelay(batch.attempts - 1, this.config.retry);
    const inTime = Date.now() + delay - batch.createdAt < this.config.deliveryTimeoutMs;
    if (!retry || batch.attempts > this.config.retry.retries || !inTime || this.closed) {
      this.giveUp(batch, err);
      return;
    }
    this.stats.batchesRetried++;
    q.retrying = true;
    q.notBefore = Math.max(q.notBefore, Date.now() + delay);
    q.batches.push(batch);
    q.batches.sort((a, b) => a.id - b.id);
  }

  /** Fails whatever is still queued and closes the streams (in-flight batches fail as maybe written). */
  close(err: StraitError): void {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const q of this.queues.values()) for (const b of q.batches.splice(0)) this.giveUp(b, err);
    for (const conn of this.connections.values()) conn.close();
    this.connections.clear();
  }
}
