// The leader's side of ReplicaFetch (Kafka's follower fetch in ReplicaManager.fetchMessages and
// Partition.fetchRecords). The request names partitions by topic id. Checked in Kafka's order: the
// cluster id, the follower's broker epoch (the incarnation this node's metadata knows), then per
// partition: known, led here, the leader epoch, the follower a replica of it; then the divergence of
// its history (KIP-320: diverging_epoch, no records, its fetch not counted), then the fetch offset
// against the log's bounds (OFFSET_OUT_OF_RANGE). A valid fetch first counts as the follower's log
// end (the high watermark may move, the ISR may grow); records are then read to the log end (not the
// high watermark), within partition_max_bytes and max_bytes, the first partition with data giving at
// least one whole batch. With fewer than min_bytes, the fetch waits up to max_wait_ms for appends.
// A follower outside the ISR of a partition listed in leader.replication.throttled.replicas gets only
// what the leader throttle has left (nothing while it is spent; whole batches always), and those bytes
// are taken from it once the answer is built (replication-throttles.ts).
import { ErrorCode, StraitError, MAX_GRPC_MESSAGE_BYTES, type wire } from '../../client/index.js';
import type { MetadataImage } from '../metadata/index.js';
import { checkDivergence } from './divergence.js';
import type { PartitionLeader } from './partition-leader.js';
import type { Purgatory } from './purgatory.js';
import type { LeaderThrottle } from './replication-throttles.js';
import {
  encodeReplicaFetchError, encodeReplicaFetchResponse, type EncodedReplicaFetchResponse, type PartitionAnswer,
} from './replica-fetch-frame.js';

/** Room left in a gRPC message for everything around the record bytes. */
const MAX_RESPONSE_BYTES = MAX_GRPC_MESSAGE_BYTES - 1024 * 1024;
const MAX_WAIT_MS = 60_000;

export interface LeaderFetchContext {
  readonly clusterId: string;
  readonly image: () => MetadataImage;
  /** The partition's leadership on this node, when it leads it. */
  readonly leaderOf: (topic: string, partition: number) => PartitionLeader | undefined;
  /** Whether the partition's log is offline on this node. */
  readonly offline: (topic: string, partition: number) => boolean;
  readonly purgatory: Purgatory;
  readonly throttle?: LeaderThrottle;
}

