// The admin client's consumer-group operations, as Kafka's Admin has them and kafka-consumer-groups.sh
// uses them: list (every broker lists the groups it coordinates), describe and delete (each group at
// its coordinator), and the committed offsets (list, alter outside membership, delete).
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import { withRetry } from '../cluster/retry.js';
import { throwIfError, type GroupCoordinators } from '../groups/coordinator.js';
import {
  commitOffsets, deleteCommittedOffsets, fetchCommittedOffsets, fromTopics, NO_MEMBER,
  type CommittedOffset, type OffsetToCommit, type TopicPartitionRef,
} from '../groups/offsets.js';
import type { ListGroupsResponse__Output } from '../wire/generated/strait/v1/ListGroupsResponse.js';
import type { DescribeGroupsResponse__Output } from '../wire/generated/strait/v1/DescribeGroupsResponse.js';
import type { DeleteGroupsResponse__Output } from '../wire/generated/strait/v1/DeleteGroupsResponse.js';
import type { DescribedGroup__Output } from '../wire/generated/strait/v1/DescribedGroup.js';
import { AdminOperationError, type ItemFailure } from './admin-errors.js';

export interface ConsumerGroupListing {
  groupId: string;
  /** Kafka's consumer group states: Empty, Assigning, Reconciling, Stable, Dead. */
  state: string;
  /** "consumer" (KIP-848). */
  type: string;
}

export interface GroupMemberDescription {
  memberId: string;
  /** group.instance.id of a static member. */
  groupInstanceId: string | undefined;
  clientId: string;
  host: string;
  memberEpoch: number;
  subscribedTopics: string[];
  subscribedTopicRegex: string | undefined;
  /** What the member owns now. */
  assignment: TopicPartitionRef[];
  /** Assigned to it but not yet released by their previous owner. */
  pendingAssignment: TopicPartitionRef[];
}

export interface ConsumerGroupDescription {
  groupId: string;
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  /** The assignor the group uses (uniform, range). */
  assignor: string;
  members: GroupMemberDescription[];
  coordinator: { nodeId: number; host: string; port: number } | undefined;
}

export interface GroupAdminContext {
  cluster: Cluster;
  coordinators: GroupCoordinators;
  requestTimeoutMs: number;
  defaultApiTimeoutMs: number;
}

const deadlineOf = (ctx: GroupAdminContext): number => Date.now() + ctx.defaultApiTimeoutMs;

/** Every group, from every broker (each lists those it coordinates); `states` filters by state. */
export async function listGroups(ctx: GroupAdminContext, states: readonly string[] = []): Promise<ConsumerGroupListing[]> {
  const { cluster } = ctx;
  await cluster.retry(() => cluster.requestMetadata({ topics: [], allTopics: false, allowAutoTopicCreation: false }));
  const brokers = cluster.metadata.brokers();
  const found = new Map<string, ConsumerGroupListing>();
  await Promise.all(brokers.map(async (b) => {
    const client = cluster.pool.groups(b.address);
    const res = await withRetry(async () => {
      const answer = await unaryCall<ListGroupsResponse__Output>((o, cb) => client.ListGroups({ statesFilter: [...states] }, o, cb), ctx.requestTimeoutMs, b.address);
      throwIfError(answer.errorCode, '', `listing the groups of broker ${b.nodeId}`);
      return answer;
    }, { ...cluster.config.retry, retries: Number.MAX_SAFE_INTEGER }, { deadline: deadlineOf(ctx) });
    for (const g of res.groups) found.set(g.groupId, { groupId: g.groupId, state: g.state, type: g.groupType || 'consumer' });
  }));
  return [...found.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

function describedGroup(g: DescribedGroup__Output, ctx: GroupAdminContext): ConsumerGroupDescription {
  const node = ctx.cluster.metadata.broker(g.coordinatorId);
  return {
    groupId: g.groupId,
    state: g.state,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId || undefined,
      clientId: m.clientId,
      host: m.clientHost,
      memberEpoch: m.memberEpoch,
      subscribedTopics: [...m.subscribedTopics],
      subscribedTopicRegex: m.subscribedTopicRegex || undefined,
      assignment: fromTopics(m.assignment),
      pendingAssignment: fromTopics(m.pending),
    })),
    coordinator: node ? { nodeId: node.nodeId, host: node.host, port: node.port } : undefined,
  };
}

