// The active controller's decisions, all pure: each takes the current image (the committed one with
// the controller's own pending records applied) and returns the records to append and the answer to
// give after they commit, or throws StraitError with Kafka's code. Broker lifecycle, topics and
// configs, ISR changes and elections live in their own files; this one adds producer-id blocks and is the single import point.
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, metadataRecord } from '../metadata/index.js';

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
  electLeaders, type ElectionResult, type ElectionType, type TopicPartitionRef,
} from './controller-elections.js';
export { alterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from './controller-isr.js';
export {
  incrementalAlterConfigs, type AlterConfigOp, type AlterConfigOpType, type AlterConfigsOptions, type AlterConfigsResource,
  type AlterConfigsResult,
} from './controller-configs.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdBlock {
  readonly firstProducerId: number;
  readonly size: number;
}

/** The next block of producer ids for a broker (KRaft's AllocateProducerIds): the broker's epoch
 * must be current, so a zombie incarnation gets nothing. */
export function allocateProducerIds(image: MetadataImage, brokerId: number, brokerEpoch: number): ControllerResult<ProducerIdBlock> {
  const broker = image.broker(brokerId);
  if (!broker || broker.brokerEpoch !== brokerEpoch) {
    throw new StraitError(ErrorCode.STALE_BROKER_EPOCH,
      broker ? `Expected broker epoch ${broker.brokerEpoch} for broker ${brokerId}, got ${brokerEpoch}.` : `No broker registration found for broker ${brokerId}.`);
  }
  const firstProducerId = image.nextProducerId;
  const nextProducerId = firstProducerId + PRODUCER_ID_BLOCK_SIZE;
  if (!Number.isSafeInteger(nextProducerId)) throw new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, 'Exhausted all producer ids.');
  return {
    records: [metadataRecord('ProducerIds', { brokerId, brokerEpoch, nextProducerId })],
    response: { firstProducerId, size: PRODUCER_ID_BLOCK_SIZE },
  };
}
