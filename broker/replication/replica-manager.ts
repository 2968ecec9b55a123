// This node's replicas, kept in step with the metadata image (Kafka's ReplicaManager applying a
// metadata delta). For every partition this node is a replica of, the image decides its role:
// - leader at epoch E: becomeLeader (partition-leader.ts): stop fetching it, the high watermark
//   stops following the log end, E starts at the log end, followers start from nothing known;
//   waiting produces of an older epoch answer NOT_LEADER_OR_FOLLOWER;
// - follower of L at epoch E: becomeFollower: the partition moves to L's fetcher, which fetches from
//   this log's end with its last epoch and lets L say where it diverges (never a truncation by high
//   watermark);
// - no leader: nothing fetches it, nothing leads it.
// The replica manager waits until this broker has caught up with the metadata (the controller says so
// in a heartbeat answer) before it applies any image: an image replayed from this node's own disk
// can be older than the cluster (a leadership since moved), as Kafka's broker waits for its initial
// catch-up before it publishes metadata. A partition whose log is not there yet (still being
// created) takes its role once it is (logReady).
//
// It also sends the leaders' ISR changes to the controller (AlterPartition through the
// ControllerChannel, one in flight per partition), checks every replica.lag.time.max.ms / 2 for
// followers to drop, and serves the leader's side of ReplicaFetch.
import type { Logger } from 'pino';
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { AlterPartitionResponse, ControllerChannel } from '../controller/index.js';
import type { PartitionLog } from '../log/index.js';
import { MetadataImage, type PartitionImage, type TopicImage } from '../metadata/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import { handleReplicaFetch } from './leader-fetch.js';
import type { IsrProposal } from './leader-state.js';
import { PartitionLeader, type PartitionLeaderDeps } from './partition-leader.js';
import { Purgatory } from './purgatory.js';
import type { EncodedReplicaFetchResponse } from './replica-fetch-frame.js';
import { ReplicaFetcher, type FetcherSettings } from './replica-fetcher.js';
import { ReplicationThrottles, type ThrottleObserver } from './replication-throttles.js';

/** Where the replica manager finds this node's partition logs (the topic manager's usable logs). */
export interface ReplicaLogs {
  /** The partition's log when this node has it and it belongs to the image's topic of that name. */
  log(topic: string, partition: number): PartitionLog | undefined;
  /** Whether the partition's log is offline on this node. */
  isOffline(topic: string, partition: number): boolean;
}

/**
 * Told when a leadership of this node starts (the partition leads at its epoch) and when it ends;
 * the group coordinator loads and unloads its __consumer_offsets partitions on these. Called
 * inside the metadata update, so it must return at once (work goes on a later turn).
 */
export interface LeadershipObserver {
  leaderStarted(leader: PartitionLeader): void;
  leaderEnded(leader: PartitionLeader): void;
}

/** Told of ISR changes this node's leaderships made, and of the bytes its throttled replicas moved
 * (the metrics count them). */
export interface ReplicationObserver extends ThrottleObserver {
  isrShrunk(): void;
  isrExpanded(): void;
}

export interface ReplicaManagerOptions {
  nodeId: number;
  clusterId: string;
  config: Pick<BrokerConfig, 'replicaLagTimeMaxMs' | 'replicaFetchWaitMaxMs' | 'replicaFetchMinBytes' | 'replicaFetchMaxBytes'
    | 'replicaFetchResponseMaxBytes' | 'replicaFetchBackoffMs' | 'replicaSocketTimeoutMs' | 'quorumRequestTimeoutMs'>;
  state: MetadataState;
  channel: ControllerChannel;
  logs: ReplicaLogs;
  /** This broker's current registration epoch (-1 before it registered). */
  brokerEpoch: () => number;
  /** A partition's high watermark moved on this leader, or its leadership ended: consumer fetches
   * waiting on it may complete. */
  wakeConsumers: (topic: string, partition: number) => void;
  observer?: ReplicationObserver;
  leadership?: LeadershipObserver;
  logger: Logger;
  now?: () => number;
}

