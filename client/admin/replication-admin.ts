// The admin client's replication operations (Kafka's Admin.electLeaders,
// alterPartitionReassignments, listPartitionReassignments, describeLogDirs), as functions over the
// Admin's Cluster; Admin exposes them as methods. Writes go to the controller (any broker forwards);
// DescribeLogDirs goes to each broker asked about, since each answers for its own replicas.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import type { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import type { ElectLeadersResponse__Output } from '../wire/generated/strait/v1/ElectLeadersResponse.js';
import type { AlterPartitionReassignmentsResponse__Output } from '../wire/generated/strait/v1/AlterPartitionReassignmentsResponse.js';
import type { ListPartitionReassignmentsResponse__Output } from '../wire/generated/strait/v1/ListPartitionReassignmentsResponse.js';
import type { DescribeLogDirsResponse__Output } from '../wire/generated/strait/v1/DescribeLogDirsResponse.js';
import { ElectionType as WireElectionType } from '../wire/generated/strait/v1/ElectionType.js';
import { controllerAddress, runItemRequest } from './item-requests.js';

export type ElectionType = 'preferred' | 'unclean';

export interface TopicPartitionId {
  topic: string;
  partition: number;
}

/** One partition's election: error undefined when its leader was elected. */
export interface ElectionOutcome extends TopicPartitionId {
  error: StraitError | undefined;
}

export interface PartitionReassignmentTarget extends TopicPartitionId {
  /** The target replicas, the first preferred; null cancels the running reassignment. */
  replicas: readonly number[] | null;
}

export interface PartitionReassignment extends TopicPartitionId {
  /** The target first, then the replicas being removed. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ReplicaLogInfo extends TopicPartitionId {
  /** Bytes on disk. */
  size: number;
  /** Records behind the leader at the follower's last fetch; 0 on the leader; -1 unknown. */
  offsetLag: number;
  logEndOffset: number;
  isFuture: boolean;
}

export interface LogDirDescription {
  logDir: string;
  error: StraitError | undefined;
  totalBytes: number;
  usableBytes: number;
  replicas: ReplicaLogInfo[];
}

export interface BrokerLogDirs {
  brokerId: number;
  logDirs: LogDirDescription[];
}

const partitionKey = (p: TopicPartitionId): string => `${p.topic}-${p.partition}`;

/** Partitions grouped by topic, as the requests carry them. */
function byTopic(partitions: readonly TopicPartitionId[]): { topic: string; partitions: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = groups.get(topic);
    if (!list) groups.set(topic, (list = []));
    list.push(partition);
  }
  return [...groups.entries()].map(([topic, list]) => ({ topic, partitions: list }));
}

/**
 * Elects leaders: every partition named (each answered), or with `partitions` undefined every
 * partition of the cluster (only those that needed an election are answered). ELECTION_NOT_NEEDED
 * comes back as that partition's error, as Kafka's does.
 */
export async function electLeaders(
  cluster: Cluster, timeoutMs: number, type: ElectionType, partitions?: readonly TopicPartitionId[],
): Promise<ElectionOutcome[]> {
  const request = {
    electionType: type === 'preferred' ? WireElectionType.PREFERRED : WireElectionType.UNCLEAN,
    topicPartitions: partitions ? byTopic(partitions) : [],
    allTopicPartitions: partitions === undefined,
    timeoutMs,
  };
  return cluster.retry(async () => {
    if (cluster.metadata.brokers().length === 0) await cluster.refreshMetadata().catch(() => undefined);
    const address = controllerAddress(cluster);
    const client = cluster.pool.admin(address);
    const res = await unaryCall<ElectLeadersResponse__Output>((o, cb) => client.ElectLeaders(request, o, cb), timeoutMs + 5_000, address);
    const err = errorFromCode(res.errorCode, res.errorMessage);
    if (err) throw err;
    return res.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => ({
      topic: t.topic, partition: p.partitionId, error: errorFromCode(p.errorCode, p.errorMessage),
    })));
  });
}

