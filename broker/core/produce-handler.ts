// Produce: validate acks and topics, append each partition's batches as leader, answer per partition.
// Record bytes go from the request straight to PartitionLog.appendAsLeader; nothing is decoded here.
import { ErrorCode, StraitError, BATCH_LENGTH, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, type wire } from '../../client/index.js';
import { validateTopicName } from '../log/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

/** Single node: the ISR is this node alone. */
const ISR_SIZE = 1;

function failed(partition: number, err: unknown): wire.PartitionProduceResponse {
  const { errorCode, errorMessage } = errorFields(err);
  return { partition, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}

/**
 * Kafka's rule for magic-2 produce requests: one batch per partition. It is what lets an answer carry
 * the batch's own offsets (a re-sent duplicate's original ones) and keeps every unanswered batch of an
 * idempotent producer inside the broker's five-batch window.
 */
function checkOneBatch(records: Buffer): void {
  if (records.length < RECORD_BATCH_OVERHEAD) return; // no whole header: validation names the problem
  const first = LOG_OVERHEAD + records.readInt32BE(BATCH_LENGTH);
  // A first length shorter than a header is a damaged frame, not a second batch: validation names it.
  if (first >= RECORD_BATCH_OVERHEAD && first < records.length) {
    throw new StraitError(ErrorCode.INVALID_RECORD,
      `a produce request carries one record batch per partition; this one holds ${records.length - first} bytes after its first batch of ${first}`);
  }
}

function partitionNumber(value: unknown): number {
  return Number.isInteger(value) ? (value as number) : -1;
}

export async function handleProduce(ctx: BrokerContext, req: wire.ProduceRequest__Output): Promise<wire.ProduceResponse> {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const acks = req.acks;
  const badAcks = acks !== 0 && acks !== 1 && acks !== -1;
  const topics: wire.TopicProduceResponse[] = [];
  for (const topic of req.topics) {
    const partitions: wire.PartitionProduceResponse[] = [];
    const name = typeof topic?.name === 'string' ? topic.name : '';
    topics.push({ name, partitions });
    const entries = Array.isArray(topic?.partitions) ? topic.partitions : [];
    let topicError: unknown;
    try {
      if (badAcks) throw new StraitError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${String(acks)}`);
      if (typeof topic?.name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
      validateTopicName(name);
      if (!ctx.topics.get(name)) {
        if (!ctx.config.autoCreateTopicsEnable) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist`);
        await ctx.topics.ensure(name, ctx.config.numPartitions);
      }
    } catch (err) {
      topicError = err;
      if (isUnexpected(err)) ctx.logger.error({ err, topic: name }, 'produce: topic lookup failed');
    }
    for (const data of entries) {
      const partition = partitionNumber(data?.partition);
      if (topicError !== undefined) {
        partitions.push(failed(partition, topicError));
        continue;
      }
      partitions.push(appendPartition(ctx, name, partition, acks, data?.records));
    }
  }
  return { correlationId: req.correlationId, topics, throttleTimeMs: 0 };
}

function appendPartition(ctx: BrokerContext, topic: string, partition: number, acks: number, records: unknown): wire.PartitionProduceResponse {
  try {
    if (!Buffer.isBuffer(records)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'records must be bytes');
    if (records.length === 0) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, 'records hold no record batch');
    checkOneBatch(records);
    const { log, leaderEpoch } = ctx.topics.leaderLog(topic, partition);
    if (acks === -1 && log.config.minInsyncReplicas > ISR_SIZE) {
      throw new StraitError(ErrorCode.NOT_ENOUGH_REPLICAS,
        `min.insync.replicas is ${log.config.minInsyncReplicas} but the ISR of ${topic}-${partition} has ${ISR_SIZE} replica`);
    }
    const result = log.appendAsLeader(records, leaderEpoch);
    if (!result.duplicate) {
      ctx.traffic.produced(topic, result.recordCount, records.length);
      ctx.purgatory.onAppend(topic, partition);
    }
    return {
      partition,
      errorCode: ErrorCode.NONE,
      baseOffset: result.firstOffset,
      logAppendTimeMs: result.logAppendTimeMs,
      logStartOffset: result.logStartOffset,
      errorMessage: '',
    };
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic, partition }, 'produce: append failed');
    return failed(partition, err);
  }
}
