// The admin client: topic and config management (Admin service, sent to the controller), cluster
// and topic descriptions (Metadata), and consumer groups (Groups service, at each group's
// coordinator). Multi-item operations throw one AdminOperationError that lists every failed item;
// items that could succeed have succeeded.
import { ErrorCode, StraitError, errorFromCode } from '../errors.js';
import { Cluster } from '../cluster/cluster.js';
import { unaryCall } from '../cluster/connection-pool.js';
import { ConfigReader, type ConfigObject } from '../cluster/config-values.js';
import { MAX_INT32, readClientConfig, type ClientConfig } from '../cluster/client-config.js';
import { listOffsets, type OffsetAnswer, type OffsetQuery } from '../cluster/list-offsets.js';
import type { PartitionInfo } from '../cluster/metadata-cache.js';
import type { CreateTopicsResponse__Output } from '../wire/generated/strait/v1/CreateTopicsResponse.js';
import type { DeleteTopicsResponse__Output } from '../wire/generated/strait/v1/DeleteTopicsResponse.js';
import type { CreatePartitionsResponse__Output } from '../wire/generated/strait/v1/CreatePartitionsResponse.js';
import type { DescribeConfigsResponse__Output } from '../wire/generated/strait/v1/DescribeConfigsResponse.js';
import type { IncrementalAlterConfigsResponse__Output } from '../wire/generated/strait/v1/IncrementalAlterConfigsResponse.js';
import type { DescribeClusterResponse__Output } from '../wire/generated/strait/v1/DescribeClusterResponse.js';
import { ConfigResourceType } from '../wire/generated/strait/v1/ConfigResourceType.js';
import { AlterConfigOp } from '../wire/generated/strait/v1/AlterConfigOp.js';
import { GroupCoordinators } from '../groups/coordinator.js';
import type { CommittedOffset, OffsetToCommit, TopicPartitionRef } from '../groups/offsets.js';
import { runItemRequest } from './item-requests.js';
import {
  alterPartitionReassignments, describeLogDirs, electLeaders, listPartitionReassignments,
  type BrokerLogDirs, type ElectionOutcome, type ElectionType, type PartitionReassignment, type PartitionReassignmentTarget, type TopicPartitionId,
} from './replication-admin.js';
import {
  alterGroupOffsets, deleteGroupOffsets, deleteGroups, describeGroups, listGroupOffsets, listGroups,
  type ConsumerGroupDescription, type ConsumerGroupListing, type GroupAdminContext,
} from './consumer-groups.js';
import { AdminOperationError, type ItemFailure } from './admin-errors.js';

export interface AdminOptions {
  'bootstrap.servers': string | readonly string[];
  'client.id'?: string;
  'request.timeout.ms'?: number | string;
  retries?: number | string;
  'retry.backoff.ms'?: number | string;
  'retry.backoff.max.ms'?: number | string;
  /** Bound of the calls that wait on a group coordinator (60000, as in Kafka). */
  'default.api.timeout.ms'?: number | string;
  [key: string]: ConfigObject[string];
}

export interface NewTopic {
  name: string;
  /** -1 or absent: the broker's num.partitions. */
  numPartitions?: number;
  /** -1 or absent: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface CreatedTopic {
  name: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export type ConfigResourceKind = 'topic' | 'broker';

export interface ConfigResource {
  type: ConfigResourceKind;
  name: string;
  /** Absent or empty: every key. */
  keys?: string[];
}

export interface ConfigEntryDescription {
  name: string;
  /** null for a sensitive value or a key without a value. */
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
}

export interface DescribedResource {
  type: ConfigResourceKind;
  name: string;
  configs: ConfigEntryDescription[];
}

export type AlterOp = 'set' | 'delete' | 'append' | 'subtract';

export interface ConfigAlteration {
  type: ConfigResourceKind;
  name: string;
  changes: { name: string; op?: AlterOp; value?: string }[];
}

/** One node as the metadata quorum sees it (DescribeCluster's `nodes`), for operators. */
export interface ClusterNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string;
  /** 'broker' and/or 'controller'. */
  roles: string[];
  fenced: boolean;
  inControlledShutdown: boolean;
  isVoter: boolean;
  brokerEpoch: number;
}

