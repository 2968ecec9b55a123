// Committed offsets on the group's coordinator: OffsetCommit, OffsetFetch and OffsetDelete, shared by
// the consumer and the admin client. A member commits with its member id and epoch; a commit outside
// membership (assign() consumers, --reset-offsets) sends no member id and epoch -1, which the
// coordinator accepts only while the group has no members (Kafka's "simple" commits).
import { ErrorCode, StraitError, errorFromCode, errorName } from '../errors.js';
import { unaryCall } from '../cluster/connection-pool.js';
import { backoffDelay } from '../cluster/retry.js';
import type { OffsetCommitResponse__Output } from '../wire/generated/strait/v1/OffsetCommitResponse.js';
import type { OffsetFetchResponse__Output } from '../wire/generated/strait/v1/OffsetFetchResponse.js';
import type { OffsetDeleteResponse__Output } from '../wire/generated/strait/v1/OffsetDeleteResponse.js';
import type { OffsetCommitTopicResponse__Output } from '../wire/generated/strait/v1/OffsetCommitTopicResponse.js';
import { throwIfError, type GroupCoordinators } from './coordinator.js';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface OffsetToCommit extends TopicPartitionRef {
  /** The next offset to consume (one past the last record processed), as in Kafka. */
  offset: number;
  /** The leader epoch of the last record consumed; -1 (default) when unknown. */
  leaderEpoch?: number;
  metadata?: string;
}

