// The offset-sync writer and the offset-sync log against a real broker: syncs written with MM2's rules
// from ForwardedBatch values built from real produce results, read back whole by a log (as a restarted
// checkpoint side would), the periodic flush, offset-syncs.topic.location, a malformed record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Producer } from '../../../client/index.js';
import { FlowMetrics, MirrorMetrics, OffsetSyncLog, OffsetSyncWriter, PartitionSyncRules, type SyncPoint } from '../../../mirror/index.js';
import { Registry } from 'prom-client';
import { randomTopic } from '../../helpers/broker-calls.js';
import { startBroker, type BrokerProcess } from '../../helpers/launcher.js';
import { eventually, flowOf, mirrorByHand, silentLogger } from './offsets-fixtures.js';

let broker: BrokerProcess;
let admin: Admin;
let producer: Producer;

before(async () => {
  broker = await startBroker();
  admin = new Admin({ 'bootstrap.servers': broker.address });
  producer = new Producer({ 'bootstrap.servers': broker.address, 'linger.ms': 0 });
});

after(async () => {
  await producer.close();
  await admin.close();
  await broker.stop();
});

function metrics(): { registry: Registry; flow: FlowMetrics } {
  const registry = new Registry();
  return { registry, flow: new MirrorMetrics(registry, { defaultMetrics: false }).flow('A', 'B') };
}

/** A separate "cluster A" and "cluster B" are not needed here: both aliases name the one broker, and
 * the offset-syncs topic name says which side it stands for. */
function setup(keys: Record<string, string> = {}) {
  const { flow, policy } = flowOf({ A: broker.address, B: broker.address }, keys);
  const m = metrics();
  const writer = new OffsetSyncWriter({ flow, policy, producer, admin, metrics: m.flow, logger: silentLogger });
  const log = (): OffsetSyncLog => new OffsetSyncLog({ flow, policy, admin, consumer: { 'bootstrap.servers': broker.address }, logger: silentLogger });
  return { flow, policy, writer, log, registry: m.registry };
}

test('syncs written for real forwarded batches are MM2\'s, and a log read whole translates with them (offset.lag.max = 10)', async (t) => {
  const { policy, writer, log, registry } = setup({ 'offset.lag.max': '10', 'offset.flush.interval.ms': '60000' });
  await writer.start();
  t.after(() => writer.stop());
  assert.equal(writer.topic, 'mm2-offset-syncs.B.internal', 'on the source, named for the target');
  const topics = { source: randomTopic('orders'), remote: '' };
  topics.remote = policy.remoteTopic(topics.source);
  await admin.createTopics([{ name: topics.source, numPartitions: 1, replicationFactor: 1 }, { name: topics.remote, numPartitions: 1, replicationFactor: 1 }]);
  // Something else in the remote partition first, so downstream offsets differ from upstream ones.
  await producer.sendBatch(topics.remote, [{ partition: 0, value: 'x' }, { partition: 0, value: 'y' }, { partition: 0, value: 'z' }]);
  const batches = await mirrorByHand(producer, producer, topics, 0, 57, 4);
  for (const b of batches) writer.onForwarded(b);
  await writer.flush();

  const rules = new PartitionSyncRules(10);
  const expected: SyncPoint[] = batches.flatMap((b) => rules.onBatch(b));
  const pending = rules.takePending();
  if (pending) expected.push(pending);

  const reader = log();
  t.after(() => reader.close());
  assert.equal(reader.store.translateDownstream(topics.source, 0, 10), undefined, 'nothing before the first read');
  await reader.catchUp(20_000);
  assert.deepEqual(reader.store.syncsOf(topics.source, 0).map(({ upstream, downstream }) => ({ upstream, downstream })), expected);
  for (let committed = 0; committed <= 57; committed++) {
    const translated = reader.store.translateDownstream(topics.source, 0, committed)!;
    const exact = committed + 3;
    assert.ok(translated <= exact && exact - translated < 10, `committed ${committed} -> ${translated} (the record is at ${exact})`);
  }
  assert.equal(reader.store.translateDownstream(topics.source, 0, 57), 60, 'a caught-up group translates to the remote end');
  assert.match(await registry.metrics(), new RegExp(`strait_mirror_offset_syncs_total\\{source="A",target="B"\\} ${expected.length}`));
});

