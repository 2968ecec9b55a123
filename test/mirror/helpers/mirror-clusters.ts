// What the mirror's multi-process tests share: clusters started with short group timeouts (a killed
// worker's partitions move in seconds), a config text with small intervals, producing numbered records,
// reading a topic whole per partition, and waiting (bounded) until a topic holds what it should.
import assert from 'node:assert/strict';
import { Admin, Consumer, LATEST_TIMESTAMP, Producer, type ConsumedRecordWithTopic } from '../../../client/index.js';
import { bootstrapOf, useBrokers, type BrokerProcess } from '../../helpers/launcher.js';

/** Brokers whose group members time out in seconds and whose topics default to one replica. */
export const MIRROR_TEST_BROKER_CONFIG: Readonly<Record<string, string>> = {
  'group.consumer.min.session.timeout.ms': '500',
  'group.consumer.session.timeout.ms': '3000',
  'group.consumer.heartbeat.interval.ms': '300',
  'offsets.topic.num.partitions': '3',
  'offsets.topic.replication.factor': '1',
};

export interface TestCluster {
  alias: string;
  nodes: BrokerProcess[];
  bootstrap: string;
  admin: Admin;
  producer: Producer;
}

/** One single-node cluster per alias (n nodes when asked), with an admin and a producer each, all
 * stopped when the test ends. */
export async function startClusters(
  t: { after(fn: () => Promise<void> | void): void },
  aliases: readonly string[],
  nodes: Readonly<Record<string, number>> = {},
  config: Readonly<Record<string, string>> = {},
): Promise<Record<string, TestCluster>> {
  const brokers = useBrokers(t);
  const started = await Promise.all(aliases.map(async (alias) => {
    const n = nodes[alias] ?? 1;
    const ns = n === 1
      ? [await brokers.start({ config: { ...MIRROR_TEST_BROKER_CONFIG, ...config } })]
      : await brokers.cluster(n, { config: { ...MIRROR_TEST_BROKER_CONFIG, 'offsets.topic.replication.factor': '3', ...config } });
    const bootstrap = bootstrapOf(ns);
    const cluster: TestCluster = {
      alias, nodes: ns, bootstrap,
      admin: new Admin({ 'bootstrap.servers': bootstrap }),
      producer: new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 2 }),
    };
    return cluster;
  }));
  t.after(async () => {
    await Promise.all(started.map(async (c) => {
      await c.producer.close(2000);
      await c.admin.close();
    }));
  });
  return Object.fromEntries(started.map((c) => [c.alias, c]));
}

/** An mm2.properties text for these clusters and flows, with the intervals tests need (seconds). */
export function mirrorConfigText(clusters: readonly TestCluster[], flows: readonly string[], extra: Readonly<Record<string, string>> = {}): string {
  const lines = [
    `clusters = ${clusters.map((c) => c.alias).join(', ')}`,
    ...clusters.map((c) => `${c.alias}.bootstrap.servers = ${c.bootstrap}`),
    ...flows.map((f) => `${f}.enabled = true`),
    'replication.factor = 1',
    'offset.storage.replication.factor = 1',
    'offset-syncs.topic.replication.factor = 1',
    'checkpoints.topic.replication.factor = 1',
    'heartbeats.topic.replication.factor = 1',
    'refresh.topics.interval.seconds = 1',
    'sync.topic.configs.interval.seconds = 1',
    'offset.flush.interval.ms = 200',
    'emit.heartbeats.enabled = false',
    'emit.checkpoints.enabled = false',
    ...Object.entries(extra).map(([k, v]) => `${k} = ${v}`),
  ];
  return lines.join('\n') + '\n';
}

/** `count` records `${prefix}-${i}` spread over the topic's partitions by key, with a header and an
 * explicit timestamp each; resolves once all are acknowledged. */
export async function produceNumbered(producer: Producer, topic: string, prefix: string, count: number, from = 0): Promise<void> {
  const records = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { key: `${prefix}-key-${i % 17}`, value: `${prefix}-${i}`, headers: [{ key: 'n', value: Buffer.from(String(i)) }], timestamp: 1_700_000_000_000 + i };
  });
  await producer.sendMany(topic, records);
}