export interface ClusterDescription {
  clusterId: string;
  /** The active controller, -1 while there is none. */
  controllerId: number;
  /** Registered, unfenced brokers. */
  brokers: { nodeId: number; host: string; port: number; rack: string }[];
  /** Every node the answering node knows of, fenced ones included. */
  nodes: ClusterNode[];
  /** Voter ids of the metadata quorum. */
  voters: number[];
  /** The last metadata log offset the answering node applied. */
  metadataOffset: number;
}

const RESOURCE_TYPES = { topic: ConfigResourceType.TOPIC, broker: ConfigResourceType.BROKER } as const;
const ALTER_OPS = { set: AlterConfigOp.SET, delete: AlterConfigOp.DELETE, append: AlterConfigOp.APPEND, subtract: AlterConfigOp.SUBTRACT } as const;

const resourceKey = (type: ConfigResourceKind, name: string): string => `${type}:${name}`;

function resourceKind(type: number): ConfigResourceKind {
  return type === ConfigResourceType.BROKER ? 'broker' : 'topic';
}

export class Admin {
  readonly config: ClientConfig;
  private readonly cluster: Cluster;
  private readonly groups: GroupAdminContext;

  constructor(options: AdminOptions) {
    const reader = new ConfigReader(options);
    this.config = readClientConfig(reader, { retries: 5, clientIdPrefix: 'admin' });
    const defaultApiTimeoutMs = reader.int('default.api.timeout.ms', 60_000, { min: 1, max: MAX_INT32 });
    this.cluster = new Cluster({ ...this.config, allowAutoTopicCreation: false });
    this.groups = { cluster: this.cluster, coordinators: new GroupCoordinators(this.cluster), requestTimeoutMs: this.config.requestTimeoutMs, defaultApiTimeoutMs };
  }

  private get timeout(): number {
    return this.config.requestTimeoutMs;
  }

  async createTopics(topics: readonly NewTopic[], options: { validateOnly?: boolean } = {}): Promise<CreatedTopic[]> {
    const results = await runItemRequest(this.cluster, 'createTopics', topics, (t) => t.name, async (open, address) => {
      const client = this.cluster.pool.admin(address);
      const request = {
        topics: open.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          assignments: [],
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        timeoutMs: this.timeout,
        validateOnly: options.validateOnly ?? false,
      };
      const res = await unaryCall<CreateTopicsResponse__Output>((o, cb) => client.CreateTopics(request, o, cb), this.timeout, address);
      return res.topics.map((r) => ({
        item: r.name,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        result: { name: r.name, topicId: r.topicId, numPartitions: r.numPartitions, replicationFactor: r.replicationFactor },
      }));
    });
    return topics.map((t) => results.get(t.name)!);
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    await runItemRequest(this.cluster, 'deleteTopics', names, (n) => n, async (open, address) => {
      const client = this.cluster.pool.admin(address);
      const request = { topicNames: open, timeoutMs: this.timeout };
      const res = await unaryCall<DeleteTopicsResponse__Output>((o, cb) => client.DeleteTopics(request, o, cb), this.timeout, address);
      return res.topics.map((r) => ({ item: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage, result: undefined }));
    });
  }

  /** Raises each topic's partition count to `count`. */
  async createPartitions(topics: readonly { name: string; count: number }[], options: { validateOnly?: boolean } = {}): Promise<void> {
    await runItemRequest(this.cluster, 'createPartitions', topics, (t) => t.name, async (open, address) => {
      const client = this.cluster.pool.admin(address);
      const request = { topics: open.map((t) => ({ name: t.name, count: t.count, assignments: [] })), timeoutMs: this.timeout, validateOnly: options.validateOnly ?? false };
      const res = await unaryCall<CreatePartitionsResponse__Output>((o, cb) => client.CreatePartitions(request, o, cb), this.timeout, address);
      return res.topics.map((r) => ({ item: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage, result: undefined }));
    });
  }

