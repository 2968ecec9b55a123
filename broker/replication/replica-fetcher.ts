// A follower's fetcher for one leader node (Kafka's ReplicaFetcherThread per source broker): one
// ReplicaFetch stream to that node, one request in flight on it, carrying every partition this node
// follows there that is not backing off. Each partition fetches from its log end with the epoch of
// its last batch; the answer is applied before the next request:
// - records: appended as they are (appendAsFollower keeps producer state and the epoch cache), then
//   the high watermark = the leader's, within this log's bounds;
// - diverging_epoch: truncate to where the two histories agree (divergence.ts) and fetch again;
// - OFFSET_OUT_OF_RANGE: past the leader's end (an unclean election), truncate to that end; before
//   the leader's start, start the log afresh there;
// - any other error (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, ...): the
//   partition backs off replica.fetch.backoff.ms; the replica manager moves it once the metadata
//   image says who leads.
// A stream that fails, or a request unanswered for replica.socket.timeout.ms, is dropped and opened
// again after the backoff. Nothing here truncates by high watermark. A partition listed in
// follower.replication.throttled.replicas fetches, while it is behind, only what the follower
// throttle has left (it sits out the requests while that is spent), and what it gets is taken from it.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { channelOptions, ErrorCode, StraitError, errorName, loadProtos, type wire } from '../../client/index.js';
import type { PartitionLog } from '../log/index.js';
import { truncationOffset } from './divergence.js';
import { splitRecords } from './replica-fetch-frame.js';
import type { FollowerThrottle } from './replication-throttles.js';

export interface FetcherSettings {
  /** replica.fetch.wait.max.ms, replica.fetch.min.bytes, replica.fetch.max.bytes,
   * replica.fetch.response.max.bytes, replica.fetch.backoff.ms, replica.socket.timeout.ms */
  readonly waitMaxMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly responseMaxBytes: number;
  readonly backoffMs: number;
  readonly socketTimeoutMs: number;
}

export interface ReplicaFetcherOptions {
  readonly leaderId: number;
  /** host:port of the leader's listener. */
  readonly address: string;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly brokerEpoch: () => number;
  readonly settings: FetcherSettings;
  readonly logger: Logger;
  readonly throttle?: FollowerThrottle;
}

/** A partition as the fetcher follows it. */
export interface FollowedPartition {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly log: PartitionLog;
}

interface FetchState extends FollowedPartition {
  /** No fetch before this time (after an error). */
  delayedUntil: number;
  /** The leader's log end minus this log's at the last answer; -1 before one. */
  lagRecords: number;
}

