// Fetch with long-poll: read every requested partition (capped at the high watermark for consumers,
// within max_bytes and partition_max_bytes, the first batch always whole so a consumer progresses);
// answer at once when min_bytes are there or a partition failed, otherwise wait in the purgatory
// until appends make min_bytes available or max_wait_ms passes. Bytes come straight from the log.
import { ErrorCode, StraitError, MAX_GRPC_MESSAGE_BYTES, type wire } from '../../client/index.js';
import type { PartitionLog } from '../log/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

/** Room left in a gRPC message for everything around the record bytes. */
const MAX_FETCH_BYTES = MAX_GRPC_MESSAGE_BYTES - 1024 * 1024;
const MAX_WAIT_MS = 5 * 60_000;
const EMPTY = Buffer.alloc(0);

interface PartitionFetch {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number | undefined;
  response: wire.FetchablePartitionResponse;
}

interface ReadOutcome {
  bytes: number;
  failed: boolean;
}

function fetchPlan(ctx: BrokerContext, req: wire.FetchRequest__Output): { plan: PartitionFetch[]; topics: wire.FetchableTopicResponse[] } {
  if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
  const plan: PartitionFetch[] = [];
  const topics: wire.FetchableTopicResponse[] = [];
  for (const t of req.topics) {
    const topic = typeof t?.name === 'string' ? t.name : '';
    const partitions: wire.FetchablePartitionResponse[] = [];
    topics.push({ name: topic, partitions });
    for (const p of Array.isArray(t?.partitions) ? t.partitions : []) {
      const partition = Number.isInteger(p?.partition) ? p.partition : -1;
      const known = ctx.topics.partition(topic, partition);
      const response: wire.FetchablePartitionResponse = {
        partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        currentLeader: { leaderId: known?.leader ?? -1, leaderEpoch: known?.leaderEpoch ?? -1 },
        records: EMPTY,
      };
      partitions.push(response);
      plan.push({
        topic,
        partition: response.partition as number,
        fetchOffset: typeof p?.fetchOffset === 'number' ? p.fetchOffset : Number.NaN,
        maxBytes: Number.isInteger(p?.partitionMaxBytes) && p.partitionMaxBytes > 0 ? p.partitionMaxBytes : MAX_FETCH_BYTES,
        currentLeaderEpoch: p?.currentLeaderEpoch,
        response,
      });
    }
  }
  return { plan, topics };
}

function readPartition(ctx: BrokerContext, f: PartitionFetch, log: PartitionLog | undefined, limit: number, consumer: boolean, first: boolean): number {
  const r = f.response;
  r.records = EMPTY;
  r.errorCode = ErrorCode.NONE;
  try {
    // Consumers read only from the leader: NOT_LEADER_OR_FOLLOWER / leader-epoch fencing otherwise.
    ctx.topics.leaderLog(f.topic, f.partition, f.currentLeaderEpoch);
    if (!log) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${f.topic}-${f.partition} does not exist`);
    r.highWatermark = log.highWatermark;
    r.lastStableOffset = log.highWatermark;
    r.logStartOffset = log.logStartOffset;
    if (!Number.isSafeInteger(f.fetchOffset)) throw new StraitError(ErrorCode.OFFSET_OUT_OF_RANGE, `Fetch offset ${f.fetchOffset} is not valid`);
    if (limit <= 0) return 0;
    const read = log.read(f.fetchOffset, limit, consumer ? { maxOffset: log.highWatermark, minOneBatch: first } : { minOneBatch: first });
    r.records = read.records;
    return read.records.length;
  } catch (err) {
    const { errorCode } = errorFields(err);
    r.errorCode = errorCode;
    if (isUnexpected(err)) ctx.logger.error({ err, topic: f.topic, partition: f.partition }, 'fetch: read failed');
    return -1;
  }
}

export class FetchOperation {
  private readonly plan: PartitionFetch[];
  private readonly topics: wire.FetchableTopicResponse[];
  private readonly consumer: boolean;
  private readonly maxBytes: number;
  readonly minBytes: number;
  readonly maxWaitMs: number;

  constructor(private readonly ctx: BrokerContext, private readonly req: wire.FetchRequest__Output) {
    ({ plan: this.plan, topics: this.topics } = fetchPlan(ctx, req));
    this.consumer = !(Number.isInteger(req.replicaId) && req.replicaId >= 0);
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

  /** Reads every partition again; returns the bytes gathered and whether any partition failed. */
  read(logs: (PartitionLog | undefined)[]): ReadOutcome {
    let remaining = this.maxBytes;
    let bytes = 0;
    let failed = false;
    for (let i = 0; i < this.plan.length; i++) {
      const f = this.plan[i]!;
      const n = readPartition(this.ctx, f, logs[i], Math.min(f.maxBytes, remaining), this.consumer, bytes === 0);
      if (n < 0) {
        failed = true;
        continue;
      }
      bytes += n;
      remaining = Math.max(0, remaining - n);
    }
    return { bytes, failed };
  }

  response(): wire.FetchResponse {
    for (const t of this.topics) {
      let bytes = 0;
      for (const p of t.partitions!) bytes += (p.records as Buffer).length;
      if (bytes > 0) this.ctx.traffic.fetched(t.name!, bytes);
    }
    return { correlationId: this.req.correlationId, errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: this.topics };
  }
}

/** Answers a fetch, waiting up to max_wait_ms for min_bytes; an aborted signal ends the wait early. */
export function handleFetch(ctx: BrokerContext, req: wire.FetchRequest__Output, signal?: AbortSignal): Promise<wire.FetchResponse> {
  const op = new FetchOperation(ctx, req);
  let logs = op.logs();
  const first = op.read(logs);
  if (first.failed || first.bytes >= op.minBytes || op.maxWaitMs === 0 || signal?.aborted) {
    return Promise.resolve(op.response());
  }
  return new Promise<wire.FetchResponse>((resolve) => {
    // Log sizes at the last read: growth since then estimates the new bytes without reading them.
    let sizes = logs.map((l) => l?.sizeInBytes ?? 0);
    let gathered = first.bytes;
    const cancel = ctx.purgatory.watch({
      tryComplete: () => {
        let estimate = gathered;
        for (let i = 0; i < logs.length; i++) estimate += Math.max(0, (logs[i]?.sizeInBytes ?? 0) - sizes[i]!);
        // A partition created or deleted since the last read changes the answer: read again.
        const current = op.logs();
        const changed = current.some((l, i) => l !== logs[i]);
        if (estimate < op.minBytes && !changed) return false;
        logs = current;
        const outcome = op.read(logs);
        if (outcome.failed || outcome.bytes >= op.minBytes) {
          signal?.removeEventListener('abort', onAbort);
          resolve(op.response());
          return true;
        }
        sizes = logs.map((l) => l?.sizeInBytes ?? 0);
        gathered = outcome.bytes;
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
      resolve(op.response());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
