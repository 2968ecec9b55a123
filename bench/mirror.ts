// The mirror's rows of `npm run bench`: two one-broker clusters (source and target, separate
// processes) and one `strait mirror` process with one flow source->target (the launcher the tests
// use), all on this machine's loopback.
//   back-fill: a topic already written (100 B records, by one idempotent producer whose rate is the
//     baseline row) is mirrored by a worker started afterwards; records/s and MB/s from the target's
//     first mirrored record to its last, and the ratio to the producer's rate in the same run.
//   latency: records written to the source at a steady half of the producer's rate, each with its
//     creation time as CreateTime, read raw by long-polling consumers in this process on the target
//     (send on the source to visible on the target, per batch its newest record: an upper bound of
//     source append to target append) and on the source (what the producer and broker alone take).
//   lag: the source written at full speed by one producer while the mirror runs: the largest lag seen
//     (source end − target end, sampled every 100 ms), the lag at the producer's last acknowledgement,
//     and the time from then until the target caught up.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { Admin, Consumer, LATEST_TIMESTAMP, Producer, batchPositions, readBatchHeader, type OutgoingRecord } from '../client/index.js';
import { startBroker, type BrokerProcess } from '../test/helpers/launcher.js';
import { startMirror, type MirrorProcess } from '../test/helpers/mirror-launcher.js';
import { produceThroughput, type ThroughputResult } from './throughput.js';

export interface MirrorBenchResult {
  producer: ThroughputResult;
  backfill: { records: number; seconds: number; recordsPerSecond: number; megabytesPerSecond: number; ratioToProducer: number };
  /** Through the mirror (source send to target visible), and `source`: the same records read on the source. */
  latency: { ratePerSecond: number; records: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number; source: { records: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number } };
  lag: { records: number; producerRecordsPerSecond: number; maxLagRecords: number; lagAtLastAckRecords: number; catchUpMs: number };
}

const RECORD_BYTES = 100;
const BROKER_CONFIG = { 'auto.create.topics.enable': 'false', 'log.segment.bytes': String(1024 * 1024 * 1024), 'offsets.topic.replication.factor': '1', 'offsets.topic.num.partitions': '3' };

async function endOffset(admin: Admin, topic: string): Promise<number> {
  const [answer] = await admin.listOffsets([{ topic, partition: 0, timestamp: LATEST_TIMESTAMP }]);
  return answer!.offset;
}

async function createTopics(address: string, names: readonly string[]): Promise<void> {
  const admin = new Admin({ 'bootstrap.servers': address });
  try {
    await admin.createTopics(names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })));
  } finally {
    await admin.close();
  }
}

function mirrorConfig(source: BrokerProcess, target: BrokerProcess): string {
  return [
    'clusters = source, target',
    `source.bootstrap.servers = ${source.address}`,
    `target.bootstrap.servers = ${target.address}`,
    'source->target.enabled = true',
    'source->target.topics = mirror-.*',
    // One-broker clusters: every topic the mirror creates has one replica. Offset syncs, checkpoints
    // and heartbeats stay on, as a user runs it.
    'replication.factor = 1',
    'offset.storage.replication.factor = 1',
    'offset-syncs.topic.replication.factor = 1',
    'checkpoints.topic.replication.factor = 1',
    'heartbeats.topic.replication.factor = 1',
    'refresh.topics.interval.seconds = 1',
    // As a user tuning for throughput would: bigger fetches than the 1 MiB default per partition.
    'source.consumer.max.partition.fetch.bytes = 8388608',
    'source.consumer.fetch.max.bytes = 67108864',
  ].join('\n') + '\n';
}