interface SentPartition {
  /** The partition's key in the fetcher. */
  readonly key: string;
  readonly leaderEpoch: number;
  readonly fetchOffset: number;
  /** Its bytes count against the follower throttle. */
  readonly throttled: boolean;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
/** Answers name partitions by topic id. */
const idKeyOf = (topicId: string, partition: number): string => `${topicId}\u0000${partition}`;

function isSystemError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException)?.code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, FetchState>();
  private readonly client: wire.ReplicaClient;
  private stream: grpc.ClientDuplexStream<wire.ReplicaFetchRequest, wire.ReplicaFetchResponse__Output> | undefined;
  private inFlight: { correlationId: number; partitions: Map<string, SentPartition>; timer: NodeJS.Timeout } | undefined;
  private nextCorrelationId = 1;
  /** Where the next request starts its walk over the partitions, so that none is always last. */
  private rotation = 0;
  private streamBackoffUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly logger: Logger;

  constructor(private readonly options: ReplicaFetcherOptions) {
    const Replica = loadProtos().proto.strait.v1.Replica;
    this.client = new Replica(options.address, grpc.credentials.createInsecure(), {
      ...channelOptions(),
      // A leader that went away must not hold its followers for seconds of reconnect backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': Math.max(100, options.settings.backoffMs),
    });
    this.logger = options.logger.child({ leader: options.leaderId, address: options.address });
  }

  get leaderId(): number {
    return this.options.leaderId;
  }

  get address(): string {
    return this.options.address;
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Starts (or restarts, at a new leader epoch) fetching a partition. */
  add(p: FollowedPartition): void {
    this.partitions.set(keyOf(p.topic, p.partition), { ...p, delayedUntil: 0, lagRecords: -1 });
    this.pump();
  }

  remove(topic: string, partition: number): void {
    this.partitions.delete(keyOf(topic, partition));
  }

  /** Records behind the leader at the last answer, -1 before one. */
  lagRecords(topic: string, partition: number): number {
    return this.partitions.get(keyOf(topic, partition))?.lagRecords ?? -1;
  }

  close(): void {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    this.stream?.cancel();
    this.stream = undefined;
    this.client.close();
    this.partitions.clear();
  }

  /** Sends the next request when none is in flight and some partition may fetch. */
  private pump(): void {
    if (this.closed || this.inFlight) return;
    const now = Date.now();
    if (now < this.streamBackoffUntil) {
      this.wakeAt(this.streamBackoffUntil);
      return;
    }
    const { settings, throttle } = this.options;
    // Kafka's shouldFollowerThrottle: a listed replica that is behind (or not known to be in step).
    const throttled = (s: FetchState): boolean => throttle !== undefined && s.lagRecords !== 0 && throttle.applies(s);
    const budget = throttle?.available() ?? Number.POSITIVE_INFINITY;
    const all = [...this.partitions.entries()];
    let heldByThrottle = false;
    const ready = all.filter(([, s]) => {
      if (s.delayedUntil > now) return false;
      if (budget <= 0 && throttled(s)) {
        heldByThrottle = true;
        return false;
      }
      return true;
    });
    if (ready.length === 0) {
      let next = Math.min(...all.map(([, s]) => (s.delayedUntil > now ? s.delayedUntil : Number.POSITIVE_INFINITY)));
      // A throttle at rate 0 never refills: look again after the backoff (the rate may change).
      if (heldByThrottle) next = Math.min(next, now + Math.min(throttle!.waitMs(), Math.max(100, settings.backoffMs)));
      if (Number.isFinite(next)) this.wakeAt(next);
      return;
    }
    const start = this.rotation++ % ready.length;
    const ordered = [...ready.slice(start), ...ready.slice(0, start)];
    const sent = new Map<string, SentPartition>();
    const partitions: wire.ReplicaFetchPartition[] = ordered.map(([key, s]) => {
      const fetchOffset = s.log.logEndOffset;
      const isThrottled = throttled(s);
      sent.set(idKeyOf(s.topicId, s.partition), { key, leaderEpoch: s.leaderEpoch, fetchOffset, throttled: isThrottled });
      return {
        topicId: s.topicId, partition: s.partition, currentLeaderEpoch: s.leaderEpoch, fetchOffset,
        lastFetchedEpoch: s.log.latestEpoch() ?? -1, logStartOffset: s.log.logStartOffset,
        partitionMaxBytes: isThrottled ? Math.max(1, Math.min(settings.maxBytes, Math.ceil(budget))) : settings.maxBytes,
      };
    });
    const correlationId = this.nextCorrelationId++;
    const timer = setTimeout(() => this.streamFailed(`no answer within replica.socket.timeout.ms=${settings.socketTimeoutMs}`), settings.socketTimeoutMs);
    this.inFlight = { correlationId, partitions: sent, timer };
    try {
      this.open().write({
        correlationId, clusterId: this.options.clusterId, replicaId: this.options.nodeId, brokerEpoch: this.options.brokerEpoch(),
        maxWaitMs: settings.waitMaxMs, minBytes: settings.minBytes, maxBytes: settings.responseMaxBytes, partitions,
      });
    } catch (err) {
      this.streamFailed((err as Error).message);
    }
  }

  private wakeAt(time: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.max(0, time - Date.now()));
  }

  private open(): grpc.ClientDuplexStream<wire.ReplicaFetchRequest, wire.ReplicaFetchResponse__Output> {
    if (this.stream) return this.stream;
    const stream = this.client.ReplicaFetch();
    stream.on('data', (res: wire.ReplicaFetchResponse__Output) => {
      if (this.stream === stream) this.answered(res);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      if (this.stream === stream) this.streamFailed(err.details || err.message);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.streamFailed('the leader ended the stream');
    });
    this.stream = stream;
    return stream;
  }

  private streamFailed(reason: string): void {
    if (this.closed) return;
    this.logger.debug({ reason }, 'replica fetch stream failed; opening it again after the backoff');
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = undefined;
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.streamBackoffUntil = Date.now() + this.options.settings.backoffMs;
    this.pump();
  }

  private answered(res: wire.ReplicaFetchResponse__Output): void {
    const inFlight = this.inFlight;
    if (!inFlight || res.correlationId !== inFlight.correlationId) return;
    clearTimeout(inFlight.timer);
    this.inFlight = undefined;
    if (res.errorCode !== ErrorCode.NONE) {
      // The whole request was refused (STALE_BROKER_EPOCH while the leader's metadata catches up).
      this.logger.debug({ error: errorName(res.errorCode), message: res.errorMessage }, 'replica fetch refused');
      this.streamBackoffUntil = Date.now() + this.options.settings.backoffMs;
    } else {
      const parts = splitRecords(res);
      if (!parts) {
        this.logger.error('a replica fetch answer whose record sizes do not add up; fetching again after the backoff');
        this.streamBackoffUntil = Date.now() + this.options.settings.backoffMs;
      } else {
        for (const { partition, records } of parts) this.applyPartition(inFlight.partitions, partition, records);
      }
    }
    this.pump();
  }

  /** Applies one partition's answer, if the partition is still fetched as it was when asked. */
  private applyPartition(sent: Map<string, SentPartition>, p: wire.ReplicaFetchPartitionResponse__Output, records: Buffer): void {
    const s = sent.get(idKeyOf(p.topicId, p.partition));
    const f = s && this.partitions.get(s.key);
    if (!s || !f || f.topicId !== p.topicId || f.leaderEpoch !== s.leaderEpoch || f.log.logEndOffset !== s.fetchOffset) return;
    try {
      this.applyAnswer(f, p, records, s.fetchOffset);
      if (s.throttled && p.errorCode === ErrorCode.NONE && !p.divergingEpoch && records.length > 0) this.options.throttle?.record(records.length);
    } catch (err) {
      if (!(err instanceof StraitError) && !isSystemError(err)) throw err;
      this.logger.error({ topic: f.topic, partition: f.partition, err: (err as Error).message }, 'could not apply a replica fetch answer; backing off');
      f.delayedUntil = Date.now() + this.options.settings.backoffMs;
    }
  }

  private applyAnswer(f: FetchState, p: wire.ReplicaFetchPartitionResponse__Output, records: Buffer, fetchOffset: number): void {
    const log = f.log;
    const where = { topic: f.topic, partition: f.partition };
    switch (p.errorCode) {
      case ErrorCode.NONE: {
        if (p.divergingEpoch) {
          const truncation = truncationOffset(p.divergingEpoch, log.logEndOffset, (e) => log.endOffsetForEpoch(e));
          this.logger.info({ ...where, divergingEpoch: p.divergingEpoch, logEndOffset: log.logEndOffset, truncateTo: truncation.offset, complete: truncation.complete },
            'log diverged from the leader\'s: truncating by leader epoch');
          log.truncateTo(truncation.offset);
          return;
        }
        if (records.length > 0) log.appendAsFollower(records);
        log.highWatermark = Math.max(log.logStartOffset, Math.min(p.highWatermark, log.logEndOffset));
        f.lagRecords = Math.max(0, p.logEndOffset - log.logEndOffset);
        return;
      }
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        if (p.logEndOffset >= 0 && fetchOffset > p.logEndOffset) {
          this.logger.warn({ ...where, logEndOffset: fetchOffset, leaderLogEndOffset: p.logEndOffset }, 'this log is longer than the leader\'s: truncating to its end');
          log.truncateTo(p.logEndOffset);
          return;
        }
        if (p.logStartOffset >= 0 && fetchOffset < p.logStartOffset) {
          this.logger.warn({ ...where, logEndOffset: fetchOffset, leaderLogStartOffset: p.logStartOffset }, 'the leader no longer has this log\'s end: starting afresh at its log start');
          log.truncateFullyAndStartAt(p.logStartOffset);
          return;
        }
        break;
      default:
        break;
    }
    this.logger.debug({ ...where, error: errorName(p.errorCode), message: p.errorMessage }, 'replica fetch error; backing off');
    f.delayedUntil = Date.now() + this.options.settings.backoffMs;
  }
}
