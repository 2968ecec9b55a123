// `strait demo` (what `npm start` runs): a local broker process, a topic, a steady keyed load, a
// consumer reading it back, and live figures each second: rates, end-to-end latency, log end offsets.
// The broker's Prometheus metrics are served on its metrics port for the whole run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { Admin, Consumer, Producer } from '../../client/index.js';
import { intOption, parseCommand } from '../cli-args.js';
import type { CliCommand } from '../command.js';
import { spawnBroker, stopChild, writeBrokerConfig } from '../local-broker.js';

const OPTIONS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  partitions: { type: 'string' },
} as const;

const TOPIC = 'demo.orders';

export async function runDemo(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  const rate = intOption(values, 'rate', 1) ?? 2000;
  const duration = intOption(values, 'duration', 1);
  const partitions = intOption(values, 'partitions', 1) ?? 3;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-demo-'));
  const configFile = path.join(dir, 'broker.properties');
  writeBrokerConfig(configFile, {
    'node.id': '1',
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': path.join(dir, 'data'),
    'metrics.listener': 'http://127.0.0.1:0',
  });
  out.write('starting a local broker ...\n');
  const broker = await spawnBroker(configFile);
  const address = `127.0.0.1:${broker.port}`;
  out.write(`broker    ${address} (pid ${broker.child.pid}), data in ${dir}\n`);
  out.write(`metrics   http://127.0.0.1:${broker.metricsPort}/metrics\n`);
  out.write(`try       npx strait topics --bootstrap-server ${address} --describe --topic ${TOPIC}\n\n`);

  const admin = new Admin({ 'bootstrap.servers': address });
  const producer = new Producer({ 'bootstrap.servers': address, 'linger.ms': 2 });
  const consumer = new Consumer({ 'bootstrap.servers': address, 'fetch.max.wait.ms': 200 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let produced = 0;
  let consumed = 0;
  let failed = 0;
  try {
    await admin.createTopics([{ name: TOPIC, numPartitions: partitions, replicationFactor: 1 }]);
    const tps = Array.from({ length: partitions }, (_, p) => ({ topic: TOPIC, partition: p }));
    consumer.assign(tps);
    await consumer.seekToEnd(tps);

    const consuming = (async () => {
      while (!stopping) {
        const records = await consumer.poll(200);
        const now = Date.now();
        for (const r of records) {
          consumed += 1;
          histogram.recordValue(Math.max(1, (now - r.timestamp) * 1000));
        }
      }
    })();

    const started = Date.now();
    let lastReport = started;
    let lastProduced = 0;
    let lastConsumed = 0;
    out.write('   time   produced/s   consumed/s   e2e p50    e2e p99   log end offsets\n');
    while (!stopping) {
      const now = Date.now();
      if (duration !== undefined && now - started >= duration * 1000) break;
      const due = Math.floor(((now - started) * rate) / 1000);
      for (; produced < due; produced++) {
        const customer = `customer-${produced % 97}`;
        const value = JSON.stringify({ order: produced, customer, amount: (produced % 500) + 0.99 });
        producer.send(TOPIC, { key: customer, value, timestamp: now }).catch(() => {
          failed += 1;
        });
      }
      if (now - lastReport >= 1000) {
        const secs = (now - lastReport) / 1000;
        const ends = await admin.listOffsets(tps.map((tp) => ({ ...tp, timestamp: -1 })));
        out.write(
          `${String(Math.round((now - started) / 1000)).padStart(6)}s ${String(Math.round((produced - lastProduced) / secs)).padStart(12)} ${String(Math.round((consumed - lastConsumed) / secs)).padStart(12)}` +
            ` ${(histogram.getValueAtPercentile(50) / 1000).toFixed(1).padStart(7)} ms ${(histogram.getValueAtPercentile(99) / 1000).toFixed(1).padStart(7)} ms   ${ends.map((e) => e.offset).join(' ')}\n`,
        );
        histogram.reset();
        lastReport = now;
        lastProduced = produced;
        lastConsumed = consumed;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await producer.flush();
    stopping = true;
    await consuming;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await producer.close().catch(() => undefined);
    await consumer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
    histogram.destroy();
    await stopChild(broker.child, broker.exited);
    rmSync(dir, { recursive: true, force: true });
  }
  out.write(`\nproduced ${produced} records (${failed} failed), consumed ${consumed}; broker stopped, ${dir} removed\n`);
  return failed === 0 ? 0 : 1;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  options: OPTIONS,
  help: {
    summary: 'What npm start runs: a local broker, a keyed load, a consumer and live figures each second, until Ctrl-C.',
    usage: ['demo [--rate N] [--duration S] [--partitions N]'],
    options: [
      ['--rate N', 'records per second (default 2000)'],
      ['--duration S', 'stop after S seconds (default: run until Ctrl-C)'],
      ['--partitions N', 'partitions of the demo topic (default 3)'],
    ],
  },
  run: (argv) => runDemo(argv),
};
