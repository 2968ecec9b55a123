// Partition reassignment on the active controller (KIP-455 as KRaft does it, ReplicationControlManager
// with PartitionReassignmentReplicas and PartitionReassignmentRevert):
// - start: the replicas become the target followed by the replicas it removes (KRaft's order), with
//   `addingReplicas` (target minus current) and `removingReplicas` (current minus target), both in id
//   order; the ISR and the leader stay. The new replicas' brokers create their logs and fetch as
//   followers; the leader adds each to the ISR once caught up (AlterPartition);
// - completion, in the decision that makes every adding replica an ISR member (the start itself when
//   nothing is added, else the AlterPartition that adds the last one): replicas = the target, ISR =
//   the ISR within the target, a new leader from the target when the current one is removed, adding
//   and removing cleared; the removed replicas' brokers stop and delete their logs;
// - cancel: back to the replicas without those being added (the original set), the ISR without them
//   too; when no original replica is left in the ISR that is an unclean revert, refused unless the
//   topic allows unclean election;
// - a new target while one runs starts from the current replicas: the running one's adding replicas
//   that the new target leaves out become replicas to remove (as in Kafka), those it keeps are still
//   being added (they count as added until the ISR holds them), and the same target again changes
//   nothing.
import { ErrorCode, StraitError } from '../../client/index.js';
import {
  type MetadataImage, metadataRecord, type MetadataRecord, NO_LEADER, type PartitionChangeRecord, type PartitionImage,
  reassignmentInProgress, targetReplicas,
} from '../metadata/index.js';
import type { ControllerResult } from './controller-result.js';
import type { TopicPartitionRef } from './controller-elections.js';
import { acceptableLeaders, electLeader, type AcceptableLeader, uncleanElectionEnabled } from './partition-changes.js';

export interface ReassignmentRequest extends TopicPartitionRef {
  /** The target replicas, the first of them preferred; null cancels the running reassignment. */
  readonly replicas: readonly number[] | null;
}

export interface ReassignmentResult extends TopicPartitionRef {
  readonly errorCode: number;
  readonly errorMessage: string;
}

