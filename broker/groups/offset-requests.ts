// OffsetCommit, OffsetFetch and OffsetDelete on the partition that holds the group (Kafka's offset
// manager rules). Commits and deletes are appended as records, applied to memory with the append,
// and answered once the in-sync replicas have them (the high watermark passed them; failures as
// Kafka reports them: coordinator-log.ts). A fetch waits until the group's last write is
// committed, so it never returns what a failover could take back.
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import { coordinatorError } from './coordinator-log.js';
import type { CoordinatorPartition } from './coordinator-partition.js';
import { offsetRecord, offsetTombstone, type StoredOffset } from './coordinator-state.js';
import type { OffsetCommitInput, OffsetFetchInput } from './group-requests.js';

type Code = wire.PartitionError['errorCode'];

/** Every partition of the request answered with one error (a refusal of the whole request). */
export function commitRefused(input: { topics: readonly { name: string; partitions: readonly { partition: number }[] }[] }, err: StraitError): wire.OffsetCommitResponse {
  return {
    errorCode: err.code as Code, errorMessage: err.message,
    topics: input.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((x) => ({ partition: x.partition, errorCode: err.code as Code, errorMessage: err.message })) })),
  };
}

export async function commitOffsets(p: CoordinatorPartition, input: OffsetCommitInput): Promise<wire.OffsetCommitResponse> {
  p.checkActive();
  const { groupId } = input;
  const group = p.state.groups.get(groupId);
  try {
    if (group) {
      group.checkOffsetCommit(input.memberId, input.memberEpoch);
    } else if (input.memberEpoch >= 0) {
      // A member's commit to a group without membership: Kafka (OffsetCommit v9+) answers
      // GROUP_ID_NOT_FOUND when the group does not exist, and a group of offsets alone has no members.
      if (p.state.exists(groupId)) throw new StraitError(ErrorCode.UNKNOWN_MEMBER_ID, `member ${JSON.stringify(input.memberId)} is not in group ${groupId}`);
      throw new StraitError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} does not exist`);
    }
  } catch (err) {
    if (!(err instanceof StraitError)) throw err;
    return commitRefused(input, err);
  }
  const topics = p.ctx.topics();
  const now = p.ctx.now();
  const answers = input.topics.map((t) => ({ name: t.name, partitions: [] as wire.PartitionError[] }));
  const accepted: { answer: wire.PartitionError; offset: StoredOffset }[] = [];
  input.topics.forEach((t, i) => {
    const count = topics.topic(t.name)?.partitions ?? 0;
    for (const x of t.partitions) {
      const answer: wire.PartitionError = { partition: x.partition, errorCode: ErrorCode.NONE, errorMessage: '' };
      answers[i]!.partitions.push(answer);
      const refuse = (code: number, message: string): void => { answer.errorCode = code as Code; answer.errorMessage = message; };
      if (x.partition < 0 || x.partition >= count) refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${t.name}-${x.partition} does not exist`);
      else if (!Number.isSafeInteger(x.offset) || x.offset < 0) refuse(ErrorCode.INVALID_REQUEST, `offset ${x.offset} of ${t.name}-${x.partition} is not an offset`);
      else if (x.leaderEpoch < -1) refuse(ErrorCode.INVALID_REQUEST, `leader epoch ${x.leaderEpoch} of ${t.name}-${x.partition} is neither -1 nor an epoch`);
      else if (Buffer.byteLength(x.metadata, 'utf8') > p.ctx.config.offsetMetadataMaxBytes) {
        refuse(ErrorCode.OFFSET_METADATA_TOO_LARGE, `the metadata of ${t.name}-${x.partition} is longer than offset.metadata.max.bytes=${p.ctx.config.offsetMetadataMaxBytes}`);
      } else {
        accepted.push({ answer, offset: { topic: t.name, partition: x.partition, offset: x.offset, leaderEpoch: x.leaderEpoch, metadata: x.metadata, commitTimestampMs: now } });
      }
    }
  });
  if (accepted.length > 0) {
    let code: number;
    try {
      const end = p.write(groupId, accepted.map((a) => offsetRecord(groupId, a.offset)));
      for (const a of accepted) p.state.setOffset(groupId, a.offset);
      code = await p.replicated(end);
    } catch (err) {
      code = coordinatorError(err, `commit to group ${groupId}`).code;
    }
    if (code !== ErrorCode.NONE) for (const a of accepted) a.answer.errorCode = code as Code;
  }
  return { errorCode: ErrorCode.NONE, errorMessage: '', topics: answers };
}

