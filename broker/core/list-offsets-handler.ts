// ListOffsets: -1 latest (the high watermark, what a consumer can read up to), -2 earliest (the log
// start), -3 the first record holding the largest timestamp, otherwise the first record (lowest
// offset) whose timestamp is at or after a time, with that record's own timestamp. A record at or
// above the high watermark is not answered (offset -1), as Kafka filters by the last fetchable offset.
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

function lookup(ctx: BrokerContext, topic: string, partition: number, timestamp: unknown, leaderEpoch: number | undefined): wire.ListOffsetsPartitionResponse {
  try {
    const { log, leaderEpoch: LEADER_EPOCH } = ctx.topics.leaderLog(topic, partition, leaderEpoch);
    const leader = ctx.replicas.leaderOf(topic, partition, LEADER_EPOCH);
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < MAX_TIMESTAMP) {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `timestamp ${String(timestamp)} is not valid`);
    }
    const found = (offset: number, ts: number, epoch: number): wire.ListOffsetsPartitionResponse =>
      ({ partition, errorCode: ErrorCode.NONE, timestamp: ts, offset, leaderEpoch: epoch });
    if (timestamp === LATEST_TIMESTAMP) {
      // KIP-207: a new leader whose high watermark is still below the start of its epoch would answer
      // an end lower than its predecessor may have; Kafka answers OFFSET_NOT_AVAILABLE (retriable).
      if (log.highWatermark < leader.state.epochStartOffset) {
        throw new StraitError(ErrorCode.OFFSET_NOT_AVAILABLE,
          `The high watermark ${log.highWatermark} of ${topic}-${partition} has not reached the start ${leader.state.epochStartOffset} of leader epoch ${LEADER_EPOCH}`);
      }
      return found(log.highWatermark, -1, LEADER_EPOCH);
    }
    if (timestamp === EARLIEST_TIMESTAMP) return found(log.logStartOffset, -1, LEADER_EPOCH);
    const hit = log.offsetForTimestamp(timestamp);
    if (!hit || hit.offset >= log.highWatermark) return found(-1, -1, -1);
    return found(hit.offset, hit.timestamp, hit.leaderEpoch);
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic, partition }, 'list offsets failed');
    return { partition, errorCode: errorFields(err).errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 };
  }
}

export function handleListOffsets(ctx: BrokerContext, req: wire.ListOffsetsRequest__Output): wire.ListOffsetsResponse {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const topics: wire.ListOffsetsTopicResponse[] = [];
  for (const t of req.topics) {
    const name = typeof t?.name === 'string' ? t.name : '';
    const partitions = (Array.isArray(t?.partitions) ? t.partitions : []).map((p) =>
      lookup(ctx, name, Number.isInteger(p?.partition) ? p.partition : -1, p?.timestamp, p?.currentLeaderEpoch));
    topics.push({ name, partitions });
  }
  return { topics };
}
