// The group coordinator of this node (DESIGN §8): FindCoordinator for anyone (creating
// __consumer_offsets on first need), and, for every __consumer_offsets partition this node leads, a
// CoordinatorPartition that loads it and serves its groups. The replica manager tells it when a
// leadership starts and ends (LeadershipObserver); the metadata image when topics change.
// Requests come typed from the wire and leave as wire answers; a request for a group another node
// coordinates is NOT_COORDINATOR, one whose partition is still loading COORDINATOR_LOAD_IN_PROGRESS.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import type { GroupCoordinatorConfig } from '../config/broker-config.js';
import type { ControllerChannel, CreateTopicResult } from '../controller/index.js';
import type { MetadataImage } from '../metadata/index.js';
import type { MetadataState } from '../quorum/metadata-state.js';
import type { LeadershipObserver, PartitionLeader } from '../replication/index.js';
import type { GroupRules } from './consumer-group.js';
import { CoordinatorPartition, type GroupObserver, type ListedGroup, type PartitionContext } from './coordinator-partition.js';
import { GroupLag } from './group-lag.js';
import type { GroupMembership } from './group-membership.js';
import { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from './group-placement.js';
import {
  groupIdOf, groupIdsOf, parseOffsetCommit, parseOffsetFetch, parseTopicPartitions, statesFilterOf, type OffsetCommitInput,
} from './group-requests.js';
import type { TopicsView } from './group-subscriptions.js';
import { MemberStream, type GroupRouter, type GroupStreamSink } from './member-stream.js';
import { commitOffsets, commitRefused, deleteOffsets, fetchOffsets } from './offset-requests.js';

/** Kafka's max.poll.interval.ms default: the rebalance timeout of a join that names none. */
const DEFAULT_REBALANCE_TIMEOUT_MS = 300_000;

export interface GroupCoordinatorOptions {
  readonly nodeId: number;
  readonly config: GroupCoordinatorConfig;
  readonly metadata: MetadataState;
  readonly channel: ControllerChannel;
  /** How long creating __consumer_offsets may take. */
  readonly requestTimeoutMs: number;
  /** The high watermark of a partition this node leads now (lag of local partitions). */
  readonly localHighWatermark: (topic: string, partition: number) => number | undefined;
  readonly logger: Logger;
  readonly observer?: GroupObserver;
  readonly now?: () => number;
}

export interface GroupLagEntry {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

function topicsViewOf(image: MetadataImage): TopicsView {
  let names: string[] | undefined;
  return {
    topic: (name) => {
      const t = image.topic(name);
      return t && { topicId: t.topicId, partitions: t.partitions.length };
    },
    names: () => (names ??= image.topics().map((t) => t.name)),
  };
}

/** What subscriptions resolve against: topic names, ids and partition counts (not leaders or ISRs). */
function topicShape(image: MetadataImage): string {
  return image.topics().map((t) => `${t.name}\u0000${t.topicId}\u0000${t.partitions.length}`).join('\n');
}

export class GroupCoordinator implements LeadershipObserver, GroupRouter {
  private readonly partitions = new Map<number, CoordinatorPartition>();
  private readonly ctx: PartitionContext;
  private readonly lag: GroupLag;
  private creating: Promise<void> | undefined;
  private view: { image: MetadataImage; topics: TopicsView } | undefined;
  /** The topics' shape at the last image that changed it. */
  private shape = '';
  private stopped = false;

  constructor(private readonly options: GroupCoordinatorOptions) {
    const { config } = options;
    const rules: GroupRules = {
      assignors: config.assignors, maxSize: config.maxSize, sessionTimeoutMs: config.sessionTimeoutMs,
      minSessionTimeoutMs: config.minSessionTimeoutMs, maxSessionTimeoutMs: config.maxSessionTimeoutMs, defaultRebalanceTimeoutMs: DEFAULT_REBALANCE_TIMEOUT_MS,
    };
    this.ctx = {
      nodeId: options.nodeId, config, rules, now: options.now ?? Date.now, topics: () => this.topics(),
      observer: options.observer ?? { rebalanced: () => {}, groupGone: () => {} },
      logger: options.logger, newMemberId: () => randomUUID(),
    };
    this.lag = new GroupLag({
      nodeId: options.nodeId, intervalMs: config.lagRefreshIntervalMs, image: () => options.metadata.image,
      localHighWatermark: options.localHighWatermark, committedPartitions: () => this.committedPartitions(), logger: options.logger,
    });
  }

  get heartbeatIntervalMs(): number {
    return this.options.config.heartbeatIntervalMs;
  }

  start(): void {
    this.lag.start();
  }

  stop(): void {
    this.stopped = true;
    this.lag.stop();
    for (const p of this.partitions.values()) p.close();
    this.partitions.clear();
  }

  leaderStarted(leader: PartitionLeader): void {
    if (leader.topic !== CONSUMER_OFFSETS_TOPIC || this.stopped) return;
    this.partitions.get(leader.partition)?.close();
    const partition = new CoordinatorPartition(leader.partition, leader, this.ctx);
    this.partitions.set(leader.partition, partition);
    this.options.logger.debug({ partition: leader.partition, leaderEpoch: leader.leaderEpoch }, 'group coordinator: loading the groups of a partition this node now leads');
    setImmediate(() => void partition.load());
  }

  leaderEnded(leader: PartitionLeader): void {
    const partition = this.partitions.get(leader.partition);
    if (leader.topic !== CONSUMER_OFFSETS_TOPIC || partition?.leader !== leader) return;
    partition.close();
    this.partitions.delete(leader.partition);
    this.options.logger.debug({ partition: leader.partition }, 'group coordinator: unloaded the groups of a partition this node no longer leads');
  }

  /** The metadata image changed: groups whose subscriptions resolve differently get a new target.
   * Most images change leaders or ISRs only; those are skipped. */
  imageChanged(): void {
    const shape = topicShape(this.options.metadata.image);
    if (shape === this.shape) return;
    this.shape = shape;
    for (const p of this.partitions.values()) p.metadataChanged();
  }

  async findCoordinator(req: wire.FindCoordinatorRequest__Output): Promise<wire.FindCoordinatorResponse> {
    const groupId = groupIdOf(req.groupId);
    await this.ensureOffsetsTopic();
    const image = this.options.metadata.image;
    const topic = image.topic(CONSUMER_OFFSETS_TOPIC);
    const leader = topic?.partitions[partitionForGroup(groupId, topic.partitions.length)]?.leader ?? -1;
    const broker = leader >= 0 ? image.broker(leader) : undefined;
    if (!broker || broker.fenced) {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: `the coordinator of group ${groupId} has no live leader yet`, nodeId: -1, host: '', port: -1 };
    }
    return { errorCode: ErrorCode.NONE, errorMessage: '', nodeId: broker.brokerId, host: broker.host, port: broker.port };
  }

  openStream(sink: GroupStreamSink): MemberStream {
    return new MemberStream(this, sink);
  }

  membershipFor(groupId: string): GroupMembership {
    return this.partitionOf(groupId).membership;
  }

  async offsetCommit(req: wire.OffsetCommitRequest__Output): Promise<wire.OffsetCommitResponse> {
    const input: OffsetCommitInput = parseOffsetCommit(req);
    try {
      return await commitOffsets(this.partitionOf(input.groupId), input);
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      return commitRefused(input, err);
    }
  }

  async offsetFetch(req: wire.OffsetFetchRequest__Output): Promise<wire.OffsetFetchResponse> {
    const input = parseOffsetFetch(req);
    try {
      return await fetchOffsets(this.partitionOf(input.groupId), input);
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      const code = err.code as wire.OffsetFetchResponse['errorCode'];
      return {
        errorCode: code, errorMessage: err.message,
        topics: input.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((partition) => ({ partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: code })) })),
      };
    }
  }

  async offsetDelete(req: wire.OffsetDeleteRequest__Output): Promise<wire.OffsetDeleteResponse> {
    const groupId = groupIdOf(req.groupId);
    const topics = parseTopicPartitions(req.topics, 'topics');
    try {
      return await deleteOffsets(this.partitionOf(groupId), groupId, topics);
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      return commitRefused({ topics: topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((partition) => ({ partition })) })) }, err);
    }
  }

  async describeGroups(req: wire.DescribeGroupsRequest__Output): Promise<wire.DescribeGroupsResponse> {
    const groups = await Promise.all(groupIdsOf(req.groupIds).map(async (groupId): Promise<wire.DescribedGroup> => {
      try {
        const partition = this.partitionOf(groupIdOf(groupId));
        await partition.settled(groupId);
        return partition.describe(groupId);
      } catch (err) {
        if (!(err instanceof StraitError)) throw err;
        return {
          errorCode: err.code as wire.DescribedGroup['errorCode'], errorMessage: err.message, groupId, state: '', groupEpoch: -1, assignmentEpoch: -1,
          assignor: '', members: [], coordinatorId: -1,
        };
      }
    }));
    return { groups };
  }

  async deleteGroups(req: wire.DeleteGroupsRequest__Output): Promise<wire.DeleteGroupsResponse> {
    const groups = await Promise.all(groupIdsOf(req.groupIds).map(async (groupId): Promise<wire.DeletedGroup> => {
      let code: number;
      let message = '';
      try {
        code = await this.partitionOf(groupIdOf(groupId)).deleteGroup(groupId);
      } catch (err) {
        if (!(err instanceof StraitError)) throw err;
        code = err.code;
        message = err.message;
      }
      return { groupId, errorCode: code as wire.DeletedGroup['errorCode'], errorMessage: message };
    }));
    return { groups };
  }

  /** The groups this node coordinates; COORDINATOR_LOAD_IN_PROGRESS (with the loaded ones) while a partition loads. */
  async listGroups(req: wire.ListGroupsRequest__Output): Promise<wire.ListGroupsResponse> {
    const states = statesFilterOf(req.statesFilter);
    const groups: ListedGroup[] = [];
    let loading = false;
    for (const p of this.partitions.values()) {
      if (p.status === 'loading') loading = true;
      if (p.status === 'active') groups.push(...p.list(states));
    }
    groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  /** Lag per group and committed partition, where the partition's log end is known. */
  *lags(): Generator<GroupLagEntry> {
    for (const p of this.partitions.values()) {
      if (p.status !== 'active') continue;
      for (const [group, offsets] of p.state.offsets) {
        for (const o of offsets.values()) {
          const end = this.lag.endOffset(o.topic, o.partition);
          if (end !== undefined) yield { group, topic: o.topic, partition: o.partition, lag: Math.max(0, end - o.offset) };
        }
      }
    }
  }

  /** Members per group coordinated here. */
  *groupSizes(): Generator<{ group: string; members: number }> {
    for (const p of this.partitions.values()) {
      if (p.status !== 'active') continue;
      for (const group of p.state.groupIds()) yield { group, members: p.state.groups.get(group)?.members.size ?? 0 };
    }
  }

  private *committedPartitions(): Generator<{ topic: string; partition: number }> {
    for (const p of this.partitions.values()) {
      if (p.status !== 'active') continue;
      for (const offsets of p.state.offsets.values()) for (const o of offsets.values()) yield o;
    }
  }

  private topics(): TopicsView {
    const image = this.options.metadata.image;
    if (this.view?.image !== image) this.view = { image, topics: topicsViewOf(image) };
    return this.view.topics;
  }

  /** The partition holding the group, when this node serves it now. */
  private partitionOf(groupId: string): CoordinatorPartition {
    const topic = this.options.metadata.image.topic(CONSUMER_OFFSETS_TOPIC);
    const number = topic ? partitionForGroup(groupId, topic.partitions.length) : -1;
    const partition = this.partitions.get(number);
    if (!partition) throw new StraitError(ErrorCode.NOT_COORDINATOR, `node ${this.options.nodeId} is not the coordinator of group ${groupId}`);
    partition.checkActive();
    return partition;
  }

  /**
   * Creates __consumer_offsets (Kafka's settings: compacted, offsets.topic.num.partitions,
   * offsets.topic.replication.factor capped by the live brokers, offsets.topic.segment.bytes).
   * unless it exists. Concurrent callers share one creation; a failure is COORDINATOR_NOT_AVAILABLE (retriable).
   */
  ensureOffsetsTopic(): Promise<void> {
    if (this.options.metadata.image.topic(CONSUMER_OFFSETS_TOPIC)) return Promise.resolve();
    this.creating ??= this.create().finally(() => { this.creating = undefined; });
    return this.creating;
  }

  private async create(): Promise<void> {
    const { config, channel, metadata, logger } = this.options;
    const live = metadata.image.liveBrokers().filter((b) => !b.inControlledShutdown).length;
    if (live === 0) throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `no live broker to hold ${CONSUMER_OFFSETS_TOPIC} yet`);
    const replicationFactor = Math.min(config.offsetsTopicReplicationFactor, live);
    const numPartitions = config.offsetsTopicNumPartitions;
    let result: CreateTopicResult;
    try {
      const { response } = await channel.run('createTopics', {
        topics: [{
          name: CONSUMER_OFFSETS_TOPIC, numPartitions, replicationFactor,
          configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': String(config.offsetsTopicSegmentBytes) },
        }],
        validateOnly: false,
        defaults: { numPartitions, replicationFactor },
      }, this.options.requestTimeoutMs);
      result = (response as CreateTopicResult[])[0]!;
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `could not create ${CONSUMER_OFFSETS_TOPIC}: ${err.message}`, { cause: err });
    }
    if (result.errorCode === ErrorCode.NONE) {
      logger.info({ partitions: numPartitions, replicationFactor }, `created ${CONSUMER_OFFSETS_TOPIC}`);
    } else if (result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new StraitError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `could not create ${CONSUMER_OFFSETS_TOPIC}: ${result.errorMessage}`);
    }
  }
}