/** One replica of this node, as last applied. */
interface Replica {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  image: PartitionImage;
  leader: PartitionLeader | undefined;
  /** The leader this replica fetches from, and at which epoch. */
  following: { leaderId: number; leaderEpoch: number } | undefined;
  /** False while the image's role could not be taken (no log yet, no address for the leader). */
  settled: boolean;
}

/** Refusals after which the controller's view is ahead of this node's: wait for the image. */
const STALE_ANSWERS: ReadonlySet<number> = new Set<number>([
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.STALE_BROKER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class ReplicaManager {
  /** acks=all produces waiting for their high watermark. */
  readonly producePurgatory = new Purgatory();
  /** Follower fetches waiting for records. */
  readonly replicaFetchPurgatory = new Purgatory();
  private readonly replicas = new Map<string, Replica>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private applied = MetadataImage.EMPTY;
  private started = false;
  private stopped = false;
  private shrinkTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly leaderDeps: PartitionLeaderDeps;
  private readonly fetcherSettings: FetcherSettings;
  /** The replication throttles (leader.replication.throttled.rate and its follower twin). */
  readonly throttles: ReplicationThrottles;

  constructor(private readonly options: ReplicaManagerOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.throttles = new ReplicationThrottles(options.nodeId, this.now, options.observer);
    const { config } = options;
    this.leaderDeps = {
      nodeId: options.nodeId,
      lagTimeMaxMs: config.replicaLagTimeMaxMs,
      now: this.now,
      producePurgatory: this.producePurgatory,
      replicaFetchPurgatory: this.replicaFetchPurgatory,
      wakeConsumers: options.wakeConsumers,
      isrEligible: (topic, partition, id) => this.isrEligible(topic, partition, id),
      propose: (leader, proposal) => this.propose(leader, proposal),
    };
    this.fetcherSettings = {
      waitMaxMs: config.replicaFetchWaitMaxMs,
      minBytes: config.replicaFetchMinBytes,
      maxBytes: config.replicaFetchMaxBytes,
      responseMaxBytes: config.replicaFetchResponseMaxBytes,
      backoffMs: config.replicaFetchBackoffMs,
      socketTimeoutMs: config.replicaSocketTimeoutMs,
    };
  }

  /** This broker has caught up with the metadata: from now on every image is applied. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.apply(this.options.state.image);
    const every = Math.max(1, Math.floor(this.options.config.replicaLagTimeMaxMs / 2));
    this.shrinkTimer = setInterval(() => this.checkIsrShrinks(), every);
    this.shrinkTimer.unref();
  }

  /** Brings every replica's role in step with the image (see the file's head). */
  apply(image: MetadataImage): void {
    this.applyThrottleRates(image);
    if (!this.started || this.stopped) return;
    const previous = this.applied;
    this.applied = image;
    const seen = new Set<string>();
    for (const topic of image.topics()) {
      const unchanged = previous.topicById(topic.topicId) === topic;
      for (const p of topic.partitions) {
        if (!p.replicas.includes(this.options.nodeId)) continue;
        const key = keyOf(topic.name, p.partition);
        seen.add(key);
        const replica = this.replicas.get(key);
        if (unchanged && replica?.image === p && replica.settled) continue;
        this.reconcile(topic, p);
      }
    }
    for (const [key, replica] of [...this.replicas]) if (!seen.has(key)) this.forget(replica);
    this.refreshFetcherAddresses(image);
  }

  private applyThrottleRates(image: MetadataImage): void {
    const before = this.throttles.rates();
    this.throttles.apply(image);
    const after = this.throttles.rates();
    if (after.leader !== before.leader || after.follower !== before.follower) {
      const shown = (rate: number): number | 'none' => (Number.isFinite(rate) ? rate : 'none');
      this.logger.info({ leaderBytesPerSecond: shown(after.leader), followerBytesPerSecond: shown(after.follower) }, 'replication throttle rates changed');
    }
  }

  /** The partition's log can now be used (it was created, or claimed): take its role. */
  logReady(topic: string, partition: number): void {
    if (!this.started || this.stopped) return;
    const t = this.applied.topic(topic);
    const p = t?.partitions[partition];
    if (t && p?.replicas.includes(this.options.nodeId)) this.reconcile(t, p);
  }

  /** This node is no longer a replica of the partition (its log is about to be deleted): stop leading
   * and fetching it now, before the image that says so is applied here. */
  replicaRemoved(topic: string, partition: number): void {
    const replica = this.replicas.get(keyOf(topic, partition));
    if (replica) {
      this.logger.info({ topic, partition }, 'no longer a replica: stopped leading and fetching');
      this.forget(replica);
    }
  }

  /** The partition's log went offline here: it neither leads nor follows until restart. */
  logOffline(topic: string, partition: number): void {
    const replica = this.replicas.get(keyOf(topic, partition));
    if (replica) this.forget(replica);
  }

  /**
   * This node's leadership of the partition, for produce and consumer fetch: NOT_LEADER_OR_FOLLOWER
   * when it does not (yet) act as leader at the image's epoch (not caught up with the metadata, or
   * its log not there yet).
   */
  leaderOf(topic: string, partition: number, leaderEpoch: number): PartitionLeader {
    const leader = this.replicas.get(keyOf(topic, partition))?.leader;
    if (!leader?.isActive || leader.leaderEpoch !== leaderEpoch) {
      throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `Node ${this.options.nodeId} is not yet serving as leader of ${topic}-${partition} at epoch ${leaderEpoch}`);
    }
    return leader;
  }

  /** The leader's side of ReplicaFetch (leader-fetch.ts). */
  replicaFetch(req: wire.ReplicaFetchRequest__Output, signal?: AbortSignal): Promise<EncodedReplicaFetchResponse> {
    return handleReplicaFetch({
      clusterId: this.options.clusterId,
      image: () => this.options.state.image,
      leaderOf: (topic, partition) => this.activeLeader(topic, partition),
      offline: (topic, partition) => this.options.logs.isOffline(topic, partition),
      purgatory: this.replicaFetchPurgatory,
      throttle: this.throttles.leader,
    }, req, signal);
  }

  /** This node's leadership of the partition when it acts as leader now (any epoch). */
  activeLeader(topic: string, partition: number): PartitionLeader | undefined {
    const leader = this.replicas.get(keyOf(topic, partition))?.leader;
    return leader?.isActive ? leader : undefined;
  }

  /** The partitions this node leads, for metrics. */
  leaders(): PartitionLeader[] {
    const out: PartitionLeader[] = [];
    for (const r of this.replicas.values()) if (r.leader?.isActive) out.push(r.leader);
    return out;
  }

  /** Records behind the leader at the last fetch of each partition this node follows, for metrics. */
  followerLags(): { topic: string; partition: number; records: number }[] {
    const out: { topic: string; partition: number; records: number }[] = [];
    for (const r of this.replicas.values()) {
      if (!r.following) continue;
      const records = this.fetchers.get(r.following.leaderId)?.lagRecords(r.topic, r.partition) ?? -1;
      if (records >= 0) out.push({ topic: r.topic, partition: r.partition, records });
    }
    return out;
  }

  /** How far this replica is behind its leader, in records: 0 on the leader, the follower's lag at its
   * last fetch, -1 before one or while nobody leads it (DescribeLogDirs' offset lag). */
  replicaLag(topic: string, partition: number): number {
    const r = this.replicas.get(keyOf(topic, partition));
    if (!r) return -1;
    if (r.leader?.isActive) return 0;
    if (!r.following) return -1;
    return this.fetchers.get(r.following.leaderId)?.lagRecords(topic, partition) ?? -1;
  }

  /** Answers waiting follower fetches now (shutdown). */
  releaseWaitingFetches(): void {
    this.replicaFetchPurgatory.expireAll();
  }

  /** Stops fetching and leading: waiting produces answer, fetchers close. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.shrinkTimer) clearInterval(this.shrinkTimer);
    for (const r of this.replicas.values()) this.resign(r);
    for (const f of this.fetchers.values()) f.close();
    this.fetchers.clear();
    this.replicas.clear();
    this.producePurgatory.expireAll();
    this.replicaFetchPurgatory.expireAll();
  }

  private reconcile(topic: TopicImage, p: PartitionImage): void {
    const key = keyOf(topic.name, p.partition);
    let replica = this.replicas.get(key);
    // The name now belongs to another topic (deleted and created again): the old one's role ends.
    if (replica && replica.topicId !== topic.topicId) {
      this.forget(replica);
      replica = undefined;
    }
    if (!replica) {
      replica = { topic: topic.name, topicId: topic.topicId, partition: p.partition, image: p, leader: undefined, following: undefined, settled: false };
      this.replicas.set(key, replica);
    }
    replica.image = p;
    replica.settled = this.takeRole(replica, topic, p);
  }

  /** Becomes leader, follower or neither as the image says; false when that must wait. */
  private takeRole(replica: Replica, topic: TopicImage, p: PartitionImage): boolean {
    const log = this.options.logs.log(topic.name, p.partition);
    if (p.leader === this.options.nodeId) {
      if (replica.leader?.isActive && replica.leader.leaderEpoch === p.leaderEpoch) {
        replica.leader.applyCommitted(p);
        return true;
      }
      this.unfollow(replica);
      this.resign(replica);
      if (!log) return false;
      replica.leader = new PartitionLeader(topic.name, topic.topicId, p.partition, log, p, this.leaderDeps);
      this.logger.info({ topic: topic.name, partition: p.partition, leaderEpoch: p.leaderEpoch, isr: p.isr, logEndOffset: log.logEndOffset, highWatermark: log.highWatermark },
        'became leader');
      this.options.leadership?.leaderStarted(replica.leader);
      return true;
    }
    this.resign(replica);
    if (p.leader < 0) {
      this.unfollow(replica);
      return true;
    }
    if (replica.following?.leaderId === p.leader && replica.following.leaderEpoch === p.leaderEpoch) return true;
    this.unfollow(replica);
    if (!log) return false;
    log.highWatermarkFollowsLogEnd = false;
    const fetcher = this.fetcherFor(p.leader);
    if (!fetcher) return false;
    fetcher.add({ topic: topic.name, topicId: topic.topicId, partition: p.partition, leaderEpoch: p.leaderEpoch, log });
    replica.following = { leaderId: p.leader, leaderEpoch: p.leaderEpoch };
    this.logger.info({ topic: topic.name, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, logEndOffset: log.logEndOffset,
      lastEpoch: log.latestEpoch() ?? -1 }, 'became follower');
    return true;
  }

  private resign(replica: Replica): void {
    const leader = replica.leader;
    if (!leader) return;
    leader.resign();
    replica.leader = undefined;
    this.options.leadership?.leaderEnded(leader);
  }

  private unfollow(replica: Replica): void {
    if (!replica.following) return;
    const fetcher = this.fetchers.get(replica.following.leaderId);
    replica.following = undefined;
    if (!fetcher) return;
    fetcher.remove(replica.topic, replica.partition);
    if (fetcher.size === 0) {
      fetcher.close();
      this.fetchers.delete(fetcher.leaderId);
    }
  }

  private forget(replica: Replica): void {
    this.resign(replica);
    this.unfollow(replica);
    this.replicas.delete(keyOf(replica.topic, replica.partition));
  }

  /** The leader's address from the image; undefined (and nothing fetched) while it has none. */
  private addressOf(image: MetadataImage, leaderId: number): string | undefined {
    const broker = image.broker(leaderId);
    if (!broker) return undefined;
    return `${broker.host.includes(':') ? `[${broker.host}]` : broker.host}:${broker.port}`;
  }

  private fetcherFor(leaderId: number): ReplicaFetcher | undefined {
    const existing = this.fetchers.get(leaderId);
    if (existing) return existing;
    const address = this.addressOf(this.applied, leaderId);
    if (address === undefined) return undefined;
    const fetcher = new ReplicaFetcher({
      leaderId, address, nodeId: this.options.nodeId, clusterId: this.options.clusterId, brokerEpoch: this.options.brokerEpoch,
      settings: this.fetcherSettings, logger: this.logger, throttle: this.throttles.follower,
    });
    this.fetchers.set(leaderId, fetcher);
    return fetcher;
  }

  /** A leader that registered again at another address: its followers move to a fetcher there. */
  private refreshFetcherAddresses(image: MetadataImage): void {
    for (const fetcher of [...this.fetchers.values()]) {
      const address = this.addressOf(image, fetcher.leaderId);
      if (address === undefined || address === fetcher.address) continue;
      const moving = [...this.replicas.values()].filter((r) => r.following?.leaderId === fetcher.leaderId);
      fetcher.close();
      this.fetchers.delete(fetcher.leaderId);
      for (const r of moving) {
        r.following = undefined;
        const t = image.topicById(r.topicId);
        if (t) this.reconcile(t, r.image);
      }
    }
  }

  /** A replica may join an ISR: its broker registered, unfenced and not shutting down (Kafka's
   * isReplicaIsrEligible), its log not offline there (the controller refuses such a member too). */
  private isrEligible(topic: string, partition: number, replicaId: number): boolean {
    const broker = this.applied.broker(replicaId);
    const p = this.replicas.get(keyOf(topic, partition))?.image;
    return broker !== undefined && !broker.fenced && !broker.inControlledShutdown && p !== undefined && !p.offlineReplicas.includes(replicaId);
  }

  private checkIsrShrinks(): void {
    for (const r of this.replicas.values()) {
      if (!r.leader?.isActive) continue;
      try {
        r.leader.checkIsrShrink();
      } catch (err) {
        if (!(err instanceof StraitError)) throw err;
        this.logger.error({ topic: r.topic, partition: r.partition, err: err.message }, 'ISR check failed');
      }
    }
  }

  /** Sends an ISR change to the controller; its answer (or the image) settles the proposal. */
  private propose(leader: PartitionLeader, proposal: IsrProposal): void {
    leader.state.propose(proposal);
    const where = { topic: leader.topic, partition: leader.partition, isr: proposal.isr, committedIsr: leader.state.committedIsr, partitionEpoch: proposal.partitionEpoch };
    this.logger.info(where, proposal.kind === 'shrink' ? 'proposing an ISR shrink' : 'proposing an ISR expansion');
    this.options.channel.run('alterPartition', {
      brokerId: this.options.nodeId, brokerEpoch: this.options.brokerEpoch(), topicId: leader.topicId, partition: leader.partition,
      leaderEpoch: leader.leaderEpoch, partitionEpoch: proposal.partitionEpoch, newIsr: [...proposal.isr],
    }, this.options.config.quorumRequestTimeoutMs).then(({ response }) => {
      const answer = response as AlterPartitionResponse;
      if (answer.partitionEpoch > proposal.partitionEpoch) {
        if (proposal.kind === 'shrink') this.options.observer?.isrShrunk();
        else this.options.observer?.isrExpanded();
        this.logger.info({ ...where, partitionEpoch: answer.partitionEpoch }, 'ISR change committed');
      }
      // The channel answers once this node applied the change, which settled the proposal; one that
      // changed nothing (the ISR already was that) is settled here.
      if (leader.state.pendingProposal === proposal) leader.state.withdraw();
    }, (err: unknown) => {
      if (leader.state.pendingProposal !== proposal) return;
      const code = err instanceof StraitError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
      if (STALE_ANSWERS.has(code)) {
        leader.state.refused();
        this.logger.info({ ...where, err: (err as Error).message }, 'ISR change refused; waiting for the metadata to catch up');
      } else {
        leader.state.withdraw(this.now() + this.options.config.replicaFetchBackoffMs);
        this.logger.warn({ ...where, err: (err as Error).message }, 'ISR change not made; proposing again after the backoff');
      }
    });
  }
}
