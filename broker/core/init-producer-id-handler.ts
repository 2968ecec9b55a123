// InitProducerId for idempotent producers: a new id (epoch 0) from this broker's block of the
// controller's producer ids, or the same id with the next epoch when a producer re-initializes with
// its current id/epoch. Transactions come with a later issue.
import { ErrorCode, type wire } from '../../client/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

const MAX_EPOCH = 32_767;

export async function handleInitProducerId(ctx: BrokerContext, req: wire.InitProducerIdRequest__Output): Promise<wire.InitProducerIdResponse> {
  if (typeof req.transactionalId === 'string' && req.transactionalId !== '') {
    return { errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
  }
  try {
    const id = req.producerId;
    const epoch = req.producerEpoch;
    if (Number.isSafeInteger(id) && id >= 0) {
      if (!ctx.producerIds.isIssued(id)) return { errorCode: ErrorCode.UNKNOWN_PRODUCER_ID, producerId: -1, producerEpoch: -1 };
      if (!Number.isInteger(epoch) || epoch < 0) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, producerId: -1, producerEpoch: -1 };
      // An exhausted epoch starts over with a fresh id, as Kafka does.
      if (epoch >= MAX_EPOCH) return { errorCode: ErrorCode.NONE, producerId: await ctx.producerIds.allocate(), producerEpoch: 0 };
      return { errorCode: ErrorCode.NONE, producerId: id, producerEpoch: epoch + 1 };
    }
    return { errorCode: ErrorCode.NONE, producerId: await ctx.producerIds.allocate(), producerEpoch: 0 };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err }, 'init producer id failed');
    return { errorCode: errorFields(err).errorCode, producerId: -1, producerEpoch: -1 };
  }
}
