// CreateTopics, DeleteTopics and CreatePartitions on a single node: replication factor 1 only,
// every replica assignment must name this node, results per topic with Kafka's error codes.
import { ErrorCode, StraitError } from '../../client/errors.js';
import type { CreateTopicsRequest__Output } from '../../client/wire/generated/strait/v1/CreateTopicsRequest.js';
import type { CreateTopicsResponse } from '../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { CreatableTopic__Output } from '../../client/wire/generated/strait/v1/CreatableTopic.js';
import type { CreatableTopicResult } from '../../client/wire/generated/strait/v1/CreatableTopicResult.js';
import type { DeleteTopicsRequest__Output } from '../../client/wire/generated/strait/v1/DeleteTopicsRequest.js';
import type { DeleteTopicsResponse } from '../../client/wire/generated/strait/v1/DeleteTopicsResponse.js';
import type { CreatePartitionsRequest__Output } from '../../client/wire/generated/strait/v1/CreatePartitionsRequest.js';
import type { CreatePartitionsResponse } from '../../client/wire/generated/strait/v1/CreatePartitionsResponse.js';
import type { ReplicaAssignment__Output } from '../../client/wire/generated/strait/v1/ReplicaAssignment.js';
import { validateTopicName } from '../log/topic-config.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

const AVAILABLE_BROKERS = 1;

export function configEntriesToRecord(entries: unknown): Record<string, string> {
  if (!Array.isArray(entries)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'configs must be a list');
  const out: Record<string, string> = {};
  for (const e of entries) {
    const { name, value } = (e ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || typeof value !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'config entries need a string name and value');
    if (Object.hasOwn(out, name)) throw new StraitError(ErrorCode.INVALID_REQUEST, `config ${name} is given twice`);
    out[name] = value;
  }
  return out;
}

function checkAssignments(ctx: BrokerContext, assignments: unknown, partitions: number, firstPartition: number): void {
  if (!Array.isArray(assignments) || assignments.length === 0) return;
  const seen = new Set<number>();
  for (const a of assignments as ReplicaAssignment__Output[]) {
    const ids = Array.isArray(a?.brokerIds) ? a.brokerIds : [];
    if (!Number.isInteger(a?.partition) || a.partition < firstPartition || a.partition >= partitions || seen.has(a.partition)) {
      throw new StraitError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `assignment for partition ${String(a?.partition)} is out of range or repeated`);
    }
    seen.add(a.partition);
    if (ids.length !== 1 || ids[0] !== ctx.nodeId) {
      throw new StraitError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${a.partition} must be assigned to node ${ctx.nodeId} alone`);
    }
  }
  if (seen.size !== partitions - firstPartition) throw new StraitError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'every new partition needs an assignment');
}

async function createOne(ctx: BrokerContext, t: CreatableTopic__Output, validateOnly: boolean, repeated: boolean): Promise<CreatableTopicResult> {
  const name = typeof t?.name === 'string' ? t.name : '';
  const result: CreatableTopicResult = { name, topicId: '', errorCode: ErrorCode.NONE, errorMessage: '', numPartitions: -1, replicationFactor: -1 };
  try {
    if (typeof t?.name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
    validateTopicName(name);
    if (repeated) throw new StraitError(ErrorCode.INVALID_REQUEST, `Topic '${name}' appears more than once in the request`);
    const hasAssignments = Array.isArray(t.assignments) && t.assignments.length > 0;
    let partitions = t.numPartitions === -1 || (hasAssignments && t.numPartitions === 0) ? ctx.config.numPartitions : t.numPartitions;
    if (hasAssignments) partitions = t.assignments.length;
    const rf = t.replicationFactor === -1 || (hasAssignments && t.replicationFactor === 0) ? ctx.config.defaultReplicationFactor : t.replicationFactor;
    if (!Number.isInteger(rf) || rf < 1 || rf > AVAILABLE_BROKERS) {
      throw new StraitError(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor ${rf} is not possible: ${AVAILABLE_BROKERS} broker is available`);
    }
    checkAssignments(ctx, t.assignments, partitions, 0);
    const overrides = configEntriesToRecord(t.configs);
    if (validateOnly) {
      ctx.topics.validateCreate(name, partitions, overrides);
      return { ...result, numPartitions: partitions, replicationFactor: rf };
    }
    const record = await ctx.topics.create(name, partitions, overrides);
    return { ...result, topicId: record.topicId, numPartitions: record.partitions, replicationFactor: rf };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic: name }, 'create topic failed');
    return { ...result, ...errorFields(err) };
  }
}

export async function handleCreateTopics(ctx: BrokerContext, req: CreateTopicsRequest__Output): Promise<CreateTopicsResponse> {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t?.name, (counts.get(t?.name) ?? 0) + 1);
  const topics: CreatableTopicResult[] = [];
  for (const t of req.topics) topics.push(await createOne(ctx, t, req.validateOnly === true, (counts.get(t?.name) ?? 0) > 1));
  return { topics };
}

export async function handleDeleteTopics(ctx: BrokerContext, req: DeleteTopicsRequest__Output): Promise<DeleteTopicsResponse> {
  if (!Array.isArray(req.topicNames)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic_names must be a list');
  const topics = [];
  for (const name of req.topicNames) {
    const topicName = typeof name === 'string' ? name : '';
    try {
      if (typeof name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
      validateTopicName(name);
      const partitions = ctx.topics.get(name)?.partitions ?? 0;
      await ctx.topics.delete(name);
      // Fetches parked on the topic answer now (UNKNOWN_TOPIC_OR_PARTITION) instead of at max_wait_ms.
      for (let p = 0; p < partitions; p++) ctx.purgatory.onAppend(name, p);
      topics.push({ name: topicName, errorCode: ErrorCode.NONE, errorMessage: '' });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err, topic: topicName }, 'delete topic failed');
      topics.push({ name: topicName, ...errorFields(err) });
    }
  }
  return { topics };
}

export async function handleCreatePartitions(ctx: BrokerContext, req: CreatePartitionsRequest__Output): Promise<CreatePartitionsResponse> {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const topics = [];
  for (const t of req.topics) {
    const name = typeof t?.name === 'string' ? t.name : '';
    try {
      if (typeof t?.name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
      validateTopicName(name);
      const current = ctx.topics.validateAddPartitions(name, t.count);
      checkAssignments(ctx, t.assignments, t.count, current.partitions);
      if (req.validateOnly !== true) await ctx.topics.addPartitions(name, t.count);
      topics.push({ name, errorCode: ErrorCode.NONE, errorMessage: '' });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err, topic: name }, 'create partitions failed');
      topics.push({ name, ...errorFields(err) });
    }
  }
  return { topics };
}
