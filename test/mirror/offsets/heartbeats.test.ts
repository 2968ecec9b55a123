// Heartbeats against two real single-node clusters: the emitter's records in the target's heartbeats
// topic, a heartbeat-only pair, the monitor reading heartbeats topics that came in through the flow's
// source into the heartbeat-age metric, and upstream-cluster discovery (MM2's integration assertions).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Admin, Producer } from '../../../client/index.js';
import {
  decodeHeartbeat, HeartbeatEmitter, HeartbeatMonitor, HeartbeatPairs, MirrorMetrics, parseMirrorConfig, TopicReader, upstreamClustersOf, type Heartbeat,
} from '../../../mirror/index.js';
import { parseProperties } from '../../../client/index.js';
import { encodeHeartbeatKey, encodeHeartbeatValue } from '../../../mirror/offsets/internal-records.js';
import type { BrokerProcess } from '../../helpers/launcher.js';
import { eventually, flowOf, mirrorConfigText, silentLogger, startTwoClusters, stopTwoClusters } from './offsets-fixtures.js';

let a: BrokerProcess;
let b: BrokerProcess;
let adminA: Admin;
let adminB: Admin;
let producerA: Producer;
let producerB: Producer;

before(async () => ({ a, b, adminA, adminB, producerA, producerB } = await startTwoClusters()));
after(() => stopTwoClusters({ a, b, adminA, adminB, producerA, producerB }));

async function heartbeatsIn(admin: Admin, address: string, topic: string): Promise<Heartbeat[]> {
  const seen: Heartbeat[] = [];
  const reader = new TopicReader({ topic, admin, consumer: { 'bootstrap.servers': address }, logger: silentLogger, onRecord: (r) => seen.push(decodeHeartbeat(r.key, r.value)) });
  try {
    await reader.readToEnd(20_000);
  } finally {
    await reader.close();
  }
  return seen;
}

test('a flow and a heartbeat-only pair write (source, target, now) into the target\'s heartbeats topic every interval', async (t) => {
  const clusters = { A: a.address, B: b.address };
  const metrics = new MirrorMetrics(new Registry(), { defaultMetrics: false });
  const forward = flowOf(clusters, { 'emit.heartbeats.interval.seconds': '1' });
  const back = flowOf(clusters, { 'emit.heartbeats.interval.seconds': '1' }, 'B->A');
  const emitters = [
    new HeartbeatEmitter({ ...forward, targetAdmin: adminB, targetProducer: producerB, metrics: metrics.flow('A', 'B'), logger: silentLogger }),
    new HeartbeatEmitter({ ...back, targetAdmin: adminA, targetProducer: producerA, metrics: metrics.flow('B', 'A'), logger: silentLogger }),
  ];
  const startedAt = Date.now();
  await Promise.all(emitters.map((e) => e.start()));
  t.after(() => Promise.all(emitters.map((e) => e.stop())).then(() => undefined));
  const onB = await eventually('two heartbeats on B', async () => {
    const beats = (await heartbeatsIn(adminB, b.address, 'heartbeats')).filter((h) => h.source === 'A' && h.timestampMs >= startedAt);
    return beats.length >= 2 ? beats : undefined;
  });
  assert.ok(onB.every((h) => h.target === 'B'));
  assert.ok(onB[1]!.timestampMs - onB[0]!.timestampMs >= 900, 'one interval apart');
  const onA = await eventually('a heartbeat on A from the heartbeat-only pair', async () => {
    const beats = (await heartbeatsIn(adminA, a.address, 'heartbeats')).filter((h) => h.source === 'B' && h.target === 'A');
    return beats.length >= 1 ? beats : undefined;
  });
  assert.ok(onA[0]!.timestampMs >= startedAt);
});

test('the monitor reads heartbeats that came in through the source into the heartbeat age; upstream clusters and hops come from the topic names', async (t) => {
  const { flow, policy } = flowOf({ A: a.address, B: b.address });
  const registry = new Registry();
  const metrics = new MirrorMetrics(registry, { defaultMetrics: false });
  // As if A->B had mirrored A's heartbeats (written there by B->A) and A's C.heartbeats (from C->A).
  await adminB.createTopics([{ name: 'A.heartbeats', numPartitions: 1, replicationFactor: 1 }, { name: 'A.C.heartbeats', numPartitions: 1, replicationFactor: 1 }]);
  const now = Date.now();
  const beat = (topic: string, h: Heartbeat) => producerB.send(topic, { partition: 0, key: encodeHeartbeatKey(h), value: encodeHeartbeatValue(h) });
  await beat('A.heartbeats', { source: 'B', target: 'A', timestampMs: now - 5000 });
  await beat('A.heartbeats', { source: 'B', target: 'A', timestampMs: now - 2000 });
  await beat('A.C.heartbeats', { source: 'D', target: 'C', timestampMs: now - 7000 });
  const monitor = new HeartbeatMonitor({ flow, policy, targetAdmin: adminB, targetConsumer: { 'bootstrap.servers': b.address }, metrics: metrics.flow('A', 'B'), logger: silentLogger });
  monitor.start();
  t.after(() => monitor.stop());
  await monitor.runNow();
  assert.deepEqual(Object.fromEntries(monitor.newestHeartbeats()), { A: now - 2000, C: now - 7000 });
  const scrape = await registry.metrics();
  const age = (source: string): number => Number(new RegExp(`strait_mirror_heartbeat_age_seconds\\{source="${source}",target="B"\\} ([0-9.]+)`).exec(scrape)?.[1]);
  assert.ok(age('A') >= 2 && age('A') < age('C'), scrape);
  assert.ok(age('C') >= 7);

  assert.deepEqual(await upstreamClustersOf(adminB, policy.replication), [{ alias: 'A', hops: 1 }, { alias: 'C', hops: 2 }]);
  await beat('A.heartbeats', { source: 'B', target: 'A', timestampMs: now });
  await monitor.runNow();
  assert.equal(monitor.newestHeartbeats().get('A'), now, 'read on from where it stopped');
});

test('HeartbeatPairs runs the pairs a config does not enable (MM2 writes heartbeats for every pair): A->B alone still feeds A\'s heartbeats', async (t) => {
  const config = parseMirrorConfig(parseProperties(mirrorConfigText({ A: a.address, B: b.address }, { 'emit.heartbeats.interval.seconds': '1' })), 'test.properties');
  assert.deepEqual(config.heartbeatOnlyFlows.map((f) => `${f.source}->${f.target}`), ['B->A']);
  const startedAt = Date.now();
  const pairs = new HeartbeatPairs(config.heartbeatOnlyFlows, config.clusterSettings, new MirrorMetrics(new Registry(), { defaultMetrics: false }), silentLogger);
  await pairs.start();
  t.after(() => pairs.stop());
  await eventually('a heartbeat (B, A) on A', async () => {
    const beats = (await heartbeatsIn(adminA, a.address, 'heartbeats')).filter((h) => h.source === 'B' && h.target === 'A' && h.timestampMs >= startedAt);
    return beats.length > 0 ? beats : undefined;
  });
});
