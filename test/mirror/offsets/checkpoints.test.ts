// Checkpoints and group offset sync against two real single-node clusters A and B: records mirrored by
// hand (produced to A's topic and to B's remote topic), offset syncs written by the writer from the
// produce results, groups committed on A; checked are the checkpoints in A.checkpoints.internal on B
// and the groups' offsets on B. MM2's scenarios: a never-written partition gets 0, no checkpoint before
// records are mirrored, translation follows the group forward and back, group offset sync only for
// groups without members and only forward, a restart keeps checkpoints monotonic and translates a
// lagging group at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Admin, Consumer, Producer } from '../../../client/index.js';
import {
  CheckpointEmitter, decodeCheckpoint, GroupOffsetSync, MirrorMetrics, OffsetSyncLog, OffsetSyncWriter, TopicReader, type Checkpoint,
} from '../../../mirror/index.js';
import { encodeOffsetSyncKey, encodeOffsetSyncValue } from '../../../mirror/offsets/internal-records.js';
import { randomTopic } from '../../helpers/broker-calls.js';
import type { BrokerProcess } from '../../helpers/launcher.js';
import { eventually, flowOf, mirrorByHand, silentLogger, startTwoClusters, stopTwoClusters } from './offsets-fixtures.js';

let a: BrokerProcess;
let b: BrokerProcess;
let adminA: Admin;
let adminB: Admin;
let producerA: Producer;
let producerB: Producer;

before(async () => ({ a, b, adminA, adminB, producerA, producerB } = await startTwoClusters()));
after(() => stopTwoClusters({ a, b, adminA, adminB, producerA, producerB }));

type Rig = ReturnType<typeof rig>;

function rig(keys: Record<string, string>, t: { after(fn: () => Promise<void>): void }) {
  const { flow, policy } = flowOf({ A: a.address, B: b.address }, { 'offset.lag.max': '10', 'emit.checkpoints.interval.seconds': '3600', 'refresh.groups.interval.seconds': '1', ...keys });
  const metrics = new MirrorMetrics(new Registry(), { defaultMetrics: false }).flow('A', 'B');
  const syncsOnSource = policy.offsetSyncsCluster() === 'A';
  const syncsAdmin = syncsOnSource ? adminA : adminB;
  const writer = new OffsetSyncWriter({ flow, policy, producer: syncsOnSource ? producerA : producerB, admin: syncsAdmin, metrics, logger: silentLogger });
  const offsetSyncs = new OffsetSyncLog({ flow, policy, admin: syncsAdmin, consumer: { 'bootstrap.servers': syncsOnSource ? a.address : b.address }, logger: silentLogger });
  const emitter = new CheckpointEmitter({
    flow, policy, sourceAdmin: adminA, targetAdmin: adminB, targetProducer: producerB, targetConsumer: { 'bootstrap.servers': b.address }, offsetSyncs, metrics, logger: silentLogger,
  });
  const groupSync = new GroupOffsetSync({ flow, targetAdmin: adminB, checkpoints: emitter, metrics, logger: silentLogger });
  t.after(async () => {
    await groupSync.stop();
    await emitter.stop();
    await writer.stop();
    await offsetSyncs.close();
  });
  return { flow, policy, writer, offsetSyncs, emitter, groupSync };
}

/** A source topic on A and its remote topic on B, `count` records mirrored into partition 0. */
async function mirroredTopic(r: Rig, partitions: number, count: number): Promise<{ source: string; remote: string }> {
  const source = randomTopic('t');
  const topics = { source, remote: r.policy.remoteTopic(source) };
  await adminA.createTopics([{ name: topics.source, numPartitions: partitions, replicationFactor: 1 }]);
  await adminB.createTopics([{ name: topics.remote, numPartitions: partitions, replicationFactor: 1 }]);
  if (count > 0) {
    for (const batch of await mirrorByHand(producerA, producerB, topics, 0, count, 4)) r.writer.onForwarded(batch);
    await r.writer.flush();
  }
  return topics;
}