export async function fetchOffsets(p: CoordinatorPartition, input: OffsetFetchInput): Promise<wire.OffsetFetchResponse> {
  p.checkActive();
  const { groupId } = input;
  if (input.memberId !== '') {
    const group = p.state.groups.get(groupId);
    if (!group) throw new StraitError(ErrorCode.UNKNOWN_MEMBER_ID, `member ${input.memberId} is not in group ${groupId}`);
    group.checkOffsetFetch(input.memberId, input.memberEpoch);
  }
  await p.settled(groupId);
  const committed = p.state.committed(groupId);
  const entry = (partition: number, o: StoredOffset | undefined): wire.OffsetFetchPartition => ({
    partition, offset: o?.offset ?? -1, leaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE,
  });
  if (input.topics.length === 0) {
    const byTopic = new Map<string, StoredOffset[]>();
    for (const o of committed.values()) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push(o);
    }
    return {
      errorCode: ErrorCode.NONE, errorMessage: '',
      topics: [...byTopic.keys()].sort().map((name) => ({
        name, partitions: byTopic.get(name)!.sort((a, b) => a.partition - b.partition).map((o) => entry(o.partition, o)),
      })),
    };
  }
  return {
    errorCode: ErrorCode.NONE, errorMessage: '',
    topics: input.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((x) => entry(x, p.state.offset(groupId, t.topic, x))) })),
  };
}

/** OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for a topic the group's members subscribe to. */
export async function deleteOffsets(p: CoordinatorPartition, groupId: string, topics: readonly { topic: string; partitions: readonly number[] }[]): Promise<wire.OffsetDeleteResponse> {
  p.checkActive();
  if (!p.state.exists(groupId)) throw new StraitError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} does not exist`);
  const group = p.state.groups.get(groupId);
  const view = p.ctx.topics();
  const answers = topics.map((t) => ({ name: t.topic, partitions: [] as wire.PartitionError[] }));
  const deleting: { answer: wire.PartitionError; topic: string; partition: number }[] = [];
  topics.forEach((t, i) => {
    const subscribed = group !== undefined && group.members.size > 0 && group.isSubscribedTo(t.topic, view);
    for (const partition of t.partitions) {
      const answer: wire.PartitionError = { partition, errorCode: ErrorCode.NONE, errorMessage: '' };
      answers[i]!.partitions.push(answer);
      if (subscribed) {
        answer.errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        answer.errorMessage = `group ${groupId} is subscribed to ${t.topic}`;
      } else if (p.state.offset(groupId, t.topic, partition)) {
        deleting.push({ answer, topic: t.topic, partition });
      }
    }
  });
  if (deleting.length > 0) {
    let code: number;
    try {
      const end = p.write(groupId, deleting.map((d) => offsetTombstone(groupId, d.topic, d.partition)));
      for (const d of deleting) p.state.deleteOffset(groupId, d.topic, d.partition);
      code = await p.replicated(end);
    } catch (err) {
      code = coordinatorError(err, `delete offsets of group ${groupId}`).code;
    }
    if (code !== ErrorCode.NONE) for (const d of deleting) d.answer.errorCode = code as Code;
  }
  return { errorCode: ErrorCode.NONE, errorMessage: '', topics: answers };
}