  /** Names of all topics; internal ones only when asked. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const res = await this.cluster.retry(() => this.cluster.requestMetadata({ topics: [], allTopics: true, allowAutoTopicCreation: false }));
    return res.topics
      .filter((t) => t.errorCode === ErrorCode.NONE && (options.includeInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    const res = await this.cluster.retry(() => this.cluster.requestMetadata({ topics: [...names], allTopics: false, allowAutoTopicCreation: false }));
    const failures: ItemFailure[] = [];
    const found = new Map<string, TopicDescription>();
    for (const t of res.topics) {
      const err = errorFromCode(t.errorCode);
      if (err) {
        failures.push({ item: t.name, error: err });
        continue;
      }
      const info = this.cluster.metadata.topic(t.name);
      found.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions: info ? info.partitions : [] });
    }
    for (const n of names) if (!found.has(n) && !failures.some((f) => f.item === n)) failures.push({ item: n, error: new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) });
    if (failures.length > 0) {
      throw new AdminOperationError('describeTopics', failures);
    }
    return names.map((n) => found.get(n)!);
  }

  /** One resource's config entries, or, for a list, each resource's entries in the order asked. */
  describeConfigs(resource: ConfigResource): Promise<ConfigEntryDescription[]>;
  describeConfigs(resources: readonly ConfigResource[]): Promise<DescribedResource[]>;
  async describeConfigs(what: ConfigResource | readonly ConfigResource[]): Promise<ConfigEntryDescription[] | DescribedResource[]> {
    const resources: readonly ConfigResource[] = Array.isArray(what) ? what : [what as ConfigResource];
    // A broker's own configs (its file) are known only to it, so a broker id goes to that broker, as
    // Kafka's admin client sends it; topics and the cluster default ('') go to the controller.
    const brokerOf = (r: ConfigResource): number | undefined => (r.type === 'broker' && /^\d+$/.test(r.name) ? Number(r.name) : undefined);
    const groups = new Map<number | undefined, ConfigResource[]>();
    for (const r of resources) {
      const target = brokerOf(r);
      groups.set(target, [...(groups.get(target) ?? []), r]);
    }
    if ([...groups.keys()].some((id) => id !== undefined && !this.cluster.metadata.broker(id))) await this.cluster.refreshMetadata().catch(() => undefined);
    const results = new Map<string, ConfigEntryDescription[]>();
    const failures: ItemFailure[] = [];
    for (const [brokerId, group] of groups) {
      const addressOf = brokerId === undefined ? undefined : () => this.cluster.metadata.broker(brokerId)?.address ?? this.cluster.anyAddress();
      const answered = await runItemRequest(this.cluster, 'describeConfigs', group, (r) => resourceKey(r.type, r.name), async (open, address) => {
        const client = this.cluster.pool.admin(address);
        const request = {
          resources: open.map((r) => ({ resourceType: RESOURCE_TYPES[r.type], resourceName: r.name, configurationKeys: r.keys ?? [] })),
          includeDocumentation: false,
        };
        const res = await unaryCall<DescribeConfigsResponse__Output>((o, cb) => client.DescribeConfigs(request, o, cb), this.timeout, address);
        return res.results.map((r) => ({
          item: resourceKey(resourceKind(r.resourceType), r.resourceName),
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          result: r.configs.map((c) => ({ name: c.name, value: c.value ?? null, readOnly: c.readOnly, source: c.source, isSensitive: c.isSensitive })),
        }));
      }, addressOf).catch((err: unknown) => {
        if (!(err instanceof AdminOperationError)) throw err;
        failures.push(...err.failures);
        return new Map<string, ConfigEntryDescription[]>();
      });
      for (const [key, configs] of answered) results.set(key, configs);
    }
    if (failures.length > 0) throw new AdminOperationError('describeConfigs', failures);
    const described = resources.map((r) => ({ type: r.type, name: r.name, configs: results.get(resourceKey(r.type, r.name))! }));
    return Array.isArray(what) ? described : described[0]!.configs;
  }

  async incrementalAlterConfigs(alterations: readonly ConfigAlteration[], options: { validateOnly?: boolean } = {}): Promise<void> {
    await runItemRequest(this.cluster, 'incrementalAlterConfigs', alterations, (a) => resourceKey(a.type, a.name), async (open, address) => {
      const client = this.cluster.pool.admin(address);
      const request = {
        resources: open.map((a) => ({
          resourceType: RESOURCE_TYPES[a.type],
          resourceName: a.name,
          configs: a.changes.map((c) => ({ name: c.name, configOperation: ALTER_OPS[c.op ?? 'set'], value: c.value ?? '' })),
        })),
        validateOnly: options.validateOnly ?? false,
      };
      const res = await unaryCall<IncrementalAlterConfigsResponse__Output>((o, cb) => client.IncrementalAlterConfigs(request, o, cb), this.timeout, address);
      return res.responses.map((r) => ({ item: resourceKey(resourceKind(r.resourceType), r.resourceName), errorCode: r.errorCode, errorMessage: r.errorMessage, result: undefined }));
    });
  }

