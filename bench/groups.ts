// `npm run bench:groups`: consumer groups on one broker process.
//   - rebalance time: a 4th member joins a 3-member group over 12 partitions, then leaves it again;
//     each time from subscribe() (or close()) until every member holds its final share and no
//     partition is being revoked; over BENCH_ROUNDS rounds: p50 and max;
//   - throughput of a 3-member group reading 100-byte records produced beforehand over 12
//     partitions (from the first subscribe to the last record), beside one consumer with assign()
//     reading the same records.
// The broker's own coordinator serves the group. Prints a table and writes
// bench/results/groups-<timestamp>.json.
// A benchmark, never a test.
//   BENCH_SCALE=0.2   fewer records    BENCH_ROUNDS=10   rebalance rounds
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Consumer, type ConsumerOptions } from '../client/index.js';
import { GROUP_TEST_CONFIG } from '../test/groups/group-env.js';
import { startBroker } from '../test/helpers/launcher.js';
import { createBenchTopic, produceThroughput } from './throughput.js';
import { envNumber } from './bench-env.js';

const scale = envNumber('BENCH_SCALE', 1, (n) => n > 0 && n <= 10);
const rounds = envNumber('BENCH_ROUNDS', 10, (n) => Number.isSafeInteger(n) && n >= 1 && n <= 100);
const RECORD_BYTES = 100;
const PARTITIONS = 12;
const records = Math.max(100_000, Math.round(2_000_000 * scale));

/** A member that keeps polling (and counting) until stopped. */
class BenchMember {
  readonly consumer: Consumer;
  received = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(options: ConsumerOptions, topic: string) {
    this.consumer = new Consumer(options);
    this.consumer.subscribe([topic]);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) this.received += (await this.consumer.poll(100)).length;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.consumer.close();
  }
}

/** Until every member holds `share` partitions (a new member's partitions have positions), polled every 2 ms. */
async function untilBalanced(members: readonly BenchMember[], share: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = members.every((m) => m.consumer.assignment().length === share);
    if (ok && members.reduce((n, m) => n + m.consumer.assignment().length, 0) === PARTITIONS) return;
    if (Date.now() > deadline) throw new Error(`the group did not settle on ${share} partitions each in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const percentile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main(): Promise<void> {
  const broker = await startBroker({
    config: { ...GROUP_TEST_CONFIG, 'auto.create.topics.enable': 'false', 'offsets.topic.replication.factor': '1', 'log.segment.bytes': String(1024 ** 3) },
  });
  const bootstrap = broker.address;
  const memberOptions = (group: string): ConsumerOptions => ({
    'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 100,
    'max.poll.records': 10_000, 'max.partition.fetch.bytes': 1024 * 1024,
  });
  try {
    // Rebalance time.
    const rebalanceTopic = 'bench-groups-rebalance';
    await createBenchTopic(bootstrap, rebalanceTopic, PARTITIONS);
    const base = [0, 1, 2].map(() => new BenchMember(memberOptions('bench-rebalance'), rebalanceTopic));
    await untilBalanced(base, 4);
    const joins: number[] = [];
    const leaves: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let t0 = performance.now();
      const fourth = new BenchMember(memberOptions('bench-rebalance'), rebalanceTopic);
      await untilBalanced([...base, fourth], 3);
      joins.push(performance.now() - t0);
      t0 = performance.now();
      await fourth.close();
      await untilBalanced(base, 4);
      leaves.push(performance.now() - t0);
    }
    await Promise.all(base.map((m) => m.close()));

    // Throughput of a 3-member group, and of one assign() consumer on the same records.
    const topic = 'bench-groups-100';
    await createBenchTopic(bootstrap, topic, PARTITIONS);
    await produceThroughput(bootstrap, topic, records, RECORD_BYTES, 'acks=1', PARTITIONS);
    let t0 = performance.now();
    const group = [0, 1, 2].map(() => new BenchMember(memberOptions('bench-throughput'), topic));
    while (group.reduce((n, m) => n + m.received, 0) < records) await new Promise((resolve) => setTimeout(resolve, 5));
    const groupSeconds = (performance.now() - t0) / 1000;
    await Promise.all(group.map((m) => m.close()));
    t0 = performance.now();
    const single = new Consumer({ 'bootstrap.servers': bootstrap, 'fetch.max.wait.ms': 100, 'max.poll.records': 10_000, 'max.partition.fetch.bytes': 1024 * 1024 });
    single.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    await single.seekToBeginning();
    let read = 0;
    while (read < records) read += (await single.poll(100)).length;
    const singleSeconds = (performance.now() - t0) / 1000;
    await single.close();

    const ms = (x: number): string => x.toFixed(0);
    console.log(`consumer groups on one broker, ${rounds} rounds, ${records.toLocaleString('en-US')} records of ${RECORD_BYTES} B over ${PARTITIONS} partitions\n`);
    const rows = [
      ['rebalance: a 4th member joins 3 (12 partitions)', `p50 ${ms(percentile(joins, 0.5))} ms`, `max ${ms(Math.max(...joins))} ms`],
      ['rebalance: the 4th member leaves', `p50 ${ms(percentile(leaves, 0.5))} ms`, `max ${ms(Math.max(...leaves))} ms`],
      ['throughput: 3-member group, 100 B', `${Math.round(records / groupSeconds).toLocaleString('en-US')} records/s`, `${((records * RECORD_BYTES) / groupSeconds / 1e6).toFixed(1)} MB/s`],
      ['throughput: 1 consumer, assign(), 100 B', `${Math.round(records / singleSeconds).toLocaleString('en-US')} records/s`, `${((records * RECORD_BYTES) / singleSeconds / 1e6).toFixed(1)} MB/s`],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
    const here = path.dirname(fileURLToPath(import.meta.url));
    const resultsDir = path.resolve(here, '../../bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `groups-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({
      when: new Date().toISOString(), scale, rounds, records, recordBytes: RECORD_BYTES, partitions: PARTITIONS,
      host: { cpus: os.cpus().length, node: process.version },
      rebalanceJoinMs: joins, rebalanceLeaveMs: leaves,
      groupThroughput: { seconds: groupSeconds, recordsPerSecond: records / groupSeconds },
      singleConsumerThroughput: { seconds: singleSeconds, recordsPerSecond: records / singleSeconds },
    }, null, 2) + '\n');
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
