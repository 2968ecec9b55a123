// The active controller's topic decisions: create (with replica placement or an explicit
// assignment), grow, delete. Each topic is judged on its own: one bad topic gets its error code and
// the others go ahead. Kafka's rules and messages (ReplicationControlManager).
import { ErrorCode, StraitError } from '../../client/index.js';
import { defaultTopicConfig, parseTopicConfigs, validateTopicName } from '../log/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, isStorableConfigName, metadataRecord, type MetadataRecord, type BrokerImage } from '../metadata/index.js';
import { assignReplicas, type PlacementBroker, type RandomSource } from './placement.js';

/** The same bound as the single-node TopicManager. */
export const MAX_PARTITIONS_PER_TOPIC = 100_000;

export interface CreateTopicRequest {
  readonly name: string;
  /** -1 or absent: the default. */
  readonly numPartitions?: number;
  /** -1 or absent: the default. */
  readonly replicationFactor?: number;
  /** Replica lists by partition; excludes numPartitions and replicationFactor. */
  readonly assignments?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicResult {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string;
  readonly topicId?: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

export interface CreateTopicsOptions {
  readonly defaults: { readonly numPartitions: number; readonly replicationFactor: number };
  /** Throws (InvalidConfigError) for bad overrides; default: parseTopicConfigs over Kafka's defaults. */
  readonly validateConfigs?: (configs: Record<string, string>) => void;
  readonly random: RandomSource;
  readonly newTopicId: () => string;
  /** Check only: results as usual, no records. */
  readonly validateOnly?: boolean;
}

export interface CreatePartitionsRequest {
  readonly name: string;
  /** The new total partition count. */
  readonly count: number;
  /** Replica lists of the new partitions only. */
  readonly assignments?: readonly (readonly number[])[];
}

export interface TopicResult {
  readonly name: string;
  readonly errorCode: number;
  readonly errorMessage: string;
}

export interface CreatePartitionsOptions {
  readonly random: RandomSource;
  readonly validateOnly?: boolean;
}

export interface DeleteTopicResult extends TopicResult {
  readonly topicId?: string;
}

function fail(code: number, message: string): never {
  throw new StraitError(code, message);
}

/** Runs one item's decision; a StraitError becomes that item's error, anything else is a bug. */
function perItem<T>(work: () => T, onError: (err: StraitError) => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof StraitError) return onError(err);
    throw err;
  }
}

/** Brokers that may receive new replicas: unfenced and not shutting down. */
function usableBrokers(image: MetadataImage): BrokerImage[] {
  return image.liveBrokers().filter((b) => !b.inControlledShutdown);
}

function placementBrokers(brokers: readonly BrokerImage[]): PlacementBroker[] {
  return brokers.map((b) => (b.rack === undefined ? { brokerId: b.brokerId } : { brokerId: b.brokerId, rack: b.rack }));
}

/** Checks explicit replica lists (Kafka's validateManualPartitionAssignment); returns them with
 * their ISR (the usable replicas) and leader (the first of those). */
function manualPartitions(
  image: MetadataImage, assignments: readonly (readonly number[])[], firstPartition: number, replicationFactor: number | undefined,
): { replicas: number[]; isr: number[]; leader: number }[] {
  const usable = new Set(usableBrokers(image).map((b) => b.brokerId));
  let rf = replicationFactor;
  return assignments.map((replicas, i) => {
    const partition = firstPartition + i;
    const bad = (why: string): never => fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${partition}: ${why}`);
    if (!Array.isArray(replicas) || replicas.length === 0) bad('the replica list is empty.');
    for (const id of replicas) {
      if (!Number.isInteger(id) || id < 0) bad(`invalid broker id ${JSON.stringify(id)}.`);
      if (!image.broker(id)) bad(`the manual partition assignment includes broker ${id}, but no such broker is registered.`);
    }
    if (new Set(replicas).size !== replicas.length) bad(`the manual partition assignment includes duplicate replicas ${JSON.stringify(replicas)}.`);
    rf ??= replicas.length;
    if (replicas.length !== rf) {
      bad(`the manual partition assignment has ${replicas.length} replica(s), but the other partitions have ${rf}.`);
    }
    const isr = replicas.filter((id) => usable.has(id));
    if (isr.length === 0) bad('all brokers specified in the manual partition assignment are fenced or in controlled shutdown.');
    return { replicas: [...replicas], isr, leader: isr[0]! };
  });
}

function checkPartitionCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS_PER_TOPIC) {
    fail(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be between 1 and ${MAX_PARTITIONS_PER_TOPIC}, got ${count}.`);
  }
}

/** Kafka refuses topics whose names differ only in '.' versus '_' (their metric names collide). */
function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

function partitionRecords(topicId: string, firstPartition: number, placed: readonly { replicas: number[]; isr: number[]; leader: number }[]): MetadataRecord[] {
  return placed.map((p, i) => metadataRecord('Partition', {
    topicId, partition: firstPartition + i, replicas: p.replicas, isr: p.isr, leader: p.leader, leaderEpoch: 0, partitionEpoch: 0,
  }));
}

function defaultConfigValidator(configs: Record<string, string>): void {
  parseTopicConfigs(configs, defaultTopicConfig());
}

