// broker/controller: every decision of the active controller (DESIGN §6). The decisions are pure:
// each takes the image (the committed one with the controller's own pending records applied) and
// returns the records to append and the answer to give once they commit, or throws StraitError with
// Kafka's code. ActiveController runs them one at a time on the Raft leader; the controller
// operations name them, so a write can be forwarded from any node; ControllerChannel is how any
// node reaches the active controller, in process or over the Quorum service.
export { ActiveController, type ActiveControllerOptions, type ControllerObserver, type Decided, type Decision } from './active-controller.js';
export {
  decisionFor, FORWARDED_OPERATIONS, type ControllerOperation, type ControllerWrites, type DecisionContext,
  type AllocateProducerIdsWrite, type AlterConfigsWrite, type CreatePartitionsWrite, type CreateTopicsWrite, type DeleteTopicsWrite,
  type AlterPartitionReassignmentsWrite, type ElectLeadersWrite,
} from './controller-operations.js';
export { ControllerChannel, type ControllerAnswer, type ControllerChannelOptions } from './controller-channel.js';
export { ANSWERED_ONCE, answerOnce } from './controller-retries.js';
export type { ControllerResult } from './controller-result.js';
export {
  BrokerSessions, DEFAULT_BROKER_SESSION_TIMEOUT_MS, brokerHeartbeat, fenceExpiredBrokers, initializeCluster, registerBroker,
  type BrokerHeartbeatRequest, type BrokerHeartbeatResponse, type BrokerRegistrationRequest, type BrokerRegistrationResponse,
  type FencedBrokers,
} from './controller-brokers.js';
export {
  MAX_PARTITIONS_PER_TOPIC, createPartitions, createTopics, deleteTopics,
  type CreatePartitionsOptions, type CreatePartitionsRequest, type CreateTopicRequest, type CreateTopicResult,
  type CreateTopicsOptions, type DeleteTopicResult, type TopicResult,
} from './controller-topics.js';
export {
  balanceLeaders, electLeaders, leaderImbalance, type BrokerImbalance, type ElectionResult, type ElectionType, type TopicPartitionRef,
} from './controller-elections.js';
export {
  alterPartitionReassignments, completedReassignment, listPartitionReassignments,
  type CompletedReassignment, type OngoingReassignment, type ReassignmentOptions, type ReassignmentRequest, type ReassignmentResult,
} from './controller-reassignments.js';
export { alterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from './controller-isr.js';
export {
  incrementalAlterConfigs, type AlterConfigOp, type AlterConfigOpType, type AlterConfigsOptions, type AlterConfigsResource,
  type AlterConfigsResult,
} from './controller-configs.js';
export { PRODUCER_ID_BLOCK_SIZE, allocateProducerIds, type ProducerIdBlock } from './controller-producer-ids.js';
export * from './placement.js';
export {
  acceptableLeaders, electLeader, electOfflinePartitions, reconcileOfflineReplicas, removeBrokersFromPartitions, type AcceptableLeader,
} from './partition-changes.js';
