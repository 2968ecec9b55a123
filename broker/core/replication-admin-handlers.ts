// ElectLeaders, AlterPartitionReassignments and ListPartitionReassignments (Kafka's replication admin
// APIs). The writes are checked for shape here and decided by the active controller (directly, or
// forwarded to it), answered once this node has applied the result, per partition with Kafka's error
// codes; a failure of the whole request (no controller, a timeout) is the answer's error_code.
// ListPartitionReassignments is answered from this node's metadata image, as Metadata is.
import { ErrorCode, StraitError, type ErrorCodeValue, type wire } from '../../client/index.js';
import {
  listPartitionReassignments, type ElectionResult, type ReassignmentRequest, type ReassignmentResult, type TopicPartitionRef,
} from '../controller/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

const ELECTION_TYPES: Readonly<Record<number, 'preferred' | 'unclean'>> = { 0: 'preferred', 1: 'unclean' };

function timeoutOf(ctx: BrokerContext, timeoutMs: unknown): number {
  return Number.isInteger(timeoutMs) && (timeoutMs as number) > 0 ? (timeoutMs as number) : ctx.config.quorumRequestTimeoutMs;
}

/** The partitions a request names, each once, in the order given. */
function partitionRefs(topics: unknown, what: string): TopicPartitionRef[] {
  if (!Array.isArray(topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${what} must be a list`);
  const refs: TopicPartitionRef[] = [];
  for (const t of topics as wire.TopicPartitions__Output[]) {
    if (typeof t?.topic !== 'string' || !Array.isArray(t.partitions)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${what}: a topic and its partitions are needed`);
    for (const partition of t.partitions) {
      if (!Number.isInteger(partition)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${what}: partition ${String(partition)} of ${t.topic} is not an integer`);
      refs.push({ topic: t.topic, partition });
    }
  }
  return refs;
}

/** Per-partition results grouped by topic, topics in the order they first appear. */
function byTopic<T extends TopicPartitionRef, R>(results: readonly T[], partition: (r: T) => R): { topic: string; partitions: R[] }[] {
  const groups = new Map<string, R[]>();
  for (const r of results) {
    let list = groups.get(r.topic);
    if (!list) groups.set(r.topic, (list = []));
    list.push(partition(r));
  }
  return [...groups.entries()].map(([topic, partitions]) => ({ topic, partitions }));
}

export async function handleElectLeaders(ctx: BrokerContext, req: wire.ElectLeadersRequest__Output): Promise<wire.ElectLeadersResponse> {
  try {
    const type = ELECTION_TYPES[req.electionType as unknown as number];
    if (type === undefined) throw new StraitError(ErrorCode.INVALID_REQUEST, `election type ${String(req.electionType)} is not known`);
    const partitions = req.allTopicPartitions === true ? null : partitionRefs(req.topicPartitions, 'topic_partitions');
    const { response } = await ctx.controller.run('electLeaders', { type, partitions }, timeoutOf(ctx, req.timeoutMs));
    const results = response as ElectionResult[];
    return {
      errorCode: ErrorCode.NONE, errorMessage: '',
      replicaElectionResults: byTopic(results, (e) => ({ partitionId: e.partition, errorCode: e.errorCode as ErrorCodeValue, errorMessage: e.errorMessage }))
        .map(({ topic, partitions }) => ({ topic, partitionResult: partitions })),
    };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err }, 'elect leaders failed');
    return { ...errorFields(err), replicaElectionResults: [] };
  }
}

function reassignmentRequests(topics: unknown): ReassignmentRequest[] {
  if (!Array.isArray(topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const out: ReassignmentRequest[] = [];
  for (const t of topics as wire.ReassignableTopic__Output[]) {
    if (typeof t?.name !== 'string' || !Array.isArray(t.partitions)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'a topic name and its partitions are needed');
    for (const p of t.partitions) {
      if (!Number.isInteger(p?.partitionIndex) || !Array.isArray(p.replicas)) throw new StraitError(ErrorCode.INVALID_REQUEST, `a partition of ${t.name} is malformed`);
      if (p.cancel === true && p.replicas.length > 0) {
        throw new StraitError(ErrorCode.INVALID_REQUEST, `partition ${t.name}-${p.partitionIndex}: a cancellation names no replicas`);
      }
      out.push({ topic: t.name, partition: p.partitionIndex, replicas: p.cancel === true ? null : [...p.replicas] });
    }
  }
  return out;
}

export async function handleAlterPartitionReassignments(
  ctx: BrokerContext, req: wire.AlterPartitionReassignmentsRequest__Output,
): Promise<wire.AlterPartitionReassignmentsResponse> {
  try {
    const reassignments = reassignmentRequests(req.topics);
    const { response } = await ctx.controller.run('alterPartitionReassignments', { reassignments }, timeoutOf(ctx, req.timeoutMs));
    return {
      errorCode: ErrorCode.NONE, errorMessage: '',
      responses: byTopic(response as ReassignmentResult[], (e) => ({ partitionIndex: e.partition, errorCode: e.errorCode as ErrorCodeValue, errorMessage: e.errorMessage }))
        .map(({ topic, partitions }) => ({ name: topic, partitions })),
    };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err }, 'alter partition reassignments failed');
    return { ...errorFields(err), responses: [] };
  }
}

export function handleListPartitionReassignments(ctx: BrokerContext, req: wire.ListPartitionReassignmentsRequest__Output): wire.ListPartitionReassignmentsResponse {
  try {
    const named = Array.isArray(req.topics) && req.topics.length > 0 ? partitionRefs(req.topics, 'topics') : undefined;
    const ongoing = listPartitionReassignments(ctx.metadata.image, named);
    return {
      errorCode: ErrorCode.NONE, errorMessage: '',
      topics: byTopic(ongoing, (o) => ({
        partitionIndex: o.partition, replicas: [...o.replicas], addingReplicas: [...o.addingReplicas], removingReplicas: [...o.removingReplicas],
      })).map(({ topic, partitions }) => ({ name: topic, partitions })),
    };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err }, 'list partition reassignments failed');
    return { ...errorFields(err), topics: [] };
  }
}
