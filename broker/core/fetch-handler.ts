// Fetch with long-poll, for consumers: read every requested partition below its high watermark
// (within max_bytes and partition_max_bytes, the first batch always whole so a consumer progresses);
// answer at once when min_bytes are there or a partition failed, otherwise wait in the purgatory
// until the high watermark moves enough bytes in or max_wait_ms passes. While a fetch waits, each
// look only locates the bytes; they are read once, when the answer is laid out (fetch-frame.ts),
// straight from the segment files into the buffer grpc-js sends. Followers fetch through the Replica
// service (replication/), which reads to the log end.
import { ErrorCode, StraitError, MAX_GRPC_MESSAGE_BYTES, type wire } from '../../client/index.js';
import type { LocatedRead, PartitionLog } from '../log/index.js';
import type { PartitionLeader } from '../replication/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';
import { encodeFetchResponse, type FetchPartitionFields } from './fetch-frame.js';

/** Room left in a gRPC message for everything around the record bytes. */
const MAX_FETCH_BYTES = MAX_GRPC_MESSAGE_BYTES - 1024 * 1024;
const MAX_WAIT_MS = 5 * 60_000;

/**
 * A fetch's answer: the FetchResponse, and `frame`, its protobuf encoding laid out by the broker
 * (the response's records are views of it). The gRPC adapter sends the frame as it is.
 */
export interface FetchAnswer extends wire.FetchResponse {
  readonly frame?: Buffer;
}

interface PartitionFetch {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number | undefined;
  fields: FetchPartitionFields;
  /** Where the last look found this partition's bytes (valid until the log next changes). */
  located: LocatedRead | undefined;
  /** This node's leadership the last read went by (a waiting fetch answers once it ends). */
  leader: PartitionLeader | undefined;
}

interface TopicFetch {
  name: string;
  partitions: PartitionFetch[];
}

interface ReadOutcome {
  bytes: number;
  failed: boolean;
}

function fetchPlan(ctx: BrokerContext, req: wire.FetchRequest__Output): { plan: PartitionFetch[]; topics: TopicFetch[] } {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const plan: PartitionFetch[] = [];
  const topics: TopicFetch[] = [];
  for (const t of req.topics) {
    const topic = typeof t?.name === 'string' ? t.name : '';
    const partitions: PartitionFetch[] = [];
    topics.push({ name: topic, partitions });
    for (const p of Array.isArray(t?.partitions) ? t.partitions : []) {
      const partition = Number.isInteger(p?.partition) ? p.partition : -1;
      const known = ctx.topics.partition(topic, partition);
      const f: PartitionFetch = {
        topic,
        partition,
        fetchOffset: typeof p?.fetchOffset === 'number' ? p.fetchOffset : Number.NaN,
        maxBytes: Number.isInteger(p?.partitionMaxBytes) && p.partitionMaxBytes > 0 ? p.partitionMaxBytes : MAX_FETCH_BYTES,
        currentLeaderEpoch: p?.currentLeaderEpoch,
        fields: {
          partition,
          errorCode: ErrorCode.NONE,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          currentLeader: { leaderId: known?.leader ?? -1, leaderEpoch: known?.leaderEpoch ?? -1 },
        },
        located: undefined,
        leader: undefined,
      };
      partitions.push(f);
      plan.push(f);
    }
  }
  return { plan, topics };
}

/** Locates a partition's bytes below its high watermark; returns their count (an upper bound: the
 * last batch may be cut, and is then left out of the answer), or -1 when the partition failed. */