export function createTopics(
  image: MetadataImage, requests: readonly CreateTopicRequest[], options: CreateTopicsOptions,
): ControllerResult<CreateTopicResult[]> {
  const records: MetadataRecord[] = [];
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const taken = new Map(image.topics().map((t) => [collisionKey(t.name), t.name]));
  const usedIds = new Set<string>();
  const validateConfigs = options.validateConfigs ?? defaultConfigValidator;

  const response = requests.map((request): CreateTopicResult => perItem(() => {
    const name = request.name;
    if ((counts.get(name) ?? 0) > 1) fail(ErrorCode.INVALID_REQUEST, `Duplicate topic name ${name} in the request.`);
    validateTopicName(name);
    if (image.topic(name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const collides = taken.get(collisionKey(name));
    if (collides !== undefined) {
      fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collides}.`);
    }
    const explicit = request.assignments !== undefined && request.assignments.length > 0;
    const numPartitions = request.numPartitions ?? -1;
    const rf = request.replicationFactor ?? -1;
    if (explicit && (numPartitions !== -1 || rf !== -1)) {
      fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set.');
    }
    let placed: { replicas: number[]; isr: number[]; leader: number }[];
    if (explicit) {
      checkPartitionCount(request.assignments!.length);
      placed = manualPartitions(image, request.assignments!, 0, undefined);
    } else {
      const partitions = numPartitions === -1 ? options.defaults.numPartitions : numPartitions;
      const replicationFactor = rf === -1 ? options.defaults.replicationFactor : rf;
      checkPartitionCount(partitions);
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > 32767) {
        fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor must be larger than 0, got ${replicationFactor}.`);
      }
      placed = assignReplicas(placementBrokers(usableBrokers(image)), partitions, replicationFactor, { random: options.random })
        .map((replicas) => ({ replicas, isr: [...replicas], leader: replicas[0]! }));
    }
    const configs = { ...(request.configs ?? {}) };
    const unstorable = Object.keys(configs).find((k) => !isStorableConfigName(k));
    if (unstorable !== undefined) fail(ErrorCode.INVALID_CONFIG, `Invalid config name ${JSON.stringify(unstorable)}.`);
    validateConfigs(configs);

    let topicId = options.newTopicId();
    for (let tries = 0; image.topicById(topicId) || usedIds.has(topicId); tries++) {
      if (tries >= 8) fail(ErrorCode.UNKNOWN_SERVER_ERROR, 'Could not draw an unused topic id.');
      topicId = options.newTopicId();
    }
    usedIds.add(topicId);
    taken.set(collisionKey(name), name);
    if (!options.validateOnly) {
      records.push(metadataRecord('Topic', { name, topicId }), ...partitionRecords(topicId, 0, placed));
      for (const key of Object.keys(configs).sort()) {
        records.push(metadataRecord('Config', { resourceType: 'topic', resourceName: name, name: key, value: configs[key]! }));
      }
    }
    return { name, errorCode: ErrorCode.NONE, errorMessage: '', topicId, numPartitions: placed.length, replicationFactor: placed[0]!.replicas.length };
  }, (err) => ({ name: request.name, errorCode: err.code, errorMessage: err.message, numPartitions: -1, replicationFactor: -1 })));
  return { records, response };
}

/** Grows topics (never shrinks). New partitions continue the placement pattern of the existing
 * ones (Kafka starts at the index of partition 0's first replica) and keep their replication factor. */
export function createPartitions(
  image: MetadataImage, requests: readonly CreatePartitionsRequest[], options: CreatePartitionsOptions,
): ControllerResult<TopicResult[]> {
  const records: MetadataRecord[] = [];
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const response = requests.map((request): TopicResult => perItem(() => {
    const name = request.name;
    if ((counts.get(name) ?? 0) > 1) fail(ErrorCode.INVALID_REQUEST, `Duplicate topic name ${name} in the request.`);
    const topic = image.topic(name) ?? fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    const current = topic.partitions.length;
    if (!Number.isInteger(request.count) || request.count <= current) {
      fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than or equal to the requested ${request.count}.`);
    }
    checkPartitionCount(request.count);
    const rf = topic.partitions[0]!.replicas.length;
    const added = request.count - current;
    let placed: { replicas: number[]; isr: number[]; leader: number }[];
    if (request.assignments !== undefined && request.assignments.length > 0) {
      if (request.assignments.length !== added) {
        fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${added} additional partition(s), but only ${request.assignments.length} assignment(s) were specified.`);
      }
      placed = manualPartitions(image, request.assignments, current, rf);
    } else {
      const brokers = placementBrokers(usableBrokers(image));
      const sortedIds = brokers.map((b) => b.brokerId).sort((a, b) => a - b);
      const firstReplica = topic.partitions[0]!.replicas[0]!;
      const startIndex = Math.max(0, sortedIds.findIndex((id) => id >= firstReplica));
      placed = assignReplicas(brokers, added, rf, { random: options.random, fixedStartIndex: startIndex, startPartitionId: current })
        .map((replicas) => ({ replicas, isr: [...replicas], leader: replicas[0]! }));
    }
    if (!options.validateOnly) records.push(...partitionRecords(topic.topicId, current, placed));
    return { name, errorCode: ErrorCode.NONE, errorMessage: '' };
  }, (err) => ({ name: request.name, errorCode: err.code, errorMessage: err.message })));
  return { records, response };
}

export function deleteTopics(image: MetadataImage, names: readonly string[]): ControllerResult<DeleteTopicResult[]> {
  const records: MetadataRecord[] = [];
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const response = names.map((name): DeleteTopicResult => perItem(() => {
    if ((counts.get(name) ?? 0) > 1) fail(ErrorCode.INVALID_REQUEST, `Duplicate topic name ${name} in the request.`);
    const topic = image.topic(name) ?? fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    records.push(metadataRecord('RemoveTopic', { topicId: topic.topicId }));
    return { name, errorCode: ErrorCode.NONE, errorMessage: '', topicId: topic.topicId };
  }, (err) => ({ name, errorCode: err.code, errorMessage: err.message })));
  return { records, response };
}
