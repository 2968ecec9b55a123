// The consumer: manual assignment (assign) or group membership (subscribe, KIP-848's protocol through
// GroupSession), positions from committed offsets or auto.offset.reset, fetch-ahead through the
// Fetcher, commits (explicit and auto), pause/resume, and poll/iterators that hand out records decoded
// a batch at a time.
import { ErrorCode, StraitError } from '../errors.js';
import { Cluster } from '../cluster/cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, type OffsetAnswer } from '../cluster/list-offsets.js';
import { GroupCoordinators } from '../groups/coordinator.js';
import { fetchCommittedOffsets, NO_MEMBER, type CommittedOffset, type MemberIdentity, type OffsetToCommit } from '../groups/offsets.js';
import type { ConsumedRecordWithTopic } from './completed-fetch.js';
import { parseConsumerConfig, type ConsumerConfig, type ConsumerOptions } from './consumer-config.js';
import { Fetcher } from './fetcher.js';
import { GroupMembership } from './group-membership.js';
import { GroupSession, type RebalanceListener } from './group-session.js';
import { OffsetCommitter } from './offset-committer.js';
import { PartitionState, tpKey, type TopicPartition } from './partition-state.js';
import { resolvePositions } from './positions.js';
import { normalizePartitions } from './reconciliation.js';
import { parseSubscription, sameSubscription } from './subscription.js';

/** OffsetFetch answers to a member whose membership is changing under it. */
const MEMBERSHIP_IN_FLUX = new Set<number>([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_MEMBER_EPOCH]);

/** Who this consumer is in its group (Kafka's ConsumerGroupMetadata). */
export interface GroupMetadata {
  groupId: string;
  /** '' until the coordinator has given one (and for an assign() consumer). */
  memberId: string;
  /** -1 outside membership. */
  memberEpoch: number;
  groupInstanceId: string | undefined;
}

/**
 * Fetched data of one partition as stored: whole RecordBatch v2 batches back to back, undecoded (the
 * raw path, Consumer.pollBatches). Control batches are included; the consumer's position has moved
 * to nextOffset.
 */
export interface FetchedBatches {
  topic: string;
  partition: number;
  /** The batches' bytes, a slice of the fetch response (no copy). */
  records: Buffer;
  /** The partition's position when these were handed out: the first batch may start below it (a fetch
   * returns whole batches), and its records below this offset were handed out before or skipped. */
  position: number;
  /** The offset after the last batch: the position now. */
  nextOffset: number;
  /** The partition's high watermark as of the fetch that brought these. */
  highWatermark: number;
}

/** Records of one partition taken from the fetched data in one go, with the state they belong to. */
interface Chunk {
  state: PartitionState;
  generation: number;
  records: ConsumedRecordWithTopic[];
}

export class Consumer implements AsyncIterable<ConsumedRecordWithTopic> {
  readonly config: ConsumerConfig;
  private readonly cluster: Cluster;
  private readonly coordinators: GroupCoordinators;
  private readonly committer: OffsetCommitter;
  private readonly states = new Map<string, PartitionState>();
  private readonly fetcher: Fetcher;
  private session: GroupSession | undefined;
  private waiters: (() => void)[] = [];
  private rotation = 0;
  private closed = false;

