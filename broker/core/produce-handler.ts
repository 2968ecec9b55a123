// Produce: validate acks and topics, append each partition's batches as leader, answer per partition.
// Record bytes go from the request straight to PartitionLog.appendAsLeader; nothing is decoded here.
// acks=1 answers after the local append, acks=0 is never answered by the client's wait; acks=all is
// refused with NOT_ENOUGH_REPLICAS (nothing written) while the effective ISR is below
// min.insync.replicas, and otherwise answers once the high watermark passes the batch (or with
// NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT at the request's timeout_ms, or
// NOT_LEADER_OR_FOLLOWER when the leadership moves first: see replication/delayed-produce.ts).
import { ErrorCode, StraitError, BATCH_LENGTH, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, errorName, type wire } from '../../client/index.js';
import { CONSUMER_OFFSETS_TOPIC } from '../groups/index.js';
import { validateTopicName } from '../log/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

/** Holds an acks=all partition's place in the answer until its wait is over (never sent). */
const AWAITING_REPLICATION: wire.PartitionProduceResponse = Object.freeze({
  partition: -1, errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: '',
});

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
  const timeoutMs = Number.isSafeInteger(req.timeoutMs) && req.timeoutMs > 0 ? req.timeoutMs : 0;
  const topics: wire.TopicProduceResponse[] = [];
  const waiting: Promise<void>[] = [];
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
      // Kafka refuses clients' writes to its internal topics: the coordinator alone writes there,
      // and a record it cannot read would stop its groups from loading.
      if (name === CONSUMER_OFFSETS_TOPIC) throw new StraitError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`);
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
      const slot = partitions.length;
      const appended = appendPartition(ctx, name, partition, acks, timeoutMs, data?.records);
      if (appended instanceof Promise) {
        partitions.push(AWAITING_REPLICATION);
        waiting.push(appended.then((answer) => { partitions[slot] = answer; }));
      } else {
        partitions.push(appended);
      }
    }
  }
  // acks=all: the request is answered once every partition's wait is over (Kafka's DelayedProduce).
  await Promise.all(waiting);
  return { correlationId: req.correlationId, topics, throttleTimeMs: 0 };
}

/** The partition's answer, or (acks=all, appended) a promise of it once replicated. Never rejects. */
function appendPartition(
  ctx: BrokerContext, topic: string, partition: number, acks: number, timeoutMs: number, records: unknown,
): wire.PartitionProduceResponse | Promise<wire.PartitionProduceResponse> {
  try {
    if (!Buffer.isBuffer(records)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'records must be bytes');
    if (records.length === 0) throw new StraitError(ErrorCode.CORRUPT_MESSAGE, 'records hold no record batch');
    checkOneBatch(records);
    const { log, leaderEpoch } = ctx.topics.leaderLog(topic, partition);
    const leader = ctx.replicas.leaderOf(topic, partition, leaderEpoch);
    if (acks === -1) leader.checkEnoughReplicas();
    const result = log.appendAsLeader(records, leaderEpoch);
    if (!result.duplicate) {
      ctx.traffic.produced(topic, result.recordCount, records.length);
      leader.appended();
    }
    const answer: wire.PartitionProduceResponse = {
      partition,
      errorCode: ErrorCode.NONE,
      baseOffset: result.firstOffset,
      logAppendTimeMs: result.logAppendTimeMs,
      logStartOffset: result.logStartOffset,
      errorMessage: '',
    };
    if (acks !== -1) return answer;
    // A duplicate waits too: its first copy may not be replicated yet (a retry after a failover).
    return leader.awaitReplication(result.lastOffset + 1, timeoutMs).then((code) => code === ErrorCode.NONE ? answer : failed(partition,
      new StraitError(code, `${errorName(code)}: ${topic}-${partition} offsets ${result.firstOffset}..${result.lastOffset} `
        + `(high watermark ${log.highWatermark}, min.insync.replicas ${log.config.minInsyncReplicas})`)));
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic, partition }, 'produce: append failed');
    return failed(partition, err);
  }
}
