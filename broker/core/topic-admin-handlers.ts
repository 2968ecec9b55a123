// CreateTopics, DeleteTopics and CreatePartitions: the request is checked for shape here, decided by
// the active controller (directly, or forwarded to it), and answered once this node has applied the
// result, per topic with Kafka's error codes. With no active controller every topic gets
// NOT_CONTROLLER (retriable); a change that does not commit within timeout_ms gets REQUEST_TIMED_OUT.
import { ErrorCode, StraitError, type ErrorCodeValue, type wire } from '../../client/index.js';
import { validateTopicName } from '../log/index.js';
import type { CreatePartitionsRequest, CreateTopicRequest, CreateTopicResult, TopicResult } from '../controller/index.js';
import type { BrokerContext } from './broker-context.js';
import { checkNotReserved } from './topic-manager.js';
import { errorFields, isUnexpected, type ErrorFields } from './error-mapping.js';

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

/** Replica lists in partition order; the partitions must be firstPartition..end, each once. */
function replicaLists(assignments: unknown, firstPartition: number): number[][] | undefined {
  if (!Array.isArray(assignments) || assignments.length === 0) return undefined;
  const byPartition = new Map<number, number[]>();
  for (const a of assignments as wire.ReplicaAssignment__Output[]) {
    const partition = a?.partition;
    if (!Number.isInteger(partition) || partition < firstPartition || byPartition.has(partition)) {
      throw new StraitError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `assignment for partition ${String(partition)} is out of range or repeated`);
    }
    byPartition.set(partition, Array.isArray(a.brokerIds) ? [...a.brokerIds] : []);
  }
  const lists: number[][] = [];
  for (let p = firstPartition; p < firstPartition + byPartition.size; p++) {
    const replicas = byPartition.get(p);
    if (!replicas) throw new StraitError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${p} has no assignment; partitions must be consecutive`);
    lists.push(replicas);
  }
  return lists;
}

function timeoutOf(ctx: BrokerContext, timeoutMs: unknown): number {
  return Number.isInteger(timeoutMs) && (timeoutMs as number) > 0 ? (timeoutMs as number) : ctx.config.quorumRequestTimeoutMs;
}

function toCreateRequest(t: wire.CreatableTopic__Output): CreateTopicRequest {
  if (typeof t?.name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
  validateTopicName(t.name);
  checkNotReserved(t.name);
  const assignments = replicaLists(t.assignments, 0);
  const orDefault = (n: unknown): number => (n === -1 || n === undefined || (assignments && n === 0) ? -1 : Number.isInteger(n) ? (n as number) : NaN);
  return {
    name: t.name,
    numPartitions: orDefault(t.numPartitions),
    replicationFactor: orDefault(t.replicationFactor),
    ...(assignments ? { assignments } : {}),
    configs: configEntriesToRecord(t.configs),
  };
}

export async function handleCreateTopics(ctx: BrokerContext, req: wire.CreateTopicsRequest__Output): Promise<wire.CreateTopicsResponse> {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const results: (wire.CreatableTopicResult | undefined)[] = [];
  const valid: { at: number; request: CreateTopicRequest }[] = [];
  req.topics.forEach((t, at) => {
    const name = typeof t?.name === 'string' ? t.name : '';
    try {
      valid.push({ at, request: toCreateRequest(t) });
      results.push(undefined);
    } catch (err) {
      results.push({ name, topicId: '', numPartitions: -1, replicationFactor: -1, ...errorFields(err) });
    }
  });
  if (valid.length > 0) {
    try {
      const { response } = await ctx.controller.run('createTopics', {
        topics: valid.map((v) => v.request),
        validateOnly: req.validateOnly === true,
        defaults: { numPartitions: ctx.config.numPartitions, replicationFactor: ctx.config.defaultReplicationFactor },
      }, timeoutOf(ctx, req.timeoutMs));
      (response as CreateTopicResult[]).forEach((r, i) => {
        results[valid[i]!.at] = {
          name: r.name, topicId: r.topicId ?? '', errorCode: r.errorCode as ErrorCodeValue, errorMessage: r.errorMessage,
          numPartitions: r.numPartitions, replicationFactor: r.replicationFactor,
        };
      });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err }, 'create topics failed');
      for (const v of valid) results[v.at] = { name: v.request.name, topicId: '', numPartitions: -1, replicationFactor: -1, ...errorFields(err) };
    }
  }
  return { topics: results.map((r) => r!) };
}

/** Per-item shape checks, one controller decision for the valid items, results in request order. */
async function perTopic<T>(
  ctx: BrokerContext, items: readonly unknown[], check: (item: unknown) => T, nameOf: (item: unknown) => string,
  decide: (valid: T[]) => Promise<TopicResult[]>,
): Promise<({ name: string } & ErrorFields)[]> {
  const results: (({ name: string } & ErrorFields) | undefined)[] = [];
  const valid: { at: number; value: T }[] = [];
  items.forEach((item, at) => {
    try {
      valid.push({ at, value: check(item) });
      results.push(undefined);
    } catch (err) {
      results.push({ name: nameOf(item), ...errorFields(err) });
    }
  });
  if (valid.length > 0) {
    try {
      const answers = await decide(valid.map((v) => v.value));
      answers.forEach((r, i) => { results[valid[i]!.at] = { name: r.name, errorCode: r.errorCode as ErrorCodeValue, errorMessage: r.errorMessage }; });
    } catch (err) {
      if (isUnexpected(err)) ctx.logger.error({ err }, 'topic change failed');
      for (const v of valid) results[v.at] = { name: nameOf(items[v.at]), ...errorFields(err) };
    }
  }
  return results.map((r) => r!);
}

export async function handleDeleteTopics(ctx: BrokerContext, req: wire.DeleteTopicsRequest__Output): Promise<wire.DeleteTopicsResponse> {
  if (!Array.isArray(req.topicNames)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic_names must be a list');
  const topics = await perTopic(ctx, req.topicNames, (name) => {
    if (typeof name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
    validateTopicName(name);
    return name;
  }, (name) => (typeof name === 'string' ? name : ''), async (names) => {
    const { response } = await ctx.controller.run('deleteTopics', { names }, timeoutOf(ctx, req.timeoutMs));
    return response as TopicResult[];
  });
  return { topics };
}

export async function handleCreatePartitions(ctx: BrokerContext, req: wire.CreatePartitionsRequest__Output): Promise<wire.CreatePartitionsResponse> {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const topics = await perTopic(ctx, req.topics, (item): CreatePartitionsRequest => {
    const t = item as wire.CreatePartitionsRequest__Output['topics'][number];
    if (typeof t?.name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
    validateTopicName(t.name);
    const current = ctx.topics.get(t.name)?.partitions ?? 0;
    const assignments = replicaLists(t.assignments, current);
    return { name: t.name, count: t.count, ...(assignments ? { assignments } : {}) };
  }, (item) => {
    const name = (item as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : '';
  }, async (requests) => {
    const { response } = await ctx.controller.run('createPartitions', { topics: requests, validateOnly: req.validateOnly === true }, timeoutOf(ctx, req.timeoutMs));
    return response as TopicResult[];
  });
  return { topics };
}