  constructor(options: ConsumerOptions) {
    this.config = parseConsumerConfig(options);
    this.cluster = new Cluster(this.config);
    this.coordinators = new GroupCoordinators(this.cluster);
    this.committer = new OffsetCommitter(this.coordinators, this.config, () => this.identity());
    this.fetcher = new Fetcher(this.cluster, this.config, this.states, () => this.wake());
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private identity(): MemberIdentity {
    return this.session ? this.session.identity() : NO_MEMBER;
  }

  private checkOpen(): void {
    if (this.closed) throw new StraitError(ErrorCode.INVALID_REQUEST, 'consumer is closed');
  }

  private state(tp: TopicPartition): PartitionState {
    const s = this.states.get(tpKey(tp.topic, tp.partition));
    if (!s || s.detached) throw new StraitError(ErrorCode.INVALID_REQUEST, `${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return s;
  }

  /**
   * Joins the group (group.id) with a subscription to these topics, or to every topic whose whole name
   * the pattern matches (the coordinator matches it, so topics created later are picked up). The
   * coordinator assigns the partitions; the listener hears about each change, and each of its callbacks
   * is awaited before records flow on. Calling it again changes the subscription.
   */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.checkOpen();
    const group = this.config.group;
    if (!group) {
      throw new StraitError(ErrorCode.INVALID_GROUP_ID, 'To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration');
    }
    if (!this.session && this.states.size > 0) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, 'Subscription to topics, partitions and pattern are mutually exclusive');
    }
    const subscription = parseSubscription(topics);
    if (this.session) {
      if (!sameSubscription(this.session.currentSubscription, subscription)) this.session.resubscribe(subscription);
      return;
    }
    const { clientId, retry, defaultApiTimeoutMs } = this.config;
    this.session = new GroupSession(
      {
        states: this.states,
        enableAutoCommit: this.config.enableAutoCommit,
        requestTimeoutMs: this.config.requestTimeoutMs,
        committer: this.committer,
        membership: (sub, events, owned) =>
          new GroupMembership(this.coordinators, this.cluster.pool, { group, clientId, subscription: sub, retry, defaultApiTimeoutMs }, events, owned),
        refreshMetadata: (topics) => void this.cluster.refreshMetadata(topics).catch(() => undefined),
        wake: () => this.wake(),
        kick: () => this.fetcher.kick(),
      },
      subscription,
      listener,
    );
  }

  /** Leaves the group (revoking every partition first) or drops the manual assignment. */
  async unsubscribe(): Promise<void> {
    this.checkOpen();
    const session = this.session;
    this.session = undefined;
    if (session) await session.leave();
    for (const s of this.states.values()) s.detached = true;
    this.states.clear();
  }

  /** The topics (or the pattern) subscribed to; undefined without a subscription. */
  subscription(): string[] | RegExp | undefined {
    const s = this.session?.currentSubscription;
    if (!s) return undefined;
    return s.kind === 'topics' ? [...s.topics] : s.pattern;
  }

  /** Replaces the assignment (Kafka's assign): kept partitions keep their positions. No group membership. */
  assign(partitions: readonly TopicPartition[]): void {
    this.checkOpen();
    if (this.session) throw new StraitError(ErrorCode.INVALID_REQUEST, 'Subscription to topics, partitions and pattern are mutually exclusive');
    const next = new Map<string, PartitionState>();
    for (const { topic, partition } of partitions) {
      if (typeof topic !== 'string' || topic.length === 0 || !Number.isInteger(partition) || partition < 0) {
        throw new StraitError(ErrorCode.INVALID_REQUEST, `not a topic partition: ${JSON.stringify({ topic, partition })}`);
      }
      const key = tpKey(topic, partition);
      next.set(key, this.states.get(key) ?? new PartitionState(topic, partition));
    }
    for (const [k, s] of this.states) if (!next.has(k)) s.detached = true;
    this.states.clear();
    for (const [k, s] of next) this.states.set(k, s);
    this.cluster.refreshMetadata([...new Set(partitions.map((p) => p.topic))]).catch(() => undefined);
  }

  /** The partitions assigned now (by assign(), or by the group and not being given up). */
  assignment(): TopicPartition[] {
    return normalizePartitions([...this.states.values()].filter((s) => s.release === undefined));
  }

  /** Who this consumer is in the group: member id and epoch (for logs, tests and transactions later). */
  groupMetadata(): GroupMetadata | undefined {
    const group = this.config.group;
    if (!group) return undefined;
    const id = this.identity();
    return { groupId: group.groupId, memberId: id.memberId, memberEpoch: this.session ? id.memberEpoch : -1, groupInstanceId: group.instanceId || undefined };
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

  /** The offset of the next record the application will be handed for tp, resolving it first if it has none. */
  async position(tp: TopicPartition): Promise<number> {
    const s = this.state(tp);
    if (s.consumed === undefined) await this.resolvePositions();
    if (s.consumed === undefined) throw new StraitError(ErrorCode.INVALID_REQUEST, `${tp.topic}-${tp.partition} is no longer assigned to this consumer`);
    return s.consumed;
  }

  /** Suspends fetching from these partitions; poll returns none of their records until resume(). */
  pause(tps: readonly TopicPartition[]): void {
    const states = tps.map((tp) => this.state(tp));
    for (const s of states) s.paused = true;
  }

  resume(tps: readonly TopicPartition[]): void {
    const states = tps.map((tp) => this.state(tp));
    for (const s of states) s.paused = false;
    this.fetcher.kick();
  }

  paused(): TopicPartition[] {
    return normalizePartitions([...this.states.values()].filter((s) => s.paused && !s.detached));
  }

  /**
   * Commits offsets for the group. Without arguments: the consumed position of every assigned
   * partition (the offset after the last record handed out). With offsets: exactly those (each the
   * next offset to read, as in Kafka). Resolves once the coordinator has them.
   */
  async commit(offsets?: readonly OffsetToCommit[]): Promise<void> {
    this.checkOpen();
    if (offsets === undefined) {
      await this.committer.commit(this.committer.consumedOffsets([...this.states.values()].filter((s) => s.release !== 'lose')));
    } else {
      await this.committer.commit(offsets);
    }
  }

  /** The group's committed offsets for these partitions (null where it has none). */
  async committed(tps: readonly TopicPartition[]): Promise<(CommittedOffset | null)[]> {
    const group = this.config.groupId;
    if (group === undefined) {
      throw new StraitError(ErrorCode.INVALID_GROUP_ID, 'To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration');
    }
    const answers = await fetchCommittedOffsets(this.coordinators, group, tps, NO_MEMBER, Date.now() + this.config.defaultApiTimeoutMs, this.config.requestTimeoutMs);
    return answers.map((c) => (c.offset < 0 ? null : c));
  }

  /** Gives every partition without a position one: the committed offset, else auto.offset.reset. */
  private async resolvePositions(): Promise<void> {
    const group = this.config.groupId;
    const committed = group === undefined ? undefined : async (tps: readonly TopicPartition[]): Promise<CommittedOffset[] | undefined> => {
      try {
        return await fetchCommittedOffsets(this.coordinators, group, tps, this.identity(), Date.now() + this.config.defaultApiTimeoutMs, this.config.requestTimeoutMs);
      } catch (err) {
        // The member's epoch is moving (a new assignment on its way) or the coordinator no longer knows
        // it (the membership is finding out and will rejoin): ask again on the next poll.
        if (err instanceof StraitError && MEMBERSHIP_IN_FLUX.has(err.code)) return undefined;
        throw err;
      }
    };
    await resolvePositions(this.states.values(), this.cluster, this.config, committed);
  }

  /** The group work poll does before records: apply assignments, auto-commit when due. */
  private async groupDuties(): Promise<void> {
    if (this.session?.hasWork) await this.session.reconcile();
    if (this.committer.autoCommitDue(Date.now())) this.committer.autoCommit([...this.states.values()].filter((s) => s.active));
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

  /** Takes up to max records of the fetched data, from a rotating first partition so none starves. */
  private collect(max: number): Chunk[] {
    const chunks: Chunk[] = [];
    let taken = 0;
    const states = [...this.states.values()];
    const n = states.length;
    for (let i = 0; i < n && taken < max; i++) {
      const s = states[(this.rotation + i) % n]!;
      if (!s.active) continue;
      const out: ConsumedRecordWithTopic[] = [];
      while (s.buffered.length > 0 && taken + out.length < max) {
        const cf = s.buffered[0]!;
        if (cf.generation !== s.generation || s.position === undefined) {
          s.buffered.shift();
          s.bufferedBytes -= cf.bytes;
          continue;
        }
        s.position = cf.drain(s.position, max - taken - out.length, out);
        if (cf.exhausted) {
          s.buffered.shift();
          s.bufferedBytes -= cf.bytes;
        }
      }
      if (out.length > 0) {
        chunks.push({ state: s, generation: s.generation, records: out });
        taken += out.length;
      }
    }
    this.rotation = n === 0 ? 0 : (this.rotation + 1) % n;
    return chunks;
  }

  /** Takes every fetched batch not yet handed out, whole and undecoded, up to about maxBytes (at
   * least one partition's data), from a rotating first partition so none starves. */
  private collectBatches(maxBytes: number): FetchedBatches[] {
    const out: FetchedBatches[] = [];
    let bytes = 0;
    const states = [...this.states.values()];
    const n = states.length;
    for (let i = 0; i < n && bytes < maxBytes; i++) {
      const s = states[(this.rotation + i) % n]!;
      if (!s.active) continue;
      while (s.buffered.length > 0 && bytes < maxBytes) {
        const cf = s.buffered.shift()!;
        s.bufferedBytes -= cf.bytes;
        if (cf.generation !== s.generation || s.position === undefined) continue;
        const taken = cf.takeRemaining();
        if (!taken || taken.nextOffset <= s.position) continue;
        out.push({ topic: s.topic, partition: s.partition, records: taken.records, position: s.position, nextOffset: taken.nextOffset, highWatermark: s.highWatermark });
        bytes += taken.records.length;
        s.position = taken.nextOffset;
        s.consumed = taken.nextOffset;
        s.consumedLeaderEpoch = -1;
      }
    }
    this.rotation = n === 0 ? 0 : (this.rotation + 1) % n;
    return out;
  }

  /** Waits for a wake-up (data, an assignment) or for ms to pass. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Fetched records as chunks (up to max records), waiting up to timeoutMs for some. */
  private pollChunks(timeoutMs: number, max: number): Promise<Chunk[]> {
    return this.pollWith(timeoutMs, () => this.collect(max));
  }

  /** Runs the poll loop (group duties, errors, positions, fetches) until `collect` finds something or
   * timeoutMs passes. */
  private async pollWith<T>(timeoutMs: number, collect: () => T[]): Promise<T[]> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (this.closed) return [];
      await this.groupDuties();
      this.takeError();
      await this.resolvePositions();
      const chunks = collect();
      this.fetcher.kick();
      const left = deadline - Date.now();
      if (chunks.length > 0 || left <= 0) return chunks;
      // Group work that arrived while this poll was busy (its wake-up found nobody waiting).
      if (this.session?.hasWork) continue;
      // A partition still without a position (its committed offset could not be asked for yet) is
      // tried again after the retry backoff, not only when something else wakes the poll.
      const unresolved = this.session !== undefined && [...this.states.values()].some((s) => s.position === undefined && s.active);
      await this.wait(unresolved ? Math.min(left, this.config.retry.backoffMs) : left);
    }
  }

  /**
   * Returns the records available now (up to max.poll.records), or waits up to timeoutMs for some.
   * They count as consumed at once (commit() commits past them). Raises a partition's fetch error
   * (e.g. OFFSET_OUT_OF_RANGE with auto.offset.reset=none) once, and the group's errors.
   */
  async poll(timeoutMs: number): Promise<ConsumedRecordWithTopic[]> {
    const chunks = await this.pollChunks(timeoutMs, this.config.maxPollRecords);
    if (chunks.length === 1) {
      markConsumed(chunks[0]!);
      return chunks[0]!.records;
    }
    const out: ConsumedRecordWithTopic[] = [];
    for (const c of chunks) {
      markConsumed(c);
      for (const r of c.records) out.push(r);
    }
    return out;
  }

  /**
   * The raw path: the fetched data of each partition as whole stored batches, undecoded (no record is
   * read), waiting up to timeoutMs for some; at most about `maxBytes` (default fetch.max.bytes) in one
   * call, at least one partition's data. Each partition's position moves past the batches handed out
   * (commit() commits there). A fetch returns whole batches, so a partition's first batch may start
   * below its position: `position` says where its records start to count. Errors, group work and
   * positions are handled as in poll(); poll() and pollBatches() may be mixed.
   */
  pollBatches(timeoutMs: number, maxBytes = this.config.fetchMaxBytes): Promise<FetchedBatches[]> {
    return this.pollWith(timeoutMs, () => this.collectBatches(maxBytes));
  }

  /** Batches as poll returns them, until close(). */
  async *batches(): AsyncGenerator<ConsumedRecordWithTopic[]> {
    while (!this.closed) {
      const records = await this.poll(this.config.fetchMaxWaitMs);
      if (records.length > 0) yield records;
    }
  }

  /**
   * Records one at a time, until close(). A record counts as consumed when it is handed out, so a
   * commit() in the loop body commits up to it and no further; group work (a rebalance, an
   * auto-commit) happens between records.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumedRecordWithTopic> {
    while (!this.closed) {
      const chunks = await this.pollChunks(this.config.fetchMaxWaitMs, this.config.maxPollRecords);
      for (const chunk of chunks) {
        const s = chunk.state;
        for (const r of chunk.records) {
          if (this.session?.hasWork || this.committer.autoCommitDue(Date.now())) await this.groupDuties();
          if (s.generation !== chunk.generation || !s.active) {
            // Seeked, given up, or paused meanwhile: the rest of this chunk is not to be handed out.
            // A paused partition is rewound to the first record not handed out.
            if (s.generation === chunk.generation && s.paused && !s.detached && s.release === undefined) s.seek(s.consumed, s.consumedLeaderEpoch);
            break;
          }
          s.consumed = r.offset + 1;
          s.consumedLeaderEpoch = r.leaderEpoch;
          yield r;
          if (this.closed) return;
        }
      }
    }
  }

  /**
   * Stops the consumer. A group member revokes its partitions (listener, then a commit of their
   * consumed positions with enable.auto.commit) and leaves the group; an assign() consumer with a
   * group.id and auto-commit commits its consumed positions.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const session = this.session;
    try {
      if (session) await session.leave();
      else if (this.config.enableAutoCommit && this.states.size > 0) await this.committer.commitConsumed(this.states.values()).catch(() => undefined);
      await this.committer.settled();
    } finally {
      this.closed = true;
      session?.stop();
      this.fetcher.close();
      this.wake();
      this.cluster.close();
    }
  }
}

function markConsumed(chunk: Chunk): void {
  const s = chunk.state;
  if (s.generation !== chunk.generation) return;
  const last = chunk.records[chunk.records.length - 1]!;
  s.consumed = last.offset + 1;
  s.consumedLeaderEpoch = last.leaderEpoch;
}