/** A running reassignment, as ListPartitionReassignments reports it. */
export interface OngoingReassignment extends TopicPartitionRef {
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface ReassignmentOptions {
  /** unclean.leader.election.enable of the broker config, for topics that do not set it. */
  readonly uncleanDefault: boolean;
}

/** The partition once its reassignment is done. */
export interface CompletedReassignment {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
}

function fail(code: number, message: string): never {
  throw new StraitError(code, message);
}

const sorted = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * The completed partition when `isr` holds every replica the reassignment adds and something of the
 * target (KRaft's maybeCompleteReassignment); the leader stays when it is in the target's ISR, else
 * the first eligible target replica of that ISR leads. Undefined while it must go on: an adding
 * replica not yet in the ISR, or no eligible leader in the target while the current one leaves
 * (Kafka would leave the partition leaderless; here the reassignment waits for one).
 */
export function completedReassignment(
  p: Pick<PartitionImage, 'replicas' | 'addingReplicas' | 'removingReplicas' | 'leader' | 'offlineReplicas'>,
  isr: readonly number[], acceptable: AcceptableLeader,
): CompletedReassignment | undefined {
  if (!reassignmentInProgress(p)) return undefined;
  const target = targetReplicas(p);
  if (!p.addingReplicas.every((id) => isr.includes(id))) return undefined;
  // In replica order, as the controller keeps every ISR.
  const targetIsr = target.filter((id) => isr.includes(id));
  if (targetIsr.length === 0) return undefined;
  if (p.leader !== NO_LEADER && targetIsr.includes(p.leader)) return { replicas: target, isr: targetIsr, leader: p.leader };
  const election = electLeader({ replicas: target, offlineReplicas: p.offlineReplicas }, targetIsr, acceptable, false);
  if (election.leader === NO_LEADER && p.leader !== NO_LEADER) return undefined;
  return { replicas: target, isr: targetIsr, leader: election.leader };
}

/** The PartitionChange that completes the reassignment, with `isr` as the ISR it completes on. */
export function completionChange(p: PartitionImage, done: CompletedReassignment): PartitionChangeRecord {
  return metadataRecord('PartitionChange', {
    topicId: p.topicId, partition: p.partition, replicas: [...done.replicas], isr: [...done.isr],
    ...(done.leader === p.leader ? {} : { leader: done.leader }), addingReplicas: [], removingReplicas: [],
  });
}

function checkTarget(image: MetadataImage, where: string, replicas: unknown): readonly number[] {
  const bad = (why: string): never => fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Invalid target replicas of ${where}: ${why}`);
  if (!Array.isArray(replicas) || replicas.length === 0) bad('the replica list is empty.');
  const ids = replicas as unknown[];
  for (const id of ids) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > 2 ** 31 - 1) bad(`${JSON.stringify(id)} is not a broker id.`);
    if (!image.broker(id as number)) bad(`broker ${id as number} is not registered.`);
  }
  if (new Set(ids).size !== ids.length) bad(`duplicate replicas in ${JSON.stringify(ids)}.`);
  return ids as number[];
}

/** The records that start (and, when nothing is added, complete) a reassignment of p to target. */
function start(p: PartitionImage, target: readonly number[], acceptable: AcceptableLeader): PartitionChangeRecord | undefined {
  const current = p.replicas;
  // What the partition had before any running reassignment added to it.
  const original = current.filter((id) => !p.addingReplicas.includes(id));
  const removing = sorted(current.filter((id) => !target.includes(id)));
  const adding = sorted(target.filter((id) => !original.includes(id)));
  const replicas = [...target, ...removing];
  if (adding.length === 0 && removing.length === 0) {
    // Nothing moves: at most a new order (and the end of a running reassignment back to its current replicas).
    if (same(replicas, current) && !reassignmentInProgress(p)) return undefined;
    const isr = replicas.filter((id) => p.isr.includes(id));
    return metadataRecord('PartitionChange', {
      topicId: p.topicId, partition: p.partition, replicas, ...(same(isr, p.isr) ? {} : { isr }), addingReplicas: [], removingReplicas: [],
    });
  }
  const grown = { ...p, replicas, addingReplicas: adding, removingReplicas: removing };
  const done = completedReassignment(grown, p.isr, acceptable);
  if (done) return completionChange(p, done);
  if (same(replicas, current) && same(adding, p.addingReplicas) && same(removing, p.removingReplicas)) return undefined;
  return metadataRecord('PartitionChange', {
    topicId: p.topicId, partition: p.partition, replicas, addingReplicas: adding, removingReplicas: removing,
  });
}

/** The record that cancels p's reassignment (KRaft's PartitionReassignmentRevert). */
function cancel(image: MetadataImage, topic: string, p: PartitionImage, acceptable: AcceptableLeader, uncleanDefault: boolean): PartitionChangeRecord {
  const where = `${topic}-${p.partition}`;
  if (!reassignmentInProgress(p)) fail(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, `No reassignment is in progress for ${where}.`);
  const replicas = p.replicas.filter((id) => !p.addingReplicas.includes(id));
  let isr = p.isr.filter((id) => !p.addingReplicas.includes(id));
  let leader = p.leader;
  const reverted = { replicas, offlineReplicas: p.offlineReplicas.filter((id) => replicas.includes(id)) };
  if (isr.length === 0) {
    // Every ISR member was being added: only an unclean election gives the original replicas a leader.
    if (!uncleanElectionEnabled(image, topic, uncleanDefault)) {
      fail(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
        `Unable to revert the partition assignment of ${where}: none of its original replicas ${JSON.stringify(replicas)} is in the ISR ${JSON.stringify(p.isr)}.`);
    }
    const election = electLeader(reverted, [], acceptable, true);
    if (election.leader === NO_LEADER) fail(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, `No original replica of ${where} can lead.`);
    leader = election.leader;
    isr = [...election.isr];
  } else if (leader === NO_LEADER || !isr.includes(leader)) {
    leader = electLeader(reverted, isr, acceptable, false).leader;
  }
  return metadataRecord('PartitionChange', {
    topicId: p.topicId, partition: p.partition, replicas, ...(same(isr, p.isr) ? {} : { isr }),
    ...(leader === p.leader ? {} : { leader }), addingReplicas: [], removingReplicas: [],
  });
}

/** AlterPartitionReassignments: each partition judged on its own (its error, or NONE and its record). */
export function alterPartitionReassignments(
  image: MetadataImage, requests: readonly ReassignmentRequest[], options: ReassignmentOptions,
): ControllerResult<ReassignmentResult[]> {
  const acceptable = acceptableLeaders(image);
  const records: MetadataRecord[] = [];
  const seen = new Set<string>();
  const response = requests.map((request): ReassignmentResult => {
    const topic = typeof request?.topic === 'string' ? request.topic : '';
    const partition = Number.isInteger(request?.partition) ? request.partition : -1;
    try {
      const key = `${topic}\u0000${partition}`;
      if (seen.has(key)) fail(ErrorCode.INVALID_REQUEST, `Partition ${topic}-${partition} appears twice in the request.`);
      seen.add(key);
      const p = image.partition(topic, partition);
      if (!p) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${topic}-${partition} does not exist.`);
      let record: PartitionChangeRecord | undefined;
      if (request.replicas === null) record = cancel(image, topic, p, acceptable, options.uncleanDefault);
      else record = start(p, checkTarget(image, `${topic}-${partition}`, request.replicas), acceptable);
      if (record) records.push(record);
      return { topic, partition, errorCode: ErrorCode.NONE, errorMessage: '' };
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      return { topic, partition, errorCode: err.code, errorMessage: err.message };
    }
  });
  return { records, response };
}

/** The running reassignments, of the partitions named or of every partition (in topic, partition
 * order); a named partition without one is left out, as Kafka does. */
export function listPartitionReassignments(image: MetadataImage, partitions?: readonly TopicPartitionRef[]): OngoingReassignment[] {
  const out: OngoingReassignment[] = [];
  const add = (topic: string, p: PartitionImage | undefined): void => {
    if (p && reassignmentInProgress(p)) {
      out.push({ topic, partition: p.partition, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas });
    }
  };
  if (partitions === undefined) {
    for (const t of image.topics()) for (const p of t.partitions) add(t.name, p);
  } else {
    for (const { topic, partition } of partitions) add(topic, image.partition(topic, partition));
  }
  return out;
}
