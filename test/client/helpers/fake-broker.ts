// An in-process gRPC Broker service whose produce and fetch answers a test scripts: to check the
// clients' retry, ordering and sequence handling against answers a real broker gives only in rare
// faults. Produced data goes through the broker's own Log (validation, offsets, idempotence window).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { Log } from '../../../broker/log/log.js';
import { defaultTopicConfig } from '../../../broker/log/topic-config.js';
import { loadProtos } from '../../../client/wire/proto.js';
import { ErrorCode, StraitError, type ErrorCodeValue } from '../../../client/errors.js';
import { readBatchHeader, batchPositions, lastOffsetOf } from '../../../client/records/batch-header.js';
import type { FetchRequest__Output } from '../../../client/wire/generated/strait/v1/FetchRequest.js';
import type { FetchResponse } from '../../../client/wire/generated/strait/v1/FetchResponse.js';
import type { ListOffsetsRequest__Output } from '../../../client/wire/generated/strait/v1/ListOffsetsRequest.js';
import type { ListOffsetsResponse } from '../../../client/wire/generated/strait/v1/ListOffsetsResponse.js';
import type { MetadataRequest__Output } from '../../../client/wire/generated/strait/v1/MetadataRequest.js';
import type { MetadataResponse } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { ProduceRequest__Output } from '../../../client/wire/generated/strait/v1/ProduceRequest.js';
import type { ProduceResponse } from '../../../client/wire/generated/strait/v1/ProduceResponse.js';
import type { InitProducerIdResponse } from '../../../client/wire/generated/strait/v1/InitProducerIdResponse.js';