function locatePartition(ctx: BrokerContext, f: PartitionFetch, log: PartitionLog | undefined, limit: number, first: boolean): number {
  const r = f.fields;
  f.located = undefined;
  r.errorCode = ErrorCode.NONE;
  try {
    // Consumers read only from the leader: NOT_LEADER_OR_FOLLOWER / leader-epoch fencing otherwise.
    f.leader = undefined;
    const { leaderEpoch } = ctx.topics.leaderLog(f.topic, f.partition, f.currentLeaderEpoch);
    f.leader = ctx.replicas.leaderOf(f.topic, f.partition, leaderEpoch);
    if (!log) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${f.topic}-${f.partition} does not exist`);
    r.highWatermark = log.highWatermark;
    r.lastStableOffset = log.highWatermark;
    r.logStartOffset = log.logStartOffset;
    if (!Number.isSafeInteger(f.fetchOffset)) throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `Fetch offset ${f.fetchOffset} is not valid`);
    if (limit <= 0) return 0;
    f.located = log.locate(f.fetchOffset, limit, { maxOffset: log.highWatermark, minOneBatch: first });
    return f.located.length;
  } catch (err) {
    const { errorCode } = errorFields(err);
    r.errorCode = errorCode;
    if (isUnexpected(err)) ctx.logger.error({ err, topic: f.topic, partition: f.partition }, 'fetch: read failed');
    return -1;
  }
}

export class FetchOperation {
  private readonly plan: PartitionFetch[];
  private readonly topics: TopicFetch[];
  private readonly maxBytes: number;
  readonly minBytes: number;
  readonly maxWaitMs: number;

  constructor(private readonly ctx: BrokerContext, private readonly req: wire.FetchRequest__Output) {
    ({ plan: this.plan, topics: this.topics } = fetchPlan(ctx, req));
    this.maxBytes = Number.isInteger(req.maxBytes) && req.maxBytes > 0 ? Math.min(req.maxBytes, MAX_FETCH_BYTES) : MAX_FETCH_BYTES;
    this.minBytes = Number.isInteger(req.minBytes) && req.minBytes > 0 ? req.minBytes : 0;
    this.maxWaitMs = Number.isInteger(req.maxWaitMs) && req.maxWaitMs > 0 ? Math.min(req.maxWaitMs, MAX_WAIT_MS) : 0;
  }

  get partitions(): readonly { topic: string; partition: number }[] {
    return this.plan;
  }

  logs(): (PartitionLog | undefined)[] {
    return this.plan.map((f) => this.ctx.topics.log(f.topic, f.partition));
  }

  /** A leadership the last read went by has ended since. */
  leadershipEnded(): boolean {
    return this.plan.some((f) => f.leader !== undefined && !f.leader.isActive);
  }

  /** Looks at every partition again (locating, not reading); returns the bytes found and whether
   * any partition failed. response() must follow on the same turn to use what was found. */
  read(logs: (PartitionLog | undefined)[]): ReadOutcome {
    let remaining = this.maxBytes;
    let bytes = 0;
    let failed = false;
    for (let i = 0; i < this.plan.length; i++) {
      const f = this.plan[i]!;
      const n = locatePartition(this.ctx, f, logs[i], Math.min(f.maxBytes, remaining), bytes === 0);
      if (n < 0) {
        failed = true;
        continue;
      }
      bytes += n;
      remaining = Math.max(0, remaining - n);
    }
    return { bytes, failed };
  }

  /** Reads what the last read() located into the answer's frame. */
  response(): FetchAnswer {
    const correlationId = this.req.correlationId;
    const encoded = encodeFetchResponse(correlationId, ErrorCode.NONE, 0,
      this.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((f) => ({ fields: f.fields, read: f.located })) })));
    const topics = this.topics.map((t, i) => {
      const records = encoded.records[i]!;
      let bytes = 0;
      for (const r of records) bytes += r.length;
      if (bytes > 0) this.ctx.traffic.fetched(t.name, bytes);
      return { name: t.name, partitions: t.partitions.map((f, j) => ({ ...f.fields, records: records[j]! })) };
    });
    return { correlationId, errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics, frame: encoded.frame };
  }
}

/** Answers a fetch, waiting up to max_wait_ms for min_bytes; an aborted signal ends the wait early. */
export function handleFetch(ctx: BrokerContext, req: wire.FetchRequest__Output, signal?: AbortSignal): Promise<FetchAnswer> {
  const op = new FetchOperation(ctx, req);
  let logs = op.logs();
  const first = op.read(logs);
  if (first.failed || first.bytes >= op.minBytes || op.maxWaitMs === 0 || signal?.aborted) {
    return Promise.resolve(op.response());
  }
  return new Promise<FetchAnswer>((resolve) => {
    // High watermarks at the last read: a consumer sees nothing new until one moves.
    let highWatermarks = logs.map((l) => l?.highWatermark ?? 0);
    const cancel = ctx.purgatory.watch({
      tryComplete: () => {
        // A partition created or deleted since the last read changes the answer too: read again.
        const current = op.logs();
        const changed = op.leadershipEnded() || current.some((l, i) => l !== logs[i] || (l?.highWatermark ?? 0) !== highWatermarks[i]);
        if (!changed) return false;
        logs = current;
        const outcome = op.read(logs);
        if (outcome.failed || outcome.bytes >= op.minBytes) {
          signal?.removeEventListener('abort', onAbort);
          resolve(op.response());
          return true;
        }
        highWatermarks = logs.map((l) => l?.highWatermark ?? 0);
        return false;
      },
      expire: () => {
        signal?.removeEventListener('abort', onAbort);
        op.read(op.logs());
        resolve(op.response());
      },
    }, op.partitions, op.maxWaitMs);
    function onAbort(): void {
      cancel();
      // What the last look located may have moved since (a segment deleted, the log truncated).
      op.read(op.logs());
      resolve(op.response());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
