// The Groups requests as they come off the wire, checked where they enter (DESIGN §12): a field of
// the wrong type is INVALID_REQUEST, an empty group id INVALID_GROUP_ID (Kafka's), and nothing has
// changed when either is thrown. What comes out is typed for the coordinator.
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import { fromWire, type Assignment } from './assignment.js';
import type { JoinRequest } from './consumer-group.js';

const invalid = (message: string): never => {
  throw new StraitError(ErrorCode.INVALID_REQUEST, message);
};

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function str(value: unknown, field: string): string {
  return typeof value === 'string' ? value : invalid(`${field} must be a string`);
}

function int(value: unknown, field: string): number {
  return isInt(value) && value >= -(2 ** 31) && value < 2 ** 31 ? value : invalid(`${field} must be an int32`);
}

function list<T>(value: unknown, field: string): T[] {
  return Array.isArray(value) ? (value as T[]) : invalid(`${field} must be a list`);
}

function owned(value: unknown, field: string): Assignment {
  return fromWire(value) ?? invalid(`${field} must list topics with partition numbers`);
}

/** A group id: a non-empty string (INVALID_GROUP_ID otherwise, as Kafka answers). */
export function groupIdOf(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new StraitError(ErrorCode.INVALID_GROUP_ID, 'The group id must be a non-empty string');
  return value;
}

export function parseJoin(join: wire.GroupJoin__Output): { groupId: string; request: JoinRequest } {
  const groupId = groupIdOf(join.groupId);
  const topics = list<unknown>(join.subscribedTopics, 'subscribed_topics').map((t) => str(t, 'subscribed_topics[]'));
  return {
    groupId,
    request: {
      memberId: str(join.memberId, 'member_id'),
      instanceId: str(join.instanceId, 'instance_id'),
      clientId: str(join.clientId, 'client_id'),
      clientHost: str(join.clientHost, 'client_host'),
      rackId: str(join.rackId, 'rack_id'),
      subscribedTopicNames: topics,
      subscribedTopicRegex: str(join.subscribedTopicRegex, 'subscribed_topic_regex'),
      assignor: str(join.assignor, 'assignor'),
      sessionTimeoutMs: int(join.sessionTimeoutMs, 'session_timeout_ms'),
      rebalanceTimeoutMs: int(join.rebalanceTimeoutMs, 'rebalance_timeout_ms'),
      memberEpoch: int(join.memberEpoch, 'member_epoch'),
      owned: owned(join.owned, 'owned'),
    },
  };
}

export function parseHeartbeat(hb: wire.GroupHeartbeat__Output): { memberEpoch: number; owned: Assignment } {
  return { memberEpoch: int(hb.memberEpoch, 'member_epoch'), owned: owned(hb.owned, 'owned') };
}

export function parseLeave(leave: wire.GroupLeave__Output): number {
  return int(leave.memberEpoch, 'member_epoch');
}

export interface OffsetToCommit {
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
}

export interface OffsetCommitInput {
  readonly groupId: string;
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly OffsetToCommit[] }[];
}

export function parseOffsetCommit(req: wire.OffsetCommitRequest__Output): OffsetCommitInput {
  return {
    groupId: groupIdOf(req.groupId),
    memberId: str(req.memberId, 'member_id'),
    memberEpoch: int(req.memberEpoch, 'member_epoch'),
    topics: list<wire.OffsetCommitTopic__Output>(req.topics, 'topics').map((t) => ({
      name: str(t?.name, 'topics[].name'),
      partitions: list<wire.OffsetCommitPartition__Output>(t?.partitions, 'topics[].partitions').map((p) => ({
        partition: int(p?.partition, 'partition'),
        offset: typeof p?.offset === 'number' ? p.offset : invalid('offset must be a number'),
        leaderEpoch: int(p?.leaderEpoch, 'leader_epoch'),
        metadata: str(p?.metadata, 'metadata'),
      })),
    })),
  };
}

/** Topic partitions named by a request (OffsetFetch, OffsetDelete). */
export function parseTopicPartitions(value: unknown, field: string): { topic: string; partitions: number[] }[] {
  return list<wire.TopicPartitions__Output>(value, field).map((t) => ({
    topic: str(t?.topic, `${field}[].topic`),
    partitions: list<unknown>(t?.partitions, `${field}[].partitions`).map((p) => int(p, `${field}[].partitions[]`)),
  }));
}

export interface OffsetFetchInput {
  readonly groupId: string;
  /** Empty: every committed partition of the group. */
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
  readonly memberId: string;
  readonly memberEpoch: number;
}

export function parseOffsetFetch(req: wire.OffsetFetchRequest__Output): OffsetFetchInput {
  return {
    groupId: groupIdOf(req.groupId),
    topics: parseTopicPartitions(req.topics, 'topics'),
    memberId: str(req.memberId, 'member_id'),
    memberEpoch: int(req.memberEpoch, 'member_epoch'),
  };
}

export function groupIdsOf(value: unknown): string[] {
  return list<unknown>(value, 'group_ids').map((g) => str(g, 'group_ids[]'));
}

export function statesFilterOf(value: unknown): string[] {
  return list<unknown>(value, 'states_filter').map((s) => str(s, 'states_filter[]'));
}
