// The four topologies of mirror/README.md with real clusters and real `strait mirror` processes: after
// producing to the sources, every target holds exactly the expected records (value, key, headers,
// timestamp), in order per partition, under the remote topic names the policy gives; active-active
// holds each record once per cluster and never an `A.B.topic`. Plus the identity policy one way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { mirrorConfigText, produceNumbered, readAll, startClusters, valuesByPartition, waitForRecords, type TestCluster } from './helpers/mirror-clusters.js';

const RECORDS = 600;
const PARTITIONS = 3;

/** The source topic's partitions, read whole: what each remote partition must hold, in the same order. */
async function sourceContents(c: TestCluster, topic: string): Promise<string[][]> {
  return valuesByPartition(await readAll(c.bootstrap, topic, PARTITIONS));
}

async function assertMirrored(source: TestCluster, topic: string, target: TestCluster, remoteTopic: string): Promise<void> {
  const expected = await sourceContents(source, topic);
  await waitForRecords(target.admin, remoteTopic, RECORDS);
  const got = await readAll(target.bootstrap, remoteTopic, PARTITIONS);
  assert.deepEqual(valuesByPartition(got), expected, `${remoteTopic} on ${target.alias} matches ${topic} on ${source.alias} partition by partition`);
  const sourceRecords = (await readAll(source.bootstrap, topic, PARTITIONS)).flat();
  const byValue = new Map(sourceRecords.map((r) => [r.value!.toString(), r]));
  for (const r of got.flat()) {
    const s = byValue.get(r.value!.toString())!;
    assert.equal(r.key!.toString(), s.key!.toString());
    assert.equal(r.timestamp, s.timestamp);
    assert.deepEqual(r.headers.map((h) => [h.key, h.value!.toString()]), s.headers.map((h) => [h.key, h.value!.toString()]));
  }
}

/** The mirror's counter of batches written, by mode (whole or reencoded), from its /metrics. */
async function batchesByMode(metricsPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^strait_mirror_batches_total\{[^}]*mode="(\w+)"[^}]*\} (\d+)/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  return out;
}

async function createTopic(c: TestCluster, name: string): Promise<void> {
  await c.admin.createTopics([{ name, numPartitions: PARTITIONS, replicationFactor: 1 }]);
}

test('mirror topologies', async (t) => {
  const clusters = await startClusters(t, ['A', 'B', 'C']);
  const { A, B, C } = clusters as Record<'A' | 'B' | 'C', TestCluster>;
  const mirrors = useMirrors(t);

  await t.test('active-passive A->B: A.orders on B holds A\'s orders, partition by partition', async () => {
    await createTopic(A, 'orders');
    await produceNumbered(A.producer, 'orders', 'ap', RECORDS / 2);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, B], ['A->B']) } });
    await produceNumbered(A.producer, 'orders', 'ap', RECORDS / 2, RECORDS / 2);
    await assertMirrored(A, 'orders', B, 'A.orders');
    // The producer's batches went whole: not one record was re-encoded.
    const modes = await batchesByMode(m.metricsPort);
    assert.ok((modes['whole'] ?? 0) > 0, JSON.stringify(modes));
    assert.equal(modes['reencoded'] ?? 0, 0);
    await m.stop();
  });

  await t.test('active-active A<->B: each record once per cluster, no A.B.topic', async () => {
    await createTopic(A, 'events');
    await createTopic(B, 'events');
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, B], ['A->B', 'B->A']) } });
    await Promise.all([produceNumbered(A.producer, 'events', 'fromA', RECORDS), produceNumbered(B.producer, 'events', 'fromB', RECORDS)]);
    await assertMirrored(A, 'events', B, 'A.events');
    await assertMirrored(B, 'events', A, 'B.events');
    // Give a cycle time to show itself (several refresh intervals), then look for one.
    await new Promise((r) => setTimeout(r, 2500));
    for (const c of [A, B]) {
      const topics = await c.admin.listTopics();
      assert.deepEqual(topics.filter((n) => /^[AB]\.[AB]\./.test(n)), [], `no A.B.* or B.A.* on ${c.alias}: ${topics.join(', ')}`);
    }
    assert.deepEqual(valuesByPartition(await readAll(A.bootstrap, 'events', PARTITIONS)).flat().filter((v) => v.startsWith('fromB')), [], 'A\'s own topic got nothing from B');
    await m.stop();
  });

  await t.test('fan-out A->B, A->C: both targets hold A\'s topic', async () => {
    await createTopic(A, 'fan');
    await produceNumbered(A.producer, 'fan', 'fan', RECORDS);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, B, C], ['A->B', 'A->C'], { 'topics': 'fan' }) } });
    await assertMirrored(A, 'fan', B, 'A.fan');
    await assertMirrored(A, 'fan', C, 'A.fan');
    await m.stop();
  });

  await t.test('aggregation A->C, B->C: C holds A.agg and B.agg, each its source\'s', async () => {
    await createTopic(A, 'agg');
    await createTopic(B, 'agg');
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, B, C], ['A->C', 'B->C'], { 'topics': 'agg' }) } });
    await Promise.all([produceNumbered(A.producer, 'agg', 'aggA', RECORDS), produceNumbered(B.producer, 'agg', 'aggB', RECORDS)]);
    await assertMirrored(A, 'agg', C, 'A.agg');
    await assertMirrored(B, 'agg', C, 'B.agg');
    await m.stop();
  });

  await t.test('identity policy one way: the topic keeps its name on the target', async () => {
    await createTopic(A, 'same-name');
    await produceNumbered(A.producer, 'same-name', 'id', RECORDS);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, C], ['A->C'], {
      'topics': 'same-name', 'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
    }) } });
    await assertMirrored(A, 'same-name', C, 'same-name');
    assert.equal((await C.admin.listTopics()).includes('A.same-name'), false);
    await m.stop();
  });
});