/** One partition of a fetch, once checked: where to read, or the answer already decided. */
interface PartitionFetch {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
  readonly fields: wire.ReplicaFetchPartitionResponse;
  /** Set while the partition is to be read (no error, no divergence). */
  readonly leader: PartitionLeader | undefined;
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

function fail(fields: wire.ReplicaFetchPartitionResponse, err: StraitError): void {
  fields.errorCode = err.code as wire.ReplicaFetchPartitionResponse['errorCode'];
  fields.errorMessage = err.message;
}

/** The checks of the file's head for one partition; records the follower's fetch when valid. */
function checkPartition(ctx: LeaderFetchContext, image: MetadataImage, replicaId: number, p: wire.ReplicaFetchPartition__Output, defaultMax: number): PartitionFetch {
  const topicId = typeof p?.topicId === 'string' ? p.topicId : '';
  const partition = int(p?.partition) ?? -1;
  const fetchOffset = int(p?.fetchOffset) ?? -1;
  const requested = int(p?.partitionMaxBytes) ?? 0;
  const maxBytes = requested > 0 ? requested : defaultMax;
  const fields: wire.ReplicaFetchPartitionResponse = {
    topicId, partition, errorCode: ErrorCode.NONE, errorMessage: '', highWatermark: -1, logEndOffset: -1, logStartOffset: -1, recordsSize: 0,
  };
  const topic = image.topicById(topicId);
  const name = topic?.name ?? '';
  const none = { topic: name, partition, fetchOffset, maxBytes, fields, leader: undefined };
  try {
    const known = topic?.partitions[partition];
    if (!topic || !known) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${topicId}-${partition} does not exist`);
    const where = `${name}-${partition}`;
    if (ctx.offline(name, partition)) throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, `The log of ${where} is offline on this node`);
    const leader = ctx.leaderOf(name, partition);
    const epoch = int(p.currentLeaderEpoch) ?? -1;
    if (!leader) throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This node does not lead ${where} (leader ${known.leader})`);
    if (epoch < leader.leaderEpoch) throw new StraitError(ErrorCode.FENCED_LEADER_EPOCH, `Leader epoch ${epoch} of ${where} is older than ${leader.leaderEpoch}`);
    if (epoch > leader.leaderEpoch) throw new StraitError(ErrorCode.UNKNOWN_LEADER_EPOCH, `Leader epoch ${epoch} of ${where} is newer than ${leader.leaderEpoch}`);
    if (!leader.state.replicas.includes(replicaId)) throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Node ${replicaId} is not a replica of ${where}`);
    const log = leader.log;
    fields.highWatermark = log.highWatermark;
    fields.logEndOffset = log.logEndOffset;
    fields.logStartOffset = log.logStartOffset;
    const lastFetchedEpoch = int(p.lastFetchedEpoch) ?? -1;
    const divergence = checkDivergence(fetchOffset, lastFetchedEpoch, (e) => log.endOffsetForEpoch(e));
    if (divergence.kind === 'diverging') {
      fields.divergingEpoch = { epoch: divergence.epoch, endOffset: divergence.endOffset };
      return none;
    }
    if (divergence.kind === 'unknown') {
      throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `Epoch ${lastFetchedEpoch} is newer than every epoch of ${where} here`);
    }
    if (fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) {
      throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `Fetch offset ${fetchOffset} is outside [${log.logStartOffset}, ${log.logEndOffset}] of ${where}`);
    }
    leader.followerFetched(replicaId, fetchOffset);
    return { topic: name, partition, fetchOffset, maxBytes, fields, leader };
  } catch (err) {
    if (!(err instanceof StraitError)) throw err;
    fail(fields, err);
    return none;
  }
}

interface LocatedAnswers {
  answers: PartitionAnswer[];
  /** What would be sent. */
  bytes: number;
  /** Of those, the bytes that count against the leader throttle. */
  throttledBytes: number;
  failed: boolean;
}

/** Where each partition's records lie now, within the bounds (and the leader throttle's budget). */
function locateAll(fetches: readonly PartitionFetch[], maxBytes: number, replicaId: number, throttle: LeaderThrottle | undefined): LocatedAnswers {
  let remaining = maxBytes;
  let bytes = 0;
  let throttledBytes = 0;
  let failed = false;
  const answers = fetches.map((f): PartitionAnswer => {
    const { fields, leader } = f;
    if (!leader || fields.errorCode !== ErrorCode.NONE) {
      failed ||= fields.errorCode !== ErrorCode.NONE || fields.divergingEpoch !== undefined;
      return { fields, read: undefined };
    }
    if (!leader.isActive) {
      fail(fields, new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `This node no longer leads ${f.topic}-${f.partition} at epoch ${leader.leaderEpoch}`));
      failed = true;
      return { fields, read: undefined };
    }
    const log = leader.log;
    fields.highWatermark = log.highWatermark;
    fields.logEndOffset = log.logEndOffset;
    fields.logStartOffset = log.logStartOffset;
    try {
      let limit = Math.min(f.maxBytes, remaining);
      const throttled = throttle !== undefined && throttle.applies(leader, replicaId);
      if (throttled) {
        const budget = throttle.available();
        // Spent: this partition waits (its fetch offset still counted); others may answer.
        if (budget <= 0) return { fields, read: undefined };
        limit = Math.min(limit, Math.ceil(budget));
      }
      const read = log.locate(f.fetchOffset, limit, { minOneBatch: bytes === 0 });
      bytes += read.length;
      if (throttled) throttledBytes += read.length;
      remaining = Math.max(0, remaining - read.length);
      return { fields, read };
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      fail(fields, err);
      failed = true;
      return { fields, read: undefined };
    }
  });
  return { answers, bytes, throttledBytes, failed };
}

function requestError(correlationId: number, err: StraitError): EncodedReplicaFetchResponse {
  return encodeReplicaFetchError(correlationId, err.code, err.message);
}

/** Answers one ReplicaFetch request (see the file's head); never rejects with a request's error. */
export function handleReplicaFetch(ctx: LeaderFetchContext, req: wire.ReplicaFetchRequest__Output, signal?: AbortSignal): Promise<EncodedReplicaFetchResponse> {
  const correlationId = int(req.correlationId) ?? 0;
  const image = ctx.image();
  if (req.clusterId !== ctx.clusterId) {
    return Promise.resolve(requestError(correlationId, new StraitError(ErrorCode.INCONSISTENT_CLUSTER_ID,
      `This node belongs to cluster ${ctx.clusterId}, the request to ${String(req.clusterId)}.`)));
  }
  const replicaId = int(req.replicaId) ?? -1;
  const broker = image.broker(replicaId);
  if (!broker || broker.brokerEpoch !== req.brokerEpoch) {
    return Promise.resolve(requestError(correlationId, new StraitError(ErrorCode.STALE_BROKER_EPOCH,
      `Broker ${replicaId} epoch ${String(req.brokerEpoch)} is not the one this node's metadata has (${broker?.brokerEpoch ?? 'none'}).`)));
  }
  if (!Array.isArray(req.partitions)) {
    return Promise.resolve(requestError(correlationId, new StraitError(ErrorCode.INVALID_REQUEST, 'partitions must be a list')));
  }
  const responseMax = Math.min(int(req.maxBytes) !== undefined && req.maxBytes > 0 ? req.maxBytes : MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
  const fetches = req.partitions.map((p) => checkPartition(ctx, image, replicaId, p, responseMax));
  const minBytes = Math.max(0, int(req.minBytes) ?? 0);
  const maxWaitMs = Math.min(Math.max(0, int(req.maxWaitMs) ?? 0), MAX_WAIT_MS);
  const locate = (): LocatedAnswers => locateAll(fetches, responseMax, replicaId, ctx.throttle);
  // The bytes of throttled partitions are taken from the throttle once, when the answer is built.
  const encode = (located: LocatedAnswers): EncodedReplicaFetchResponse => {
    const encoded = encodeReplicaFetchResponse(correlationId, located.answers);
    if (located.throttledBytes > 0) ctx.throttle?.record(located.throttledBytes);
    return encoded;
  };
  const first = locate();
  if (first.failed || first.bytes >= minBytes || maxWaitMs === 0 || signal?.aborted) {
    return Promise.resolve(encode(first));
  }
  return new Promise((resolve) => {
    const answerNow = (): void => resolve(encode(locate()));
    const cancel = ctx.purgatory.watch({
      tryComplete: () => {
        // Cheap first: nothing can be there until some log grew past its fetch offset.
        const grown = fetches.some((f) => f.leader !== undefined && (!f.leader.isActive || f.leader.log.logEndOffset > f.fetchOffset));
        if (!grown) return false;
        const now = locate();
        if (!now.failed && now.bytes < minBytes) return false;
        signal?.removeEventListener('abort', onAbort);
        resolve(encode(now));
        return true;
      },
      expire: () => {
        signal?.removeEventListener('abort', onAbort);
        answerNow();
      },
    }, fetches.filter((f) => f.leader !== undefined), maxWaitMs);
    function onAbort(): void {
      cancel();
      answerNow();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