async function allCheckpoints(): Promise<Checkpoint[]> {
  const seen: Checkpoint[] = [];
  const reader = new TopicReader({ topic: 'A.checkpoints.internal', admin: adminB, consumer: { 'bootstrap.servers': b.address }, logger: silentLogger, onRecord: (rec) => seen.push(decodeCheckpoint(rec.key, rec.value)) });
  try {
    await reader.readToEnd(20_000);
  } finally {
    await reader.close();
  }
  return seen;
}

async function latestCheckpoint(group: string, topic: string, partition: number): Promise<Checkpoint | undefined> {
  return (await allCheckpoints()).filter((c) => c.group === group && c.topic === topic && c.partition === partition).pop();
}

async function targetOffset(group: string, topic: string, partition: number): Promise<number | undefined> {
  const offsets = await adminB.listConsumerGroupOffsets(group);
  return offsets.find((o) => o.topic === topic && o.partition === partition)?.offset;
}

const commitOnA = (group: string, topic: string, offsets: Record<number, number>) =>
  adminA.alterConsumerGroupOffsets(group, Object.entries(offsets).map(([partition, offset]) => ({ topic, partition: Number(partition), offset })));

test('checkpoints: translated within offset.lag.max, 0 for a partition that never got records, none for a topic before its records are mirrored, none for excluded groups', async (t) => {
  const r = rig({}, t);
  await r.writer.start();
  const mirrored = await mirroredTopic(r, 2, 57);
  const later = await mirroredTopic(r, 1, 0);
  const group = `g-${mirrored.source}`;
  await commitOnA(group, mirrored.source, { 0: 30, 1: 0 });
  await commitOnA(group, later.source, { 0: 0 });
  await commitOnA(`console-consumer-${mirrored.source}`, mirrored.source, { 0: 10 });
  await r.emitter.start();
  await r.emitter.runNow();

  const cp = await latestCheckpoint(group, mirrored.remote, 0);
  assert.ok(cp, 'a checkpoint for the mirrored partition');
  assert.equal(cp.upstream, 30);
  assert.ok(cp.downstream <= 30 && 30 - cp.downstream < 10, `downstream ${cp.downstream}`);
  assert.deepEqual(await latestCheckpoint(group, mirrored.remote, 1).then((c) => c && [c.upstream, c.downstream]), [0, 0], 'a partition that never got records gets 0');
  assert.equal(await latestCheckpoint(group, later.remote, 0), undefined, 'nothing mirrored of that topic yet');
  assert.ok(!(await allCheckpoints()).some((c) => c.group.startsWith('console-consumer-')), 'groups.exclude');

  for (const batch of await mirrorByHand(producerA, producerB, later, 0, 5, 5)) r.writer.onForwarded(batch);
  await r.writer.flush();
  await commitOnA(group, later.source, { 0: 5 });
  await r.emitter.runNow();
  assert.deepEqual(await latestCheckpoint(group, later.remote, 0).then((c) => c && [c.upstream, c.downstream]), [5, 5], 'checkpointed once mirrored');
});

