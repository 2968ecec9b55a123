// The controller's producer-id decision (KRaft's AllocateProducerIds): a broker takes ids in blocks
// and hands them out itself (cluster/producer-id-blocks.ts).
import { ErrorCode, StraitError } from '../../client/index.js';
import type { ControllerResult } from './controller-result.js';
import { type MetadataImage, metadataRecord } from '../metadata/index.js';

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
