// Not a test: what it costs the broker to build a consumer's Fetch answer, in one process (no
// network): the answer laid out by the broker (core/fetch-frame.ts, records read straight into it)
// against the generated protobuf encoder over Log.read (the path before it), each followed by the
// copy grpc-js makes into its frame. The same log, the same reads; rounds alternate the two.
//   npx tsc -p . && node dist/bench/fetch-answer.js [MB per round] [rounds]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { encodeRecordBatch, ErrorCode, loadProtos, type wire } from '../client/index.js';
import { encodeFetchResponse } from '../broker/core/fetch-frame.js';
import { Log } from '../broker/log/log.js';
import { defaultTopicConfig } from '../broker/log/topic-config.js';

const roundMb = Number(process.argv[2] ?? 256);
const rounds = Number(process.argv[3] ?? 5);
const PARTITION_MAX_BYTES = 1024 * 1024;
const RECORD_BYTES = 100;
const RECORDS_PER_BATCH = 2000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strait-fetch-answer-bench-'));
const log = Log.open({
  dir: path.join(dir, 'bench-0'), topic: 'bench', partition: 0,
  config: defaultTopicConfig(), logger: pino({ level: 'silent' }),
});
const batch = encodeRecordBatch(Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: null, value: Buffer.alloc(RECORD_BYTES, i & 0xff) })));
// 64 MiB of log, read over and over (from the page cache, as a consumer near the tail reads).
while (log.sizeInBytes < 64 * 1024 * 1024) log.appendAsLeader(batch, 0);
const end = log.logEndOffset;
const serialize = loadProtos().proto.strait.v1.Broker.service.Fetch.responseSerialize as (r: wire.FetchResponse) => Buffer;

/** grpc-js's serializeMessage: a 5-byte head and a copy of the message. */
function grpcFrame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.length + 5);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

const fields = { partition: 0, errorCode: ErrorCode.NONE, highWatermark: end, lastStableOffset: end, logStartOffset: 0, currentLeader: { leaderId: 1, leaderEpoch: 0 } };

const answers: Record<string, (offset: number) => number> = {
  'generated encoder over Log.read': (offset) => {
    const read = log.read(offset, PARTITION_MAX_BYTES, { minOneBatch: true, maxOffset: end });
    const message = serialize({ correlationId: 1, errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [{ name: 'bench', partitions: [{ ...fields, records: read.records }] }] });
    grpcFrame(message);
    return read.records.length;
  },
  'laid out by the broker': (offset) => {
    const located = log.locate(offset, PARTITION_MAX_BYTES, { minOneBatch: true, maxOffset: end });
    const encoded = encodeFetchResponse(1, ErrorCode.NONE, 0, [{ name: 'bench', partitions: [{ fields: { ...fields }, read: located }] }]);
    grpcFrame(encoded.frame);
    return encoded.records[0]![0]!.length;
  },
};

const results = new Map<string, { mbPerSec: number[]; cpuPerGb: number[] }>();
for (let round = 0; round <= rounds; round++) {
  for (const [name, answer] of Object.entries(answers)) {
    let bytes = 0;
    let offset = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    while (bytes < roundMb * 1024 * 1024) {
      const n = answer(offset);
      bytes += n;
      offset += (n / batch.length) * RECORDS_PER_BATCH;
      if (offset >= end) offset = 0;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    // Round 0 warms up.
    if (round === 0) continue;
    const r = results.get(name) ?? { mbPerSec: [], cpuPerGb: [] };
    r.mbPerSec.push(bytes / 1e6 / seconds);
    r.cpuPerGb.push((used.user + used.system) / 1e6 / (bytes / 1e9));
    results.set(name, r);
  }
}
log.close();
fs.rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`one partition, ${PARTITION_MAX_BYTES / 1024} KiB answers of ${RECORD_BYTES} B records, ${roundMb} MB a round, ${rounds} rounds (median, min-max)`);
for (const [name, r] of results) {
  const mb = r.mbPerSec.map((x) => Math.round(x));
  const cpu = r.cpuPerGb.map((x) => x.toFixed(2));
  console.log(`${name.padEnd(32)} ${String(Math.round(median(r.mbPerSec))).padStart(6)} MB/s (${Math.min(...mb)}-${Math.max(...mb)})   CPU ${median(r.cpuPerGb).toFixed(2)} s/GB (${cpu.join(' ')})`);
}