test('the newest position is synced by the periodic flush (offset.flush.interval.ms) even when no rule calls for it', async (t) => {
  const { policy, writer, log } = setup({ 'offset.lag.max': '100', 'offset.flush.interval.ms': '100' });
  await writer.start();
  t.after(() => writer.stop());
  const topics = { source: randomTopic('idle'), remote: '' };
  topics.remote = policy.remoteTopic(topics.source);
  await admin.createTopics([{ name: topics.source, numPartitions: 2, replicationFactor: 1 }, { name: topics.remote, numPartitions: 2, replicationFactor: 1 }]);
  for (const b of await mirrorByHand(producer, producer, topics, 1, 6, 3)) writer.onForwarded(b);
  const reader = log();
  t.after(() => reader.close());
  await eventually('the pending sync written by the timer', async () => {
    await reader.catchUp(10_000);
    return reader.store.translateDownstream(topics.source, 1, 6) === 6 ? true : undefined;
  });
  assert.deepEqual(reader.store.syncsOf(topics.source, 1).map((s) => [s.upstream, s.downstream]), [[0, 0], [5, 5]]);
});

test('offset-syncs.topic.location = target writes mm2-offset-syncs.<source>.internal', async (t) => {
  const { writer, log, policy } = setup({ 'offset-syncs.topic.location': 'target' });
  assert.equal(policy.offsetSyncsCluster(), 'B');
  await writer.start();
  t.after(() => writer.stop());
  assert.equal(writer.topic, 'mm2-offset-syncs.A.internal');
  const topics = { source: randomTopic('loc'), remote: '' };
  topics.remote = policy.remoteTopic(topics.source);
  await admin.createTopics([{ name: topics.source, numPartitions: 1, replicationFactor: 1 }, { name: topics.remote, numPartitions: 1, replicationFactor: 1 }]);
  for (const b of await mirrorByHand(producer, producer, topics, 0, 5, 5)) writer.onForwarded(b);
  await writer.flush();
  const reader = log();
  t.after(() => reader.close());
  await reader.catchUp(20_000);
  assert.equal(reader.store.translateDownstream(topics.source, 0, 5), 5);
  assert.ok((await admin.listTopics({ includeInternal: true })).includes('mm2-offset-syncs.A.internal'));
});

test('a record in the offset-syncs topic that is not a sync is skipped and the rest still read', async (t) => {
  const { writer, log, policy } = setup();
  await writer.start();
  t.after(() => writer.stop());
  const topics = { source: randomTopic('junk'), remote: '' };
  topics.remote = policy.remoteTopic(topics.source);
  await admin.createTopics([{ name: topics.source, numPartitions: 1, replicationFactor: 1 }, { name: topics.remote, numPartitions: 1, replicationFactor: 1 }]);
  await producer.send(writer.topic, { partition: 0, key: 'not json', value: 'at all' });
  for (const b of await mirrorByHand(producer, producer, topics, 0, 3, 3)) writer.onForwarded(b);
  await writer.flush();
  const reader = log();
  t.after(() => reader.close());
  await reader.catchUp(20_000);
  assert.ok(reader.skippedRecords >= 1);
  assert.equal(reader.store.translateDownstream(topics.source, 0, 3), 3);
});

test('a partition released to another worker loses its pending sync: nothing older than the new owner\'s syncs is written after them', async (t) => {
  const { writer, log, policy } = setup({ 'offset.flush.interval.ms': '60000' });
  await writer.start();
  t.after(() => writer.stop());
  const topics = { source: randomTopic('moved'), remote: '' };
  topics.remote = policy.remoteTopic(topics.source);
  await admin.createTopics([{ name: topics.source, numPartitions: 1, replicationFactor: 1 }, { name: topics.remote, numPartitions: 1, replicationFactor: 1 }]);
  for (const b of await mirrorByHand(producer, producer, topics, 0, 8, 4)) writer.onForwarded(b);
  writer.partitionReleased(topics.source, 0);
  await writer.flush();
  const reader = log();
  t.after(() => reader.close());
  await reader.catchUp(20_000);
  assert.deepEqual(reader.store.syncsOf(topics.source, 0).map((s) => s.upstream), [0], 'the first record\'s sync only; record 7 was pending');
});
