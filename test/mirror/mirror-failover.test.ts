// Failover and failback, and checkpoints across a restart, with real clusters and real `strait mirror`
// processes (issue 9's tests; MM2's testReplication failover/failback and testRestartReplication).
// Failover: group G consumes part of A's orders, A is killed, `strait mirror failover` commits G's
// offsets on B from B's checkpoints, G resumes on B with no record missed and fewer than
// offset.lag.max re-read per partition; then, with producers moved to B, G consumes part of A.orders
// and of B's own orders, A comes back, `strait mirror failback` commits on A, and G resumes there the
// same way. Restart: a kill -9 of the mirror and a new worker keep the group's checkpoints monotonic
// and group offset sync carries on to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Consumer, LATEST_TIMESTAMP, type Admin } from '../../client/index.js';
import { decodeCheckpoint, TopicReader, type Checkpoint } from '../../mirror/index.js';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { runStrait } from '../helpers/run-strait.js';
import { mirrorConfigText, produceNumbered, startClusters, waitForRecords, type TestCluster } from './helpers/mirror-clusters.js';
import pino from 'pino';

const PARTITIONS = 3;
const LAG_MAX = 20;
const silent = pino({ level: 'silent' });

/** Per topic-partition, the offsets a group processed (in the order it got them). */
type Processed = Map<string, number[]>;
const tpKey = (topic: string, partition: number): string => `${topic}-${partition}`;

/**
 * G consumes from its committed offsets (auto.offset.reset=earliest without) until it has processed
 * at least `count` records or reached the ends, commits what it processed, leaves. Returns the values
 * it processed per partition key and the offsets.
 */