export interface ReceivedBatch {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** What to do with one partition's data in one request. */
export type PartitionVerdict = { errorCode: ErrorCodeValue } | 'accept';
/** What to do with a whole request: answer per partition, write it but lose the answer ('drop'),
 * break the stream before writing ('break'), or keep it unread until releaseHeld() ('hold'; a held
 * request is then handled as 'accept'). */
export type RequestVerdict = ((topic: string, partition: number, batches: ReceivedBatch[]) => PartitionVerdict) | 'drop' | 'break' | 'hold';

export interface FakeBroker {
  address: string;
  /** Every batch the fake received, in arrival order (accepted or not). */
  received: ReceivedBatch[];
  /** Batches accepted, per "topic/partition", as the log would hold them. */
  log: Map<string, ReceivedBatch[]>;
  /** Scripted verdicts for the next requests, first in first out; then everything is accepted. */
  script: RequestVerdict[];
  producerIds: number;
  /** Batches served to fetches, per "topic/partition", with their offsets set. */
  fetchLog: Map<string, Buffer[]>;
  /** Scripted fetch answers per partition, first in first out; then the log is served. */
  fetchScript: FetchVerdict[];
  /** Fetch offsets asked for, per "topic/partition", in order. */
  fetchOffsets: Map<string, number[]>;
  metadataRequests: number;
  /** Requests held unread ('hold'), oldest first. */
  held: number;
  /** Handles the held requests in arrival order and answers them. */
  releaseHeld(): void;
  /** Per produce request received, the most batches it carried for one partition. */
  batchesPerPartition: number[];
  stop(): Promise<void>;
}

/** An error for the partition, the served bytes cut in the middle of the last batch, or a broken stream. */
export type FetchVerdict = { errorCode: ErrorCodeValue } | 'partial' | 'break';

export async function startFakeBroker(partitions = 1): Promise<FakeBroker> {
  const { proto } = loadProtos();
  const server = new grpc.Server();
  let port = 0;
  const fake: FakeBroker = {
    address: '', received: [], log: new Map(), script: [], producerIds: 0,
    fetchLog: new Map(), fetchScript: [], fetchOffsets: new Map(), metadataRequests: 0,
    held: 0, releaseHeld: () => undefined, batchesPerPartition: [],
    stop: async () => undefined,
  };
  const unimplemented = (_call: unknown, cb: (err: grpc.ServiceError) => void) => cb({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError);

  // Each partition's data goes into a real Log (the broker's own validation and idempotence checks,
  // its five-batch duplicate window), so the fake is never looser than the broker it stands for; only
  // the faults around it are scripted.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strait-fake-broker-'));
  const logs = new Map<string, Log>();
  const logOf = (topic: string, partition: number): Log => {
    const key = `${topic}/${partition}`;
    let log = logs.get(key);
    if (!log) {
      log = Log.open({ dir: path.join(dataDir, `${topic}-${partition}`), topic, partition, config: defaultTopicConfig(), logger: pino({ level: 'silent' }), cleanShutdown: true });
      logs.set(key, log);
    }
    return log;
  };
  const append = (topic: string, partition: number, records: Buffer, batches: ReceivedBatch[]): { errorCode: ErrorCodeValue; baseOffset: number } => {
    const key = `${topic}/${partition}`;
    const accepted = fake.log.get(key) ?? [];
    fake.log.set(key, accepted);
    try {
      const result = logOf(topic, partition).appendAsLeader(records, 0);
      if (!result.duplicate) accepted.push(...batches);
      return { errorCode: ErrorCode.NONE, baseOffset: result.firstOffset };
    } catch (err) {
      if (!(err instanceof StraitError)) throw err;
      return { errorCode: err.code as ErrorCodeValue, baseOffset: -1 };
    }
  };

  const heldRequests: (() => void)[] = [];
  fake.releaseHeld = () => {
    const all = heldRequests.splice(0);
    fake.held = 0;
    for (const run of all) run();
  };

  const answer = (req: ProduceRequest__Output, verdict: RequestVerdict | 'accept-all'): ProduceResponse | 'drop' | 'break' => {
    fake.batchesPerPartition.push(Math.max(0, ...req.topics.flatMap((t) => t.partitions.map((p) => [...batchPositions(p.records)].length))));
    if (verdict === 'break') {
      for (const t of req.topics) for (const p of t.partitions) fake.received.push(...batchesOf(t.name, p.partition, p.records));
      return verdict;
    }
    const response: ProduceResponse = {
      correlationId: req.correlationId,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const batches = batchesOf(t.name, p.partition, p.records);
          fake.received.push(...batches);
          const v = typeof verdict === 'function' ? verdict(t.name, p.partition, batches) : 'accept';
          const failed = (errorCode: ErrorCodeValue) => ({ partition: p.partition, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: 0, errorMessage: '' });
          if (v !== 'accept') return failed(v.errorCode);
          const r = append(t.name, p.partition, p.records, batches);
          if (r.errorCode !== ErrorCode.NONE) return failed(r.errorCode);
          return { partition: p.partition, errorCode: ErrorCode.NONE, baseOffset: r.baseOffset, logAppendTimeMs: -1, logStartOffset: 0, errorMessage: '' };
        }),
      })),
    };
    // 'drop': written, but the answer is lost.
    return verdict === 'drop' ? 'drop' : response;
  };

  server.addService(proto.strait.v1.Broker.service, {
    Metadata: (call: grpc.ServerUnaryCall<MetadataRequest__Output, MetadataResponse>, cb: grpc.sendUnaryData<MetadataResponse>) => {
      fake.metadataRequests++;
      cb(null, {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: '' }],
        clusterId: 'fake',
        controllerId: 1,
        topics: call.request.topics.map((name) => ({
          errorCode: ErrorCode.NONE,
          name,
          topicId: '',
          isInternal: false,
          partitions: Array.from({ length: partitions }, (_, partition) => ({ errorCode: ErrorCode.NONE, partition, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
        })),
      });
    },
    InitProducerId: (_call: unknown, cb: grpc.sendUnaryData<InitProducerIdResponse>) => {
      cb(null, { errorCode: ErrorCode.NONE, producerId: 1000 + fake.producerIds++, producerEpoch: 0 });
    },
    ProduceStream: (call: grpc.ServerDuplexStream<ProduceRequest__Output, ProduceResponse>) => {
      const handle = (req: ProduceRequest__Output, verdict: RequestVerdict | 'accept-all'): void => {
        const res = answer(req, verdict);
        if (res === 'drop') return;
        if (res === 'break') {
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'fake broker breaks the stream' });
          return;
        }
        call.write(res);
      };
      call.on('data', (req: ProduceRequest__Output) => {
        const verdict = fake.script.shift() ?? 'accept-all';
        if (verdict !== 'hold') {
          handle(req, verdict);
          return;
        }
        fake.held++;
        heldRequests.push(() => handle(req, 'accept-all'));
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    FetchStream: (call: grpc.ServerDuplexStream<FetchRequest__Output, FetchResponse>) => {
      call.on('data', (req: FetchRequest__Output) => {
        let empty = true;
        let broken = false;
        const topics = req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const key = `${t.name}/${p.partition}`;
            fake.fetchOffsets.set(key, [...(fake.fetchOffsets.get(key) ?? []), p.fetchOffset]);
            const verdict = fake.fetchScript.shift();
            const batches = (fake.fetchLog.get(key) ?? []).filter((b) => lastOffsetOf(b, 0) >= p.fetchOffset);
            const highWatermark = (fake.fetchLog.get(key) ?? []).reduce((hw, b) => Math.max(hw, lastOffsetOf(b, 0) + 1), 0);
            const base = { partition: p.partition, highWatermark, lastStableOffset: highWatermark, logStartOffset: 0 };
            if (verdict === 'break') broken = true;
            if (verdict !== undefined && verdict !== 'partial' && verdict !== 'break') return { ...base, errorCode: verdict.errorCode, records: Buffer.alloc(0) };
            let records = Buffer.concat(batches);
            if (verdict === 'partial' && batches.length > 0) records = records.subarray(0, records.length - 10);
            if (records.length > 0) empty = false;
            return { ...base, errorCode: ErrorCode.NONE, records };
          }),
        }));
        if (broken) {
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'fake broker breaks the fetch stream' });
          return;
        }
        // A long poll in miniature: an empty answer waits a little, so a consumer does not spin.
        setTimeout(() => call.write({ correlationId: req.correlationId, errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics }), empty ? Math.min(req.maxWaitMs, 50) : 0);
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    ListOffsets: (call: grpc.ServerUnaryCall<ListOffsetsRequest__Output, ListOffsetsResponse>, cb: grpc.sendUnaryData<ListOffsetsResponse>) => {
      cb(null, {
        topics: call.request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const batches = fake.fetchLog.get(`${t.name}/${p.partition}`) ?? [];
            const end = batches.reduce((hw, b) => Math.max(hw, lastOffsetOf(b, 0) + 1), 0);
            return { partition: p.partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: p.timestamp === -2 ? 0 : end, leaderEpoch: 0 };
          }),
        })),
      });
    },
    Produce: unimplemented,
    Fetch: unimplemented,
  });
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  fake.address = `127.0.0.1:${port}`;
  fake.stop = () => new Promise<void>((resolve) => {
    server.forceShutdown();
    for (const log of logs.values()) log.close();
    rmSync(dataDir, { recursive: true, force: true });
    resolve();
  });
  return fake;
}

function batchesOf(topic: string, partition: number, records: Buffer): ReceivedBatch[] {
  return [...batchPositions(records)].map(({ position }) => {
    const h = readBatchHeader(records, position);
    return { topic, partition, producerId: h.producerId, producerEpoch: h.producerEpoch, baseSequence: h.baseSequence, recordCount: h.recordCount };
  });
}