/** Every record of the topic up to its current end, per partition, in offset order. */
export async function readAll(bootstrap: string, topic: string, partitions: number): Promise<ConsumedRecordWithTopic[][]> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  const consumer = new Consumer({ 'bootstrap.servers': bootstrap, 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '100', 'max.poll.records': '5000' });
  try {
    const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
    const out: ConsumedRecordWithTopic[][] = Array.from({ length: partitions }, () => []);
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    const deadline = Date.now() + 30_000;
    const done = (): boolean => ends.every((e) => (out[e.partition]!.at(-1)?.offset ?? -1) + 1 >= e.offset);
    while (!done() && Date.now() < deadline) for (const r of await consumer.poll(200)) out[r.partition]!.push(r);
    return out;
  } finally {
    await consumer.close();
    await admin.close();
  }
}

/** Sum of the topic's log end offsets (undefined while it does not exist). */
export async function endOffsetsTotal(admin: Admin, topic: string): Promise<number | undefined> {
  try {
    const [d] = await admin.describeTopics([topic]);
    const ends = await admin.listOffsets(d!.partitions.map((p) => ({ topic, partition: p.partition, timestamp: LATEST_TIMESTAMP })));
    return ends.reduce((s, e) => s + e.offset, 0);
  } catch {
    return undefined;
  }
}

/** Waits (bounded) until the topic on the cluster holds at least `count` records. */
export async function waitForRecords(admin: Admin, topic: string, count: number, timeoutMs = 60_000, explain: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = await endOffsetsTotal(admin, topic);
    if (last !== undefined && last >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${topic} holds ${last ?? 'no topic'} records, not ${count}, after ${timeoutMs} ms\n${explain()}`);
}

/** The values of each partition, in order. */
export function valuesByPartition(records: readonly ConsumedRecordWithTopic[][]): string[][] {
  return records.map((p) => p.map((r) => r.value!.toString()));
}

/** A producer writing `${prefix}-${i}` records at about `perSecond` until stopped; stop() resolves
 * with the count written (every one acknowledged). */
export function startLoad(producer: Producer, topic: string, prefix: string, perSecond: number): { stop(): Promise<number> } {
  let stopped = false;
  let written = 0;
  const chunk = Math.max(1, Math.round(perSecond / 50));
  const running = (async () => {
    while (!stopped) {
      const started = Date.now();
      await produceNumbered(producer, topic, prefix, chunk, written);
      written += chunk;
      await new Promise((r) => setTimeout(r, Math.max(0, 20 - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
      return written;
    },
  };
}

/** The last record's value of each partition (undefined for an empty one). */
async function lastValues(bootstrap: string, topic: string, partitions: number): Promise<(string | undefined)[]> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  const consumer = new Consumer({ 'bootstrap.servers': bootstrap, 'fetch.max.wait.ms': '100' });
  try {
    const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
    const out: (string | undefined)[] = new Array(partitions).fill(undefined);
    const wanted = ends.filter((e) => e.offset > 0);
    consumer.assign(wanted.map((e) => ({ topic, partition: e.partition })));
    for (const e of wanted) consumer.seek({ topic, partition: e.partition }, e.offset - 1);
    const deadline = Date.now() + 10_000;
    while (wanted.some((e) => out[e.partition] === undefined) && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) if (r.offset === ends[r.partition]!.offset - 1) out[r.partition] = r.value!.toString();
    }
    return out;
  } finally {
    await consumer.close();
    await admin.close();
  }
}

/** Waits (bounded) until every partition of the remote topic ends with its source partition's last record. */
export async function waitCaughtUp(source: TestCluster, topic: string, target: TestCluster, remoteTopic: string, partitions: number, timeoutMs = 90_000, explain: () => string = () => ''): Promise<void> {
  const expected = await lastValues(source.bootstrap, topic, partitions);
  const deadline = Date.now() + timeoutMs;
  let got: (string | undefined)[] = [];
  while (Date.now() < deadline) {
    try {
      got = await lastValues(target.bootstrap, remoteTopic, partitions);
      if (JSON.stringify(got) === JSON.stringify(expected)) return;
    } catch {
      // the target may be on its way back
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.fail(`${remoteTopic} on ${target.alias} ends with ${JSON.stringify(got)}, not ${JSON.stringify(expected)}, after ${timeoutMs} ms\n${explain()}`);
}

/** First occurrences only, in order: what the target holds once duplicates are set aside. */
export function firstOccurrences(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
}