test('group offset sync: only for groups without members on the target, only forward, on its own interval; checkpoints follow the group forward and back', async (t) => {
  const r = rig({ 'sync.group.offsets.enabled': 'true', 'sync.group.offsets.interval.seconds': '1' }, t);
  await r.writer.start();
  const topics = await mirroredTopic(r, 2, 57);
  const group = `g-${topics.source}`;
  await commitOnA(group, topics.source, { 0: 20, 1: 0 });
  await r.emitter.start();
  await r.emitter.runNow();
  r.groupSync.start();
  const first = (await latestCheckpoint(group, topics.remote, 0))!;
  await eventually('the group\'s offset on B', async () => ((await targetOffset(group, topics.remote, 0)) === first.downstream ? true : undefined));
  assert.equal(await targetOffset(group, topics.remote, 1), 0, 'the partition that never got records gets offset 0 for the group on B (MM2\'s testReplicationWithEmptyPartition)');

  await commitOnA(group, topics.source, { 0: 45 });
  await r.emitter.runNow();
  const forward = (await latestCheckpoint(group, topics.remote, 0))!;
  assert.ok(forward.downstream > first.downstream);
  await eventually('the group moved forward on B', async () => ((await targetOffset(group, topics.remote, 0)) === forward.downstream ? true : undefined));

  await commitOnA(group, topics.source, { 0: 3 });
  await r.emitter.runNow();
  const back = (await latestCheckpoint(group, topics.remote, 0))!;
  assert.equal(back.upstream, 3, 'the checkpoint follows the group back');
  assert.ok(back.downstream < forward.downstream);
  await r.groupSync.runNow();
  assert.equal(await targetOffset(group, topics.remote, 0), forward.downstream, 'the target group is never moved back');

  // A group with a member on B owns its offsets there.
  const busy = `busy-${topics.source}`;
  const member = new Consumer({ 'bootstrap.servers': b.address, 'group.id': busy, 'enable.auto.commit': false, 'auto.offset.reset': 'latest' });
  member.subscribe([topics.remote]);
  const polling = (async () => { while (member.subscription()) await member.poll(100).catch(() => []); })();
  await eventually('the member on B', async () => ((await adminB.describeGroups([busy]).catch(() => []))[0]?.members.length ? true : undefined));
  await commitOnA(busy, topics.source, { 0: 40 });
  // A new group is picked up at the next listing (refresh.groups.interval.seconds).
  const translated = (await eventually('the new group checkpointed', async () => {
    await r.emitter.runNow();
    return latestCheckpoint(busy, topics.remote, 0);
  })).downstream;
  await r.groupSync.runNow();
  assert.equal(await targetOffset(busy, topics.remote, 0), undefined, 'not committed while the group has a member on B');
  await member.unsubscribe();
  await polling;
  await member.close();
  await eventually('synced once the member left', async () => ((await targetOffset(busy, topics.remote, 0)) === translated ? true : undefined));
});

test('a restarted checkpoint side keeps checkpoints monotonic with a poorer sync history (KAFKA-15905) and translates a lagging group in its first round (KAFKA-16622)', async (t) => {
  const r = rig({}, t);
  await r.writer.start();
  const topics = await mirroredTopic(r, 1, 57);
  const group = `g-${topics.source}`;
  await commitOnA(group, topics.source, { 0: 50 });
  await r.emitter.start();
  await r.emitter.runNow();
  const before = (await latestCheckpoint(group, topics.remote, 0))!;
  await r.emitter.stop();

  // The restarted side reads syncs that lost their history: only record 0's.
  const poor = rig({ 'offset-syncs.topic.location': 'target' }, t);
  await poor.writer.start();
  await producerB.send(poor.writer.topic, { partition: 0, key: encodeOffsetSyncKey(topics.source, 0, 0), value: encodeOffsetSyncValue({ topic: topics.source, partition: 0, upstream: 0, downstream: 0 }) });
  await poor.emitter.start();
  await poor.emitter.runNow();
  await commitOnA(group, topics.source, { 0: 55 });
  await poor.emitter.runNow();
  const checkpoints = (await allCheckpoints()).filter((c) => c.group === group && c.topic === topics.remote);
  assert.deepEqual(checkpoints.at(-1), before, 'no lower checkpoint after the restart');
  for (let i = 1; i < checkpoints.length; i++) assert.ok(checkpoints[i]!.downstream >= checkpoints[i - 1]!.downstream, 'monotonic');

  // Restarted with the full syncs topic: a group far behind the newest sync is translated at once.
  const restarted = rig({}, t);
  const lagging = `lagging-${topics.source}`;
  await commitOnA(lagging, topics.source, { 0: 12 });
  await restarted.emitter.start();
  await restarted.emitter.runNow();
  const cp = (await latestCheckpoint(lagging, topics.remote, 0))!;
  assert.ok(cp && cp.downstream <= 12 && 12 - cp.downstream < 10, `lagging group translated in the first round: ${JSON.stringify(cp)}`);
});