/** Starts (or cancels) reassignments; throws one AdminOperationError naming each partition refused. */
export async function alterPartitionReassignments(cluster: Cluster, timeoutMs: number, targets: readonly PartitionReassignmentTarget[]): Promise<void> {
  await runItemRequest(cluster, 'alterPartitionReassignments', targets, partitionKey, async (open, address) => {
    const client = cluster.pool.admin(address);
    const topics = new Map<string, { partitionIndex: number; replicas: number[]; cancel: boolean }[]>();
    for (const t of open) {
      let list = topics.get(t.topic);
      if (!list) topics.set(t.topic, (list = []));
      list.push({ partitionIndex: t.partition, replicas: t.replicas === null ? [] : [...t.replicas], cancel: t.replicas === null });
    }
    const request = { timeoutMs, topics: [...topics.entries()].map(([name, partitions]) => ({ name, partitions })) };
    const res = await unaryCall<AlterPartitionReassignmentsResponse__Output>((o, cb) => client.AlterPartitionReassignments(request, o, cb), timeoutMs + 5_000, address);
    if (res.errorCode !== ErrorCode.NONE) return open.map((t) => ({ item: partitionKey(t), errorCode: res.errorCode, errorMessage: res.errorMessage }));
    return res.responses.flatMap((t) => t.partitions.map((p) => ({
      item: `${t.name}-${p.partitionIndex}`, errorCode: p.errorCode, errorMessage: p.errorMessage, result: undefined,
    })));
  });
}

/** The running reassignments, of the partitions named or of all. */
export async function listPartitionReassignments(cluster: Cluster, timeoutMs: number, partitions?: readonly TopicPartitionId[]): Promise<PartitionReassignment[]> {
  const request = { timeoutMs, topics: partitions ? byTopic(partitions).map((t) => ({ topic: t.topic, partitions: t.partitions })) : [] };
  if (partitions !== undefined && partitions.length === 0) return [];
  return cluster.retry(async () => {
    const address = controllerAddress(cluster);
    const client = cluster.pool.admin(address);
    const res = await unaryCall<ListPartitionReassignmentsResponse__Output>((o, cb) => client.ListPartitionReassignments(request, o, cb), timeoutMs, address);
    const err = errorFromCode(res.errorCode, res.errorMessage);
    if (err) throw err;
    return res.topics.flatMap((t) => t.partitions.map((p) => ({
      topic: t.name, partition: p.partitionIndex, replicas: [...p.replicas], addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas],
    })));
  });
}

/** Each broker's log dirs and the replicas in them (all live brokers when brokerIds is undefined). */
export async function describeLogDirs(
  cluster: Cluster, timeoutMs: number, brokerIds?: readonly number[], topics: readonly string[] = [],
): Promise<BrokerLogDirs[]> {
  await cluster.retry(() => cluster.refreshMetadata());
  const ids = brokerIds ?? cluster.metadata.brokers().map((b) => b.nodeId).sort((a, b) => a - b);
  return Promise.all(ids.map((brokerId) => cluster.retry(async (bail) => {
    const broker = cluster.metadata.broker(brokerId);
    if (!broker) bail(new StraitError(ErrorCode.BROKER_NOT_AVAILABLE, `Broker ${brokerId} is not a live broker of the cluster.`));
    const client = cluster.pool.admin(broker!.address);
    const res = await unaryCall<DescribeLogDirsResponse__Output>((o, cb) => client.DescribeLogDirs({ topics: [...topics] }, o, cb), timeoutMs, broker!.address);
    const err = errorFromCode(res.errorCode, res.errorMessage);
    if (err) throw err;
    return {
      brokerId: res.brokerId,
      logDirs: res.results.map((d) => ({
        logDir: d.logDir, error: errorFromCode(d.errorCode), totalBytes: d.totalBytes, usableBytes: d.usableBytes,
        replicas: d.topics.flatMap((t) => t.partitions.map((p) => ({
          topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, logEndOffset: p.logEndOffset, isFuture: p.isFutureKey,
        }))),
      })),
    };
  })));
}