export interface CommittedOffset extends TopicPartitionRef {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/** Who commits: a member (its id and current epoch), or nobody (NO_MEMBER). */
export interface MemberIdentity {
  memberId: string;
  memberEpoch: number;
}

export const NO_MEMBER: MemberIdentity = { memberId: '', memberEpoch: -1 };

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Groups partitions by topic, in first-seen order, as the wire's repeated TopicPartitions. */
export function byTopic(tps: readonly TopicPartitionRef[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of tps) {
    let list = topics.get(topic);
    if (!list) topics.set(topic, (list = []));
    list.push(partition);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The partitions of a wire list, flattened. */
export function fromTopics(topics: readonly { topic: string; partitions: readonly number[] }[]): TopicPartitionRef[] {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

/** Per-partition errors of an answer, as one error naming each partition (undefined when none). */
export function partitionErrors(operation: string, topics: readonly OffsetCommitTopicResponse__Output[]): StraitError | undefined {
  const failed = topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => ({ topic: t.name, ...p })));
  if (failed.length === 0) return undefined;
  const first = failed[0]!;
  const list = failed.map((f) => `${f.topic}-${f.partition}: ${errorName(f.errorCode)}${f.errorMessage ? ` (${f.errorMessage})` : ''}`).join('; ');
  return new StraitError(first.errorCode, `${operation} failed for ${failed.length} partition(s): ${list}`);
}

function checkOffsets(offsets: readonly OffsetToCommit[]): void {
  const seen = new Set<string>();
  for (const o of offsets) {
    if (typeof o.topic !== 'string' || o.topic.length === 0 || !Number.isInteger(o.partition) || o.partition < 0) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `not a topic partition: ${JSON.stringify({ topic: o.topic, partition: o.partition })}`);
    }
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw new StraitError(ErrorCode.INVALID_REQUEST, `offset ${o.offset} for ${o.topic}-${o.partition} is not a non-negative integer`);
    const k = key(o.topic, o.partition);
    if (seen.has(k)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${o.topic}-${o.partition} is given twice`);
    seen.add(k);
  }
}

/**
 * Commits the offsets for the group. `member` is read before each attempt, so a retry after
 * STALE_MEMBER_EPOCH carries the epoch the member has learned since (KIP-848: a member's epoch moves
 * on with each new assignment). Retries coordinator errors until the deadline; throws the first
 * error no retry can fix.
 */
export async function commitOffsets(
  coordinators: GroupCoordinators,
  group: string,
  member: () => MemberIdentity,
  offsets: readonly OffsetToCommit[],
  deadline: number,
  requestTimeoutMs: number,
): Promise<void> {
  checkOffsets(offsets);
  if (offsets.length === 0) return;
  const topics = new Map<string, { partition: number; offset: number; leaderEpoch: number; metadata: string }[]>();
  for (const o of offsets) {
    let list = topics.get(o.topic);
    if (!list) topics.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch ?? -1, metadata: o.metadata ?? '' });
  }
  const send = (): Promise<void> => coordinators.call(group, deadline, async (client, node) => {
    const { memberId, memberEpoch } = member();
    const request = { groupId: group, memberId, memberEpoch, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
    const res = await unaryCall<OffsetCommitResponse__Output>((o, cb) => client.OffsetCommit(request, o, cb), requestTimeoutMs, node.address);
    throwIfError(res.errorCode, res.errorMessage, `commit of group '${group}'`);
    const err = partitionErrors(`commit of group '${group}'`, res.topics);
    if (err) throw err;
  });
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      // The member's epoch moved on while the commit was on its way (a new assignment): send it again
      // once the member has heard its new epoch, as Kafka's consumer does.
      if (!(err instanceof StraitError) || err.code !== ErrorCode.STALE_MEMBER_EPOCH) throw err;
      const delay = backoffDelay(attempt, coordinators.retryPolicy);
      if (Date.now() + delay >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * The group's committed offsets for the given partitions (offset -1 where none), or for every
 * partition it has committed when `partitions` is undefined.
 */
export async function fetchCommittedOffsets(
  coordinators: GroupCoordinators,
  group: string,
  partitions: readonly TopicPartitionRef[] | undefined,
  member: MemberIdentity,
  deadline: number,
  requestTimeoutMs: number,
): Promise<CommittedOffset[]> {
  if (partitions !== undefined && partitions.length === 0) return [];
  const res = await coordinators.call(group, deadline, async (client, node) => {
    const request = { groupId: group, topics: partitions ? byTopic(partitions) : [], memberId: member.memberId, memberEpoch: member.memberEpoch };
    const answer = await unaryCall<OffsetFetchResponse__Output>((o, cb) => client.OffsetFetch(request, o, cb), requestTimeoutMs, node.address);
    throwIfError(answer.errorCode, answer.errorMessage, `committed offsets of group '${group}'`);
    // A per-partition coordinator error (a commit being written, a load) is worth another try.
    for (const t of answer.topics) {
      for (const p of t.partitions) {
        const err = errorFromCode(p.errorCode, `committed offset of ${t.name}-${p.partition} in group '${group}': ${errorFromCode(p.errorCode)?.message ?? ''}`);
        if (err) throw err;
      }
    }
    return answer;
  });
  const found = new Map<string, CommittedOffset>();
  for (const t of res.topics) {
    for (const p of t.partitions) {
      found.set(key(t.name, p.partition), { topic: t.name, partition: p.partition, offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata });
    }
  }
  if (!partitions) return [...found.values()].filter((c) => c.offset >= 0);
  return partitions.map((tp) => found.get(key(tp.topic, tp.partition)) ?? { topic: tp.topic, partition: tp.partition, offset: -1, leaderEpoch: -1, metadata: '' });
}

/** Deletes the group's committed offsets of the given partitions; per-partition results. */
export async function deleteCommittedOffsets(
  coordinators: GroupCoordinators,
  group: string,
  partitions: readonly TopicPartitionRef[],
  deadline: number,
  requestTimeoutMs: number,
): Promise<{ topic: string; partition: number; error: StraitError | undefined }[]> {
  const res = await coordinators.call(group, deadline, async (client, node) => {
    const request = { groupId: group, topics: byTopic(partitions) };
    const answer = await unaryCall<OffsetDeleteResponse__Output>((o, cb) => client.OffsetDelete(request, o, cb), requestTimeoutMs, node.address);
    throwIfError(answer.errorCode, answer.errorMessage, `offset deletion of group '${group}'`);
    return answer;
  });
  const results = new Map<string, StraitError | undefined>();
  for (const t of res.topics) {
    for (const p of t.partitions) results.set(key(t.name, p.partition), errorFromCode(p.errorCode, p.errorMessage || undefined));
  }
  return partitions.map((tp) => ({
    ...tp,
    error: results.has(key(tp.topic, tp.partition)) ? results.get(key(tp.topic, tp.partition)) : new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${tp.topic}-${tp.partition}`),
  }));
}
