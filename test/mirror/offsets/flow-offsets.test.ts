// FlowOffsets as a flow runs it, on its own timers, against two real single-node clusters: the listener
// fed with batches mirrored by hand, a group committed on A; checkpoints, group offsets and heartbeats
// appear on B. With offset-syncs.topic.location = target (MM2's testOffsetSyncsTopicsOnTarget) the syncs
// topic is on B and none is created on A.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Admin, Producer } from '../../../client/index.js';
import { FlowOffsets, MirrorMetrics } from '../../../mirror/index.js';
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

// target first: the source case creates an offset-syncs topic on A.
for (const location of ['target', 'source'] as const) {
  test(`offset syncs on the ${location}: checkpoints, group offset sync and heartbeats run on their own intervals`, async (t) => {
    const { flow, policy } = flowOf({ A: a.address, B: b.address }, {
      'offset-syncs.topic.location': location, 'offset.lag.max': '10', 'offset.flush.interval.ms': '200',
      'emit.checkpoints.interval.seconds': '1', 'sync.group.offsets.enabled': 'true', 'sync.group.offsets.interval.seconds': '1',
      'emit.heartbeats.interval.seconds': '1', 'refresh.groups.interval.seconds': '1',
    });
    const registry = new Registry();
    const offsets = new FlowOffsets({
      flow, policy, metrics: new MirrorMetrics(registry, { defaultMetrics: false }).flow('A', 'B'), logger: silentLogger,
      clients: {
        sourceAdmin: adminA, targetAdmin: adminB, sourceProducer: producerA, targetProducer: producerB,
        sourceConsumer: { 'bootstrap.servers': a.address }, targetConsumer: { 'bootstrap.servers': b.address },
      },
    });
    await offsets.start();
    t.after(() => offsets.stop());
    const source = randomTopic('t');
    const topics = { source, remote: policy.remoteTopic(source) };
    await adminA.createTopics([{ name: topics.source, numPartitions: 1, replicationFactor: 1 }]);
    await adminB.createTopics([{ name: topics.remote, numPartitions: 1, replicationFactor: 1 }]);
    for (const batch of await mirrorByHand(producerA, producerB, topics, 0, 33, 5)) offsets.listener.onForwarded(batch);
    const group = `g-${source}`;
    await adminA.alterConsumerGroupOffsets(group, [{ topic: topics.source, partition: 0, offset: 33 }]);
    // The pending sync of record 32 goes out with the timer flush; the checkpoint then says exactly 33.
    await eventually('the group synced to B', async () => {
      const offsets = await adminB.listConsumerGroupOffsets(group);
      return offsets.find((o) => o.topic === topics.remote && o.offset === 33);
    });
    const scrape = await registry.metrics();
    assert.match(scrape, /strait_mirror_checkpoints_total\{source="A",target="B"\} [1-9]/);
    assert.match(scrape, /strait_mirror_group_offsets_synced_total\{source="A",target="B"\} [1-9]/);
    const topicsA = await adminA.listTopics({ includeInternal: true });
    const topicsB = await adminB.listTopics({ includeInternal: true });
    assert.ok(topicsB.includes('heartbeats') && topicsB.includes('A.checkpoints.internal'));
    if (location === 'target') {
      assert.ok(topicsB.includes('mm2-offset-syncs.A.internal'));
      assert.ok(!topicsA.some((n) => n.startsWith('mm2-offset-syncs.')), `no offset-syncs topic on A: ${topicsA.join(', ')}`);
    } else {
      assert.ok(topicsA.includes('mm2-offset-syncs.B.internal'));
    }
  });
}