async function consumeAndCommit(c: TestCluster, group: string, topics: readonly string[], count: number, minPerPartition = 0): Promise<{ values: Map<string, string[]>; offsets: Processed }> {
  const consumer = new Consumer({ 'bootstrap.servers': c.bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': false, 'max.poll.records': 50 });
  const values = new Map<string, string[]>();
  const offsets: Processed = new Map();
  try {
    consumer.subscribe([...topics]);
    const ends = await endOffsets(c.admin, topics);
    let total = 0;
    const deadline = Date.now() + 60_000;
    // At the end once every partition is assigned and its position is at the end offset of the start.
    const atEnd = async (): Promise<boolean> => {
      const assigned = consumer.assignment();
      if (assigned.length < ends.size) return false;
      for (const tp of assigned) if ((await consumer.position(tp)) < (ends.get(tpKey(tp.topic, tp.partition)) ?? 0)) return false;
      return true;
    };
    // Enough once `count` records are processed and every partition has `minPerPartition` or is at its end.
    const enough = async (): Promise<boolean> => {
      if (total < count) return false;
      const assigned = consumer.assignment();
      if (assigned.length < ends.size) return false;
      for (const tp of assigned) {
        const done = offsets.get(tpKey(tp.topic, tp.partition))?.length ?? 0;
        if (done < minPerPartition && (await consumer.position(tp)) < (ends.get(tpKey(tp.topic, tp.partition)) ?? 0)) return false;
      }
      return true;
    };
    while (!(await enough()) && Date.now() < deadline) {
      const records = await consumer.poll(200);
      for (const r of records) {
        const key = tpKey(r.topic, r.partition);
        (values.get(key) ?? values.set(key, []).get(key)!).push(r.value!.toString());
        (offsets.get(key) ?? offsets.set(key, []).get(key)!).push(r.offset);
      }
      total += records.length;
      if (records.length > 0) await consumer.commit();
      if (records.length === 0 && (await atEnd())) break;
    }
    await consumer.commit();
    return { values, offsets };
  } finally {
    await consumer.close();
  }
}

async function endOffsets(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const queries = topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
  return new Map((await admin.listOffsets(queries)).map((a) => [tpKey(a.topic, a.partition), a.offset]));
}

async function checkpointsOn(c: TestCluster, topic: string): Promise<Checkpoint[]> {
  const seen: Checkpoint[] = [];
  const reader = new TopicReader({ topic, admin: c.admin, consumer: { 'bootstrap.servers': c.bootstrap }, logger: silent, onRecord: (r) => seen.push(decodeCheckpoint(r.key, r.value)) });
  try {
    await reader.readToEnd(30_000);
  } finally {
    await reader.close();
  }
  return seen;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The records of a partition that G processed before a switch (`before`: values in order) and after it
 * (`after`): nothing of the partition's sequence is missed across the switch, and fewer than
 * offset.lag.max records are read again.
 */
function assertSwitch(what: string, sequence: readonly string[], before: readonly string[], after: readonly string[]): void {
  const processed = new Set(before);
  const firstAfter = after[0];
  if (firstAfter === undefined) {
    assert.ok(sequence.every((v) => processed.has(v)), `${what}: nothing read after the switch, though records were left`);
    return;
  }
  const resumeIndex = sequence.indexOf(firstAfter);
  assert.ok(resumeIndex >= 0, `${what}: resumed at ${firstAfter}, not in the sequence`);
  const firstUnprocessed = sequence.findIndex((v) => !processed.has(v));
  assert.ok(resumeIndex <= (firstUnprocessed < 0 ? sequence.length : firstUnprocessed), `${what}: resumed at ${firstAfter} (index ${resumeIndex}), past the first unprocessed record (index ${firstUnprocessed})`);
  const reread = after.filter((v) => processed.has(v)).length;
  assert.ok(reread < LAG_MAX, `${what}: ${reread} records read again (offset.lag.max ${LAG_MAX})`);
}

test('failover and failback of a consumer group with real mirror processes (active-active)', async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-failover-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'mm2.properties');
  writeFileSync(configFile, mirrorConfigText([A, B], ['A->B', 'B->A'], {
    'emit.checkpoints.enabled': 'true', 'emit.checkpoints.interval.seconds': '1', 'refresh.groups.interval.seconds': '1',
    'emit.heartbeats.enabled': 'true', 'offset.lag.max': String(LAG_MAX),
  }));
  for (const c of [A, B]) await c.admin.createTopics([{ name: 'orders', numPartitions: PARTITIONS, replicationFactor: 1 }]);
  await produceNumbered(A.producer, 'orders', 'a', 600);
  const mirrors = useMirrors(t);
  await mirrors.start({ config: { path: configFile } });
  await waitForRecords(B.admin, 'A.orders', 600);
  const group = 'orders-app';

  // On A, G processes part of each partition.
  const onA = await consumeAndCommit(A, group, ['orders'], 150, 20);
  const committedOnA = new Map([...onA.offsets].map(([key, offsets]) => [key, offsets.at(-1)! + 1]));
  await until('checkpoints of everything G committed on A', async () => {
    const newest = new Map((await checkpointsOn(B, 'A.checkpoints.internal')).filter((c) => c.group === group).map((c) => [tpKey(c.topic.replace(/^A\./, ''), c.partition), c.upstream]));
    return [...committedOnA].every(([key, offset]) => newest.get(key) === offset) ? true : undefined;
  });
  const sequenceA = new Map<string, string[]>();
  for (let p = 0; p < PARTITIONS; p++) sequenceA.set(tpKey('orders', p), (await consumeWhole(A, 'orders', p)));

  // A dies; G fails over to B from B's checkpoints.
  for (const node of A.nodes) node.kill('SIGKILL');
  await Promise.all(A.nodes.map((n) => n.exited));
  const failover = await runStrait(['mirror', 'failover', '--config', configFile, '--group', group, '--from', 'A', '--to', 'B', '--timeout-ms', '3000'], undefined, 60_000);
  assert.equal(failover.code, 0, failover.stdout + failover.stderr);
  assert.match(failover.stdout, /checkpoint/);

  // On B, with the producers moved there, G reads on through A.orders and B's own orders.
  await produceNumbered(B.producer, 'orders', 'b', 300);
  const onB = await consumeAndCommit(B, group, ['A.orders', 'orders'], 150, 20);
  for (let p = 0; p < PARTITIONS; p++) {
    assertSwitch(`failover, partition ${p}`, sequenceA.get(tpKey('orders', p))!, onA.values.get(tpKey('orders', p)) ?? [], onB.values.get(tpKey('A.orders', p)) ?? []);
  }

  // A comes back; the mirror catches up; G fails back to A.
  for (const node of A.nodes) await node.restart();
  await waitForRecords(A.admin, 'B.orders', 300);
  const failback = await runStrait(['mirror', 'failback', '--config', configFile, '--group', group, '--from', 'B', '--to', 'A'], undefined, 60_000);
  assert.equal(failback.code, 0, failback.stdout + failback.stderr);
  assert.match(failback.stdout, /offset syncs, reverse/);
  const backOnA = await consumeAndCommit(A, group, ['orders', 'B.orders'], 10_000);
  const sequenceB = new Map<string, string[]>();
  for (let p = 0; p < PARTITIONS; p++) sequenceB.set(tpKey('orders', p), await consumeWhole(B, 'orders', p));
  for (let p = 0; p < PARTITIONS; p++) {
    const processedOfA = [...(onA.values.get(tpKey('orders', p)) ?? []), ...(onB.values.get(tpKey('A.orders', p)) ?? [])];
    assertSwitch(`failback of A's orders, partition ${p}`, sequenceA.get(tpKey('orders', p))!, processedOfA, backOnA.values.get(tpKey('orders', p)) ?? []);
    assertSwitch(`failback of B's orders, partition ${p}`, sequenceB.get(tpKey('orders', p))!, onB.values.get(tpKey('orders', p)) ?? [], backOnA.values.get(tpKey('B.orders', p)) ?? []);
  }
  // Every record of both regions was processed somewhere.
  const all = new Set([onA, onB, backOnA].flatMap((phase) => [...phase.values.values()].flat()));
  for (const sequence of [...sequenceA.values(), ...sequenceB.values()]) for (const v of sequence) assert.ok(all.has(v), `${v} was never processed`);
});

/** A partition's values, whole, in order. */
async function consumeWhole(c: TestCluster, topic: string, partition: number): Promise<string[]> {
  const [end] = await c.admin.listOffsets([{ topic, partition, timestamp: LATEST_TIMESTAMP }]);
  const consumer = new Consumer({ 'bootstrap.servers': c.bootstrap, 'auto.offset.reset': 'earliest' });
  const out: string[] = [];
  try {
    consumer.assign([{ topic, partition }]);
    const deadline = Date.now() + 30_000;
    while (out.length < end!.offset && Date.now() < deadline) for (const r of await consumer.poll(200)) out.push(r.value!.toString());
    return out;
  } finally {
    await consumer.close();
  }
}

test('checkpoints stay monotonic across a kill -9 and restart of the mirror, and group offset sync carries on (MM2\'s testRestartReplication)', async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const config = mirrorConfigText([A, B], ['A->B'], {
    'emit.checkpoints.enabled': 'true', 'emit.checkpoints.interval.seconds': '1', 'refresh.groups.interval.seconds': '1',
    'sync.group.offsets.enabled': 'true', 'sync.group.offsets.interval.seconds': '1', 'offset.lag.max': '10',
  });
  await A.admin.createTopics([{ name: 'orders', numPartitions: PARTITIONS, replicationFactor: 1 }]);
  const mirrors = useMirrors(t);
  const group = 'restart-app';
  const fullySynced = async (what: string) => {
    const ends = await endOffsets(A.admin, ['orders']);
    await until(what, async () => {
      const onB = new Map((await B.admin.listConsumerGroupOffsets(group)).map((o) => [tpKey(o.topic.replace(/^A\./, ''), o.partition), o.offset]));
      return [...ends].every(([key, end]) => end === 0 || onB.get(key) === end) ? true : undefined;
    });
  };
  const assertMonotonic = async () => {
    const last = new Map<string, number>();
    for (const c of (await checkpointsOn(B, 'A.checkpoints.internal')).filter((x) => x.group === group)) {
      const key = tpKey(c.topic, c.partition);
      assert.ok(c.downstream >= (last.get(key) ?? 0), `${key}: checkpoint ${c.downstream} after ${last.get(key)}`);
      last.set(key, c.downstream);
    }
  };

  const first = await mirrors.start({ config: { text: config } });
  await produceNumbered(A.producer, 'orders', 'r', 300);
  await consumeAndCommit(A, group, ['orders'], 300);
  await fullySynced('the group synced to B');
  first.kill('SIGKILL');
  await first.exited;
  await mirrors.start({ config: { text: config } });
  await assertMonotonic();
  await produceNumbered(A.producer, 'orders', 'r', 300, 300);
  await consumeAndCommit(A, group, ['orders'], 300);
  await fullySynced('the group synced to B after the restart');
  await assertMonotonic();
});
