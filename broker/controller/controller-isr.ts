// AlterPartition on the active controller: a partition leader reports a new ISR (a follower fell
// behind for replica.lag.time.max.ms, or caught up again), and the controller records it (DESIGN §7:
// ISR changes go through the controller). Kafka's checks, in order: current broker epoch, the sender
// leads the partition at the same leader epoch, the request is based on the current partition epoch,
// the new ISR is well formed and every member it adds is live. An ISR that now holds every replica a
// running reassignment adds completes it in the same record (controller-reassignments.ts).
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, metadataRecord } from '../metadata/index.js';
import { acceptableLeaders } from './partition-changes.js';
import { completedReassignment, completionChange } from './controller-reassignments.js';

export interface AlterPartitionRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly topicId: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  /** The partition epoch the leader's view is based on. */
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

export interface AlterPartitionResponse {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** The partition epoch once the records commit. */
  readonly partitionEpoch: number;
}

function fail(code: number, message: string): never {
  throw new StraitError(code, message);
}

/**
 * Throws STALE_BROKER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (leader epoch older / newer), FENCED_LEADER_EPOCH for a
 * stale partition epoch (Kafka's INVALID_UPDATE_VERSION, which our code table lacks), INVALID_REQUEST
 * for a malformed ISR, BROKER_NOT_AVAILABLE when an added member is fenced or shutting down (Kafka's
 * INELIGIBLE_REPLICA). A request repeating the current ISR succeeds without records.
 */
export function alterPartition(image: MetadataImage, request: AlterPartitionRequest): ControllerResult<AlterPartitionResponse> {
  const broker = image.broker(request.brokerId);
  if (!broker || broker.brokerEpoch !== request.brokerEpoch) {
    fail(ErrorCode.STALE_BROKER_EPOCH, `Broker ${request.brokerId} epoch ${request.brokerEpoch} is not current.`);
  }
  const topic = image.topicById(request.topicId);
  const p = topic?.partitions[request.partition];
  if (!topic || !p) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${request.topicId}-${request.partition} does not exist.`);
  const where = `${topic.name}-${p.partition}`;
  if (p.leader !== request.brokerId) fail(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${request.brokerId} does not lead ${where} (leader ${p.leader}).`);
  if (request.leaderEpoch < p.leaderEpoch) fail(ErrorCode.FENCED_LEADER_EPOCH, `Leader epoch ${request.leaderEpoch} of ${where} is older than ${p.leaderEpoch}.`);
  if (request.leaderEpoch > p.leaderEpoch) fail(ErrorCode.UNKNOWN_LEADER_EPOCH, `Leader epoch ${request.leaderEpoch} of ${where} is newer than ${p.leaderEpoch}.`);
  const isr = request.newIsr;
  const same = Array.isArray(isr) && isr.length === p.isr.length && isr.every((id, i) => id === p.isr[i]);
  const current: AlterPartitionResponse = { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, partitionEpoch: p.partitionEpoch };
  if (same) return { records: [], response: current };
  if (request.partitionEpoch !== p.partitionEpoch) {
    fail(ErrorCode.FENCED_LEADER_EPOCH, `Partition epoch ${request.partitionEpoch} of ${where} is not the current ${p.partitionEpoch}.`);
  }
  if (!Array.isArray(isr) || isr.length === 0 || new Set(isr).size !== isr.length || !isr.every((id) => p.replicas.includes(id))) {
    fail(ErrorCode.INVALID_REQUEST, `ISR ${JSON.stringify(isr)} of ${where} must be distinct replicas of ${JSON.stringify(p.replicas)}.`);
  }
  if (!isr.includes(p.leader)) fail(ErrorCode.INVALID_REQUEST, `ISR ${JSON.stringify(isr)} of ${where} leaves out its leader ${p.leader}.`);
  const acceptable = acceptableLeaders(image);
  const ineligible = isr.find((id) => !p.isr.includes(id) && (!acceptable(id) || p.offlineReplicas.includes(id)));
  if (ineligible !== undefined) {
    fail(ErrorCode.BROKER_NOT_AVAILABLE, `Replica ${ineligible} of ${where} is fenced, shutting down or offline and cannot join the ISR.`);
  }
  const done = completedReassignment(p, isr, acceptable);
  if (done) {
    return {
      records: [completionChange(p, done)],
      response: {
        leader: done.leader, leaderEpoch: done.leader === p.leader ? p.leaderEpoch : p.leaderEpoch + 1, isr: [...done.isr], partitionEpoch: p.partitionEpoch + 1,
      },
    };
  }
  return {
    records: [metadataRecord('PartitionChange', { topicId: p.topicId, partition: p.partition, isr: [...isr] })],
    response: { ...current, isr: [...isr], partitionEpoch: p.partitionEpoch + 1 },
  };
}