/** Waits until the target topic holds `count` records; returns when the first and the last arrived. */
async function timeArrival(target: Admin, topic: string, count: number, timeoutMs: number): Promise<{ firstAt: number; firstCount: number; lastAt: number }> {
  const deadline = Date.now() + timeoutMs;
  let firstAt = 0;
  let firstCount = 0;
  for (;;) {
    const end = await endOffset(target, topic);
    const now = performance.now();
    if (end > 0 && firstAt === 0) {
      firstAt = now;
      firstCount = end;
    }
    if (end >= count) return { firstAt, firstCount, lastAt: now };
    if (Date.now() > deadline) throw new Error(`mirror back-fill: ${end} of ${count} records after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function backfill(source: BrokerProcess, target: BrokerProcess, total: number, mirrorConfigFile: string): Promise<{ producer: ThroughputResult; mirror: MirrorProcess; backfill: MirrorBenchResult['backfill'] }> {
  const producer = await produceThroughput(source.address, 'mirror-backfill', total, RECORD_BYTES, 'idempotent');
  const mirror = await startMirror({ config: { path: mirrorConfigFile } });
  const admin = new Admin({ 'bootstrap.servers': target.address });
  try {
    const { firstAt, firstCount, lastAt } = await timeArrival(admin, 'source.mirror-backfill', total + 1, 600_000);
    // The producer's warm-up record is the +1; the records counted are those after the first sample.
    const records = total + 1 - firstCount;
    const seconds = (lastAt - firstAt) / 1000;
    const recordsPerSecond = records / seconds;
    return {
      producer, mirror,
      backfill: { records, seconds, recordsPerSecond, megabytesPerSecond: (recordsPerSecond * RECORD_BYTES) / 1e6, ratioToProducer: recordsPerSecond / producer.recordsPerSecond },
    };
  } finally {
    await admin.close();
  }
}

interface Percentiles { records: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number }

/**
 * Reads a topic raw (pollBatches: no record decoded, so this process keeps up at any rate the mirror
 * does) until `total` records arrived, taking each batch's newest timestamp: now − that is the latency
 * of the batch's newest record, counted once per record of the batch (the first `warmup` not counted).
 */
function latencyReader(address: string, topic: string, total: number, warmup: number, deadlineMs: number): { done: Promise<Percentiles> } {
  const consumer = new Consumer({ 'bootstrap.servers': address, 'fetch.max.wait.ms': 500, 'fetch.min.bytes': 1, 'auto.offset.reset': 'earliest' });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  consumer.assign([{ topic, partition: 0 }]);
  const done = (async () => {
    let received = 0;
    try {
      while (received < total && Date.now() < deadlineMs) {
        for (const f of await consumer.pollBatches(500)) {
          const now = Date.now();
          for (const { position } of batchPositions(f.records)) {
            const header = readBatchHeader(f.records, position);
            received += header.recordCount;
            if (received > warmup) histogram.recordValueWithCount(Math.max(1, now - header.maxTimestamp), header.recordCount);
          }
        }
      }
      if (received < total) throw new Error(`mirror latency: ${topic} received ${received} of ${total}`);
      return {
        records: histogram.totalCount, p50Ms: histogram.getValueAtPercentile(50), p99Ms: histogram.getValueAtPercentile(99),
        p999Ms: histogram.getValueAtPercentile(99.9), maxMs: histogram.maxValue,
      };
    } finally {
      histogram.destroy();
      await consumer.close();
    }
  })();
  return { done };
}

/**
 * Steady load at `ratePerSecond` on the source, every record's CreateTime the moment it was made (ms),
 * read back both on the source (the producer and broker alone) and on the target (through the mirror):
 * send to visible, which bounds source append to target append from above.
 */
async function latency(source: BrokerProcess, target: BrokerProcess, ratePerSecond: number, seconds: number): Promise<MirrorBenchResult['latency']> {
  const producer = new Producer({ 'bootstrap.servers': source.address, 'linger.ms': 0, 'batch.size': 256 * 1024 });
  const total = Math.round(ratePerSecond * seconds);
  const warmup = Math.min(total / 10, ratePerSecond);
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const deadline = Date.now() + (seconds + 60) * 1000;
  const onSource = latencyReader(source.address, 'mirror-latency', total, warmup, deadline);
  const onTarget = latencyReader(target.address, 'source.mirror-latency', total, warmup, deadline);
  const started = Date.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * ratePerSecond) / 1000));
    if (due > sent) {
      const timestamp = Date.now();
      const records: OutgoingRecord[] = Array.from({ length: due - sent }, () => ({ value, partition: 0, timestamp }));
      pending.push(producer.sendMany('mirror-latency', records));
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  await producer.close();
  const [sourceOnly, throughMirror] = await Promise.all([onSource.done, onTarget.done]);
  return { ratePerSecond, ...throughMirror, source: sourceOnly };
}

async function lagUnderLoad(source: BrokerProcess, target: BrokerProcess, total: number): Promise<MirrorBenchResult['lag']> {
  const sourceAdmin = new Admin({ 'bootstrap.servers': source.address });
  const targetAdmin = new Admin({ 'bootstrap.servers': target.address });
  let maxLag = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [s, t] = await Promise.all([endOffset(sourceAdmin, 'mirror-live'), endOffset(targetAdmin, 'source.mirror-live')]);
      maxLag = Math.max(maxLag, s - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const producer = await produceThroughput(source.address, 'mirror-live', total, RECORD_BYTES, 'idempotent');
    const lastAck = performance.now();
    const sourceEnd = await endOffset(sourceAdmin, 'mirror-live');
    const lagAtLastAck = sourceEnd - (await endOffset(targetAdmin, 'source.mirror-live'));
    const { lastAt } = await timeArrival(targetAdmin, 'source.mirror-live', sourceEnd, 300_000);
    return { records: total, producerRecordsPerSecond: producer.recordsPerSecond, maxLagRecords: Math.max(maxLag, lagAtLastAck), lagAtLastAckRecords: lagAtLastAck, catchUpMs: Math.max(0, lastAt - lastAck) };
  } finally {
    sampling = false;
    await sampler;
    await sourceAdmin.close();
    await targetAdmin.close();
  }
}

/** All three mirror scenarios on fresh clusters; `n` scales record counts. */
export async function mirrorBench(n: (count: number) => number, latencySeconds: number): Promise<MirrorBenchResult> {
  const [source, target] = await Promise.all([startBroker({ config: BROKER_CONFIG }), startBroker({ config: BROKER_CONFIG })]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-bench-'));
  let mirror: MirrorProcess | undefined;
  try {
    await createTopics(source.address, ['mirror-backfill', 'mirror-latency', 'mirror-live']);
    const configFile = path.join(dir, 'mm2.properties');
    writeFileSync(configFile, mirrorConfig(source, target));
    const b = await backfill(source, target, n(2_000_000), configFile);
    mirror = b.mirror;
    // BENCH_MIRROR_RATE sets the latency run's rate instead (records/s), e.g. to see the curve.
    const half = Number(process.env.BENCH_MIRROR_RATE ?? Math.round(b.producer.recordsPerSecond / 2 / 1000) * 1000);
    const l = await latency(source, target, half, latencySeconds);
    const lag = await lagUnderLoad(source, target, n(2_000_000));
    return { producer: b.producer, backfill: b.backfill, latency: l, lag };
  } finally {
    await mirror?.stop();
    await Promise.all([source.stop(), target.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
