// The writes the active controller decides, by name, so that a node that is not the controller can
// forward one (ControllerWrite carries the name and the request as JSON) and the controller runs
// exactly what it would have run for a request of its own.
import { randomUUID } from 'node:crypto';
import { ErrorCode, StraitError } from '../../client/index.js';
import { BROKER_KEYS } from '../config/config-keys.js';
import { validateDynamicBrokerConfigs } from '../config/dynamic-broker-configs.js';
import { parseTopicConfigs, type TopicConfig } from '../log/index.js';
import { brokerHeartbeat, registerBroker, type BrokerHeartbeatRequest, type BrokerRegistrationRequest } from './controller-brokers.js';
import { incrementalAlterConfigs, type AlterConfigsResource } from './controller-configs.js';
import { electLeaders, type ElectionType, type TopicPartitionRef } from './controller-elections.js';
import { alterPartition, type AlterPartitionRequest } from './controller-isr.js';
import { allocateProducerIds } from './controller-producer-ids.js';
import { alterPartitionReassignments, type ReassignmentRequest } from './controller-reassignments.js';
import {
  createPartitions, createTopics, deleteTopics, type CreatePartitionsRequest, type CreateTopicRequest,
} from './controller-topics.js';
import type { Decision } from './active-controller.js';

export interface CreateTopicsWrite {
  topics: CreateTopicRequest[];
  validateOnly: boolean;
  defaults: { numPartitions: number; replicationFactor: number };
}
export interface DeleteTopicsWrite { names: string[] }
export interface CreatePartitionsWrite { topics: CreatePartitionsRequest[]; validateOnly: boolean }
export interface AlterConfigsWrite { resources: AlterConfigsResource[]; validateOnly: boolean }
export interface AllocateProducerIdsWrite { brokerId: number; brokerEpoch: number }
/** partitions null: every partition (only those that needed an election are answered). */
export interface ElectLeadersWrite { type: ElectionType; partitions: TopicPartitionRef[] | null }
export interface AlterPartitionReassignmentsWrite { reassignments: ReassignmentRequest[] }

export interface ControllerWrites {
  createTopics: CreateTopicsWrite;
  deleteTopics: DeleteTopicsWrite;
  createPartitions: CreatePartitionsWrite;
  incrementalAlterConfigs: AlterConfigsWrite;
  registerBroker: BrokerRegistrationRequest;
  brokerHeartbeat: BrokerHeartbeatRequest;
  allocateProducerIds: AllocateProducerIdsWrite;
  /** A partition leader's ISR change (replication: shrink after replica.lag.time.max.ms, expand once caught up). */
  alterPartition: AlterPartitionRequest;
  /** Preferred or unclean leader elections (ElectLeaders, `strait leader-election`). */
  electLeaders: ElectLeadersWrite;
  /** Start or cancel partition reassignments (KIP-455, `strait reassign-partitions`). */
  alterPartitionReassignments: AlterPartitionReassignmentsWrite;
}
export type ControllerOperation = keyof ControllerWrites;

/** The writes a node forwards to the controller with ControllerWrite: the admin writes, and a
 * leader's ISR changes. */
export const FORWARDED_OPERATIONS: readonly ControllerOperation[] = [
  'createTopics', 'deleteTopics', 'createPartitions', 'incrementalAlterConfigs', 'alterPartition', 'electLeaders', 'alterPartitionReassignments',
];

export interface DecisionContext {
  /** The controller's topic defaults, against which topic overrides are validated. */
  topicDefaults: TopicConfig;
  sessionTimeoutMs: number;
}

function list<T>(value: unknown, what: string): T[] {
  if (!Array.isArray(value)) throw new StraitError(ErrorCode.INVALID_REQUEST, `${what} must be a list`);
  return value as T[];
}

/** The decision for a write, checking the shape a forwarded request could get wrong. */
export function decisionFor<O extends ControllerOperation>(operation: O, request: ControllerWrites[O], ctx: DecisionContext): Decision<unknown> {
  if (request === null || typeof request !== 'object') throw new StraitError(ErrorCode.INVALID_REQUEST, `${operation}: the request is not an object`);
  const validateConfigs = (configs: Record<string, string>): void => { parseTopicConfigs(configs, ctx.topicDefaults); };
  switch (operation) {
    case 'createTopics': {
      const r = request as CreateTopicsWrite;
      const topics = list<CreateTopicRequest>(r.topics, 'topics');
      return (image) => createTopics(image, topics, {
        defaults: r.defaults, validateConfigs, random: Math.random, newTopicId: randomUUID, validateOnly: r.validateOnly === true,
      });
    }
    case 'deleteTopics': {
      const names = list<string>((request as DeleteTopicsWrite).names, 'names');
      return (image) => deleteTopics(image, names);
    }
    case 'createPartitions': {
      const r = request as CreatePartitionsWrite;
      const topics = list<CreatePartitionsRequest>(r.topics, 'topics');
      return (image) => createPartitions(image, topics, { random: Math.random, validateOnly: r.validateOnly === true });
    }
    case 'incrementalAlterConfigs': {
      const r = request as AlterConfigsWrite;
      const resources = list<AlterConfigsResource>(r.resources, 'resources');
      return (image) => incrementalAlterConfigs(image, resources, {
        validateTopicConfigs: validateConfigs,
        // Only the replication throttles change at runtime; every other broker key is read from the file.
        validateBrokerConfigs: (_name, overrides) => validateDynamicBrokerConfigs(overrides, (key) => Object.hasOwn(BROKER_KEYS, key)),
        validateOnly: r.validateOnly === true,
      });
    }
    case 'registerBroker':
      return (image, sessions, now) => registerBroker(image, request as BrokerRegistrationRequest, now, sessions);
    case 'brokerHeartbeat':
      return (image, sessions, now) => brokerHeartbeat(image, request as BrokerHeartbeatRequest, now, sessions);
    case 'allocateProducerIds': {
      const r = request as AllocateProducerIdsWrite;
      return (image) => allocateProducerIds(image, r.brokerId, r.brokerEpoch);
    }
    case 'alterPartition': {
      const r = request as AlterPartitionRequest;
      return (image) => alterPartition(image, r);
    }
    case 'electLeaders': {
      const r = request as ElectLeadersWrite;
      if (r.type !== 'preferred' && r.type !== 'unclean') throw new StraitError(ErrorCode.INVALID_REQUEST, `Unknown election type ${JSON.stringify(r.type)}.`);
      const partitions = r.partitions === null ? undefined : list<TopicPartitionRef>(r.partitions, 'partitions');
      return (image) => electLeaders(image, partitions, r.type);
    }
    case 'alterPartitionReassignments': {
      const reassignments = list<ReassignmentRequest>((request as AlterPartitionReassignmentsWrite).reassignments, 'reassignments');
      return (image) => alterPartitionReassignments(image, reassignments, { uncleanDefault: ctx.topicDefaults.uncleanLeaderElectionEnable });
    }
    default:
      throw new StraitError(ErrorCode.INVALID_REQUEST, `unknown controller operation ${String(operation)}`);
  }
}