  /**
   * The cluster as some node sees it; with `node` ("host:port"), as that node sees it (each node
   * answers from its own metadata image, so an operator can compare them).
   */
  async describeCluster(options: { node?: string } = {}): Promise<ClusterDescription> {
    return this.cluster.retry(async () => {
      const address = options.node ?? this.cluster.anyAddress();
      const client = this.cluster.pool.admin(address);
      const res = await unaryCall<DescribeClusterResponse__Output>((o, cb) => client.DescribeCluster({}, o, cb), this.timeout, address);
      const err = errorFromCode(res.errorCode, res.errorMessage);
      if (err) throw err;
      return {
        clusterId: res.clusterId,
        controllerId: res.controllerId,
        brokers: res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
        nodes: res.nodes.map((n) => ({
          nodeId: n.nodeId,
          host: n.host,
          port: n.port,
          rack: n.rack,
          roles: [...n.roles],
          fenced: n.fenced,
          inControlledShutdown: n.inControlledShutdown,
          isVoter: n.isVoter,
          brokerEpoch: n.brokerEpoch,
        })),
        voters: [...res.voters],
        metadataOffset: res.metadataOffset,
      };
    });
  }

  /** Preferred or unclean leader elections for the partitions named, or (undefined) every partition,
   * where only those that needed one are answered; each outcome carries its partition's error. */
  electLeaders(type: ElectionType, partitions?: readonly TopicPartitionId[]): Promise<ElectionOutcome[]> {
    return electLeaders(this.cluster, this.timeout, type, partitions);
  }

  /** Starts reassignments (replicas: the target) or cancels them (replicas: null); throws an
   * AdminOperationError naming each partition refused (as `topic-partition`). */
  alterPartitionReassignments(targets: readonly PartitionReassignmentTarget[]): Promise<void> {
    return alterPartitionReassignments(this.cluster, this.timeout, targets);
  }

  /** Running reassignments, of the partitions named or of all. */
  listPartitionReassignments(partitions?: readonly TopicPartitionId[]): Promise<PartitionReassignment[]> {
    return listPartitionReassignments(this.cluster, this.timeout, partitions);
  }

  /** Each broker's log dirs with its replicas (size, log end offset, lag), asked of each broker itself;
   * every live broker when brokerIds is undefined, every topic when topics is empty. */
  describeLogDirs(brokerIds?: readonly number[], topics: readonly string[] = []): Promise<BrokerLogDirs[]> {
    return describeLogDirs(this.cluster, this.timeout, brokerIds, topics);
  }

  /** Offsets by timestamp (LATEST_TIMESTAMP -1, EARLIEST_TIMESTAMP -2, MAX_TIMESTAMP -3, or ms). */
  listOffsets(queries: readonly OffsetQuery[], options: { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {}): Promise<OffsetAnswer[]> {
    return listOffsets(this.cluster, queries, options.isolationLevel === 'read_committed' ? 1 : 0);
  }

  /** The consumer groups of the cluster (every broker lists those it coordinates), optionally only those in `states`. */
  listGroups(options: { states?: readonly string[] } = {}): Promise<ConsumerGroupListing[]> {
    return listGroups(this.groups, options.states);
  }

  /** Each group as its coordinator sees it: state, epochs, assignor, members with their partitions. */
  describeGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
    return describeGroups(this.groups, groupIds);
  }

  /** Deletes empty groups and their committed offsets (NON_EMPTY_GROUP while a group has members). */
  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return deleteGroups(this.groups, groupIds);
  }

  /** The group's committed offsets: of the given partitions (offset -1 where none), or all it has. */
  listConsumerGroupOffsets(groupId: string, options: { partitions?: readonly TopicPartitionRef[] } = {}): Promise<CommittedOffset[]> {
    return listGroupOffsets(this.groups, groupId, options.partitions);
  }

  /** Commits offsets for a group outside membership (what --reset-offsets does); refused while it has members. */
  alterConsumerGroupOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
    return alterGroupOffsets(this.groups, groupId, offsets);
  }

  /** Deletes the group's committed offsets of these partitions; an AdminOperationError names each that failed. */
  deleteConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): Promise<void> {
    return deleteGroupOffsets(this.groups, groupId, partitions);
  }

  async close(): Promise<void> {
    this.cluster.close();
  }
}