/** Runs one operation per group (each at its coordinator), gathering the failures into one error. */
async function perGroup<R>(operation: string, groupIds: readonly string[], run: (group: string) => Promise<R>): Promise<R[]> {
  const failures: ItemFailure[] = [];
  const results = await Promise.all(groupIds.map(async (g) => {
    try {
      return await run(g);
    } catch (err) {
      failures.push({ item: g, error: err instanceof StraitError ? err : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, String(err)) });
      return undefined;
    }
  }));
  if (failures.length > 0) throw new AdminOperationError(operation, failures);
  return results as R[];
}

/** Each group as its coordinator describes it; a group that does not exist fails with GROUP_ID_NOT_FOUND. */
export async function describeGroups(ctx: GroupAdminContext, groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
  if (ctx.cluster.metadata.brokers().length === 0) await ctx.cluster.refreshMetadata().catch(() => undefined);
  return perGroup('describeGroups', groupIds, (group) => ctx.coordinators.call(group, deadlineOf(ctx), async (client, node) => {
    const res = await unaryCall<DescribeGroupsResponse__Output>((o, cb) => client.DescribeGroups({ groupIds: [group] }, o, cb), ctx.requestTimeoutMs, node.address);
    const g = res.groups.find((x) => x.groupId === group);
    if (!g) throw new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no description of group '${group}' in the answer`);
    throwIfError(g.errorCode, g.errorMessage, `group '${group}'`);
    if (!ctx.cluster.metadata.broker(g.coordinatorId)) await ctx.cluster.refreshMetadata().catch(() => undefined);
    return describedGroup(g, ctx);
  }));
}

/** Deletes groups with no members (NON_EMPTY_GROUP otherwise) and their committed offsets. */
export async function deleteGroups(ctx: GroupAdminContext, groupIds: readonly string[]): Promise<void> {
  await perGroup('deleteGroups', groupIds, (group) => ctx.coordinators.call(group, deadlineOf(ctx), async (client, node) => {
    const res = await unaryCall<DeleteGroupsResponse__Output>((o, cb) => client.DeleteGroups({ groupIds: [group] }, o, cb), ctx.requestTimeoutMs, node.address);
    const g = res.groups.find((x) => x.groupId === group);
    if (!g) throw new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for group '${group}'`);
    const err = errorFromCode(g.errorCode, g.errorMessage || undefined);
    if (err) throw err;
  }));
}

export function listGroupOffsets(ctx: GroupAdminContext, group: string, partitions?: readonly TopicPartitionRef[]): Promise<CommittedOffset[]> {
  return fetchCommittedOffsets(ctx.coordinators, group, partitions, NO_MEMBER, deadlineOf(ctx), ctx.requestTimeoutMs);
}

/** Commits offsets outside membership: the coordinator takes them only while the group has no members. */
export function alterGroupOffsets(ctx: GroupAdminContext, group: string, offsets: readonly OffsetToCommit[]): Promise<void> {
  return commitOffsets(ctx.coordinators, group, () => NO_MEMBER, offsets, deadlineOf(ctx), ctx.requestTimeoutMs);
}

/** Deletes committed offsets; a failed partition (GROUP_SUBSCRIBED_TO_TOPIC, ...) is listed in one error. */
export async function deleteGroupOffsets(ctx: GroupAdminContext, group: string, partitions: readonly TopicPartitionRef[]): Promise<void> {
  const results = await deleteCommittedOffsets(ctx.coordinators, group, partitions, deadlineOf(ctx), ctx.requestTimeoutMs);
  const failures = results.filter((r) => r.error).map((r) => ({ item: `${r.topic}-${r.partition}`, error: r.error! }));
  if (failures.length > 0) throw new AdminOperationError('deleteConsumerGroupOffsets', failures);
}
