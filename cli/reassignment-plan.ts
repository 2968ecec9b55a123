// kafka-reassign-partitions.sh's files and computations, pure: the topics-to-move JSON
// (`{"topics":[{"topic":"foo"}],"version":1}`), the reassignment plan JSON
// (`{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}`),
// Kafka's compact JSON output of a plan, the proposed assignment of --generate (Kafka's
// AdminUtils.assignReplicasToBrokers per topic), and the throttled replica lists of --execute
// --throttle (leaders: every current replica of a moving partition; followers: the replicas it adds).
import { assignReplicas, type PlacementBroker } from '../broker/index.js';
import { UsageError } from './cli-args.js';

export interface PlannedPartition {
  topic: string;
  partition: number;
  replicas: number[];
}

/** Kafka's TopicPartition order: by topic, then partition. */
export function comparePartitions(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

export const partitionName = (p: { topic: string; partition: number }): string => `${p.topic}-${p.partition}`;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkVersion(doc: Record<string, unknown>, what: string): void {
  if (doc.version !== undefined && doc.version !== 1) throw new UsageError(`${what}: version ${JSON.stringify(doc.version)} is not supported (only 1)`);
}

/** `{"topics":[{"topic":"foo"},...],"version":1}`: the topic names, each once. */
export function parseTopicsToMove(text: string): string[] {
  const doc = parseJson(text, 'the topics-to-move file');
  if (!isObject(doc) || !Array.isArray(doc.topics)) throw new UsageError('the topics-to-move file needs {"topics": [{"topic": "name"}, ...], "version": 1}');
  checkVersion(doc, 'the topics-to-move file');
  const topics = doc.topics.map((t: unknown) => {
    if (!isObject(t) || typeof t.topic !== 'string' || t.topic === '') throw new UsageError(`the topics-to-move file: ${JSON.stringify(t)} has no "topic"`);
    return t.topic;
  });
  const duplicate = topics.find((t, i) => topics.indexOf(t) !== i);
  if (duplicate !== undefined) throw new UsageError(`List of topics to reassign contains duplicate entries: ${duplicate}`);
  if (topics.length === 0) throw new UsageError('the topics-to-move file names no topic');
  return topics;
}

/** A reassignment plan (Kafka's parsePartitionReassignmentData): each partition once, replicas
 * distinct non-negative ids, log_dirs (when given) one per replica and "any" (Strait has no
 * AlterReplicaLogDirs). */
export function parseReassignmentPlan(text: string): PlannedPartition[] {
  const doc = parseJson(text, 'the reassignment file');
  if (!isObject(doc) || !Array.isArray(doc.partitions)) throw new UsageError('the reassignment file needs {"version": 1, "partitions": [...]}');
  checkVersion(doc, 'the reassignment file');
  if (doc.partitions.length === 0) throw new UsageError('Partition reassignment list cannot be empty');
  const plan = doc.partitions.map((p: unknown): PlannedPartition => {
    if (!isObject(p) || typeof p.topic !== 'string' || p.topic === '' || !Number.isInteger(p.partition) || (p.partition as number) < 0 || !Array.isArray(p.replicas)) {
      throw new UsageError(`the reassignment file: ${JSON.stringify(p)} needs "topic", "partition" and "replicas"`);
    }
    const where = `${p.topic}-${p.partition as number}`;
    const replicas = p.replicas as unknown[];
    if (replicas.length === 0 || !replicas.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
      throw new UsageError(`Partition ${where}: replicas must be a non-empty list of broker ids`);
    }
    const repeated = replicas.find((id, i) => replicas.indexOf(id) !== i);
    if (repeated !== undefined) throw new UsageError(`Partition replica lists may not contain duplicate entries: ${where} contains multiple entries for ${repeated as number}`);
    if (p.log_dirs !== undefined) {
      if (!Array.isArray(p.log_dirs) || p.log_dirs.length !== replicas.length) {
        throw new UsageError(`Length of replicas and log_dirs in partition ${where} do not match`);
      }
      if (p.log_dirs.some((d: unknown) => d !== 'any')) {
        throw new UsageError(`Partition ${where}: log_dirs other than "any" would move replicas between log dirs (AlterReplicaLogDirs), which Strait does not support`);
      }
    }
    return { topic: p.topic, partition: p.partition as number, replicas: replicas as number[] };
  });
  const names = plan.map(partitionName);
  const duplicates = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (duplicates.length > 0) throw new UsageError(`Reassignment json file contains duplicate partitions: ${duplicates.join(',')}`);
  return plan;
}

/** Kafka's formatAsReassignmentJson: compact, partitions in topic-partition order, log_dirs "any". */
export function formatReassignmentJson(plan: readonly PlannedPartition[]): string {
  const partitions = [...plan].sort(comparePartitions)
    .map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => 'any') }));
  return JSON.stringify({ version: 1, partitions });
}

/**
 * --generate's proposal: each topic's partitions placed anew over the brokers given, with its current
 * replication factor (Kafka's calculateAssignment). Rack-aware unless disabled; Kafka's error when
 * only some brokers have a rack.
 */
export function proposeAssignment(
  current: readonly PlannedPartition[], brokers: readonly PlacementBroker[], options: { rackAware: boolean; random?: () => number },
): PlannedPartition[] {
  const racked = brokers.filter((b) => b.rack !== undefined).length;
  if (options.rackAware && racked > 0 && racked < brokers.length) {
    throw new UsageError('Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.');
  }
  const placement = options.rackAware ? brokers : brokers.map((b) => ({ brokerId: b.brokerId }));
  const byTopic = new Map<string, PlannedPartition[]>();
  for (const p of current) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  const proposed: PlannedPartition[] = [];
  for (const [topic, partitions] of byTopic) {
    const rf = partitions[0]!.replicas.length;
    let lists: number[][];
    try {
      lists = assignReplicas(placement, partitions.length, rf, { random: options.random ?? Math.random });
    } catch (err) {
      throw new UsageError(`Topic ${topic}: ${(err as Error).message}`);
    }
    lists.forEach((replicas, partition) => proposed.push({ topic, partition, replicas }));
  }
  return proposed.sort(comparePartitions);
}

/** --throttle's topic configs (Kafka's calculateLeaderThrottles / calculateFollowerThrottles): per
 * topic, `partition:broker` for every current replica of a partition in the plan (any of them may
 * lead while it moves) and for every replica the plan adds; in string order, as Kafka's TreeSet. */
export function throttledReplicaLists(
  plan: readonly PlannedPartition[], currentReplicas: (p: PlannedPartition) => readonly number[],
): Map<string, { leader: string; follower: string }> {
  const sets = new Map<string, { leader: Set<string>; follower: Set<string> }>();
  for (const p of plan) {
    let entry = sets.get(p.topic);
    if (!entry) sets.set(p.topic, (entry = { leader: new Set(), follower: new Set() }));
    const current = currentReplicas(p);
    for (const id of current) entry.leader.add(`${p.partition}:${id}`);
    for (const id of p.replicas) if (!current.includes(id)) entry.follower.add(`${p.partition}:${id}`);
  }
  const out = new Map<string, { leader: string; follower: string }>();
  for (const [topic, s] of sets) out.set(topic, { leader: [...s.leader].sort().join(','), follower: [...s.follower].sort().join(',') });
  return out;
}
