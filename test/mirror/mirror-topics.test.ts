// What a flow does with topics, against real clusters and `strait mirror` processes: remote topics get
// the source's configs (MM2's default excludes, a custom config.properties.exclude, use.defaults.from
// target or source), follow config changes at sync.topic.configs.interval.seconds, a topic created
// later and a partition added later are mirrored within refresh.topics.interval.seconds, and
// auto.offset.reset=latest replicates only records written after the mirror started (KAFKA-13988).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSource, Producer, type Admin, type ConfigEntryDescription } from '../../client/index.js';
import { useMirrors, type MirrorProcess } from '../helpers/mirror-launcher.js';
import { mirrorConfigText, produceNumbered, readAll, startClusters, valuesByPartition, waitForRecords, type TestCluster } from './helpers/mirror-clusters.js';

async function topicConfigs(admin: Admin, topic: string): Promise<Map<string, ConfigEntryDescription>> {
  return new Map((await admin.describeConfigs({ type: 'topic', name: topic })).map((e) => [e.name, e]));
}

/** Waits (bounded) until `check` passes, returning its last failure otherwise. */
async function eventually(what: string, check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: not so after ${timeoutMs} ms`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function waitForwarding(m: MirrorProcess, topic: string, partitions: number): Promise<void> {
  await eventually(`mirror forwarding ${topic}`, async () => {
    const n = m.lines().filter((l) => l['msg'] === 'forwarding partition' && l['topic'] === topic).length;
    assert.ok(n >= partitions, `${n} of ${partitions} partitions`);
  });
}

test('mirror topics', async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  // C's brokers keep topics 1,000,000 ms by default (a static broker value), so whose default a
  // remote topic got is visible.
  const { C } = (await startClusters(t, ['C'], {}, { 'log.retention.ms': '1000000' })) as Record<'C', TestCluster>;
  const mirrors = useMirrors(t);

  await t.test('configs: synced at creation and at the interval, without MM2\'s excluded properties; new topics and partitions follow', async () => {
    await A.admin.createTopics([{ name: 'cfg', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '123456789', 'min.insync.replicas': '1', 'max.message.bytes': '500000' } }]);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, B], ['A->B']) } });
    await eventually('A.cfg created with the synced configs', async () => {
      const c = await topicConfigs(B.admin, 'A.cfg');
      assert.equal(c.get('retention.ms')?.value, '123456789');
      assert.equal(c.get('max.message.bytes')?.value, '500000');
      // min.insync.replicas is on MM2's exclude list: B's own default stays.
      assert.equal(c.get('min.insync.replicas')?.source, ConfigSource.DEFAULT_CONFIG);
    });
    assert.equal((await B.admin.describeTopics(['A.cfg']))[0]!.partitions.length, 2);
    await A.admin.incrementalAlterConfigs([{ type: 'topic', name: 'cfg', changes: [{ name: 'retention.ms', value: '555555' }, { name: 'max.message.bytes', op: 'delete' }] }]);
    await eventually('A.cfg follows the change at the sync interval', async () => {
      const c = await topicConfigs(B.admin, 'A.cfg');
      assert.equal(c.get('retention.ms')?.value, '555555');
      assert.equal(c.get('max.message.bytes')?.source, ConfigSource.DEFAULT_CONFIG, 'a config the source dropped goes back to the target\'s default');
    });

    // A topic created later.
    await A.admin.createTopics([{ name: 'late', numPartitions: 2, replicationFactor: 1 }]);
    await produceNumbered(A.producer, 'late', 'late', 200);
    await waitForRecords(B.admin, 'A.late', 200, 60_000, () => m.output());
    assert.deepEqual(valuesByPartition(await readAll(B.bootstrap, 'A.late', 2)), valuesByPartition(await readAll(A.bootstrap, 'late', 2)));

    // A partition added later: the remote topic grows and the new partition is mirrored.
    await A.admin.createPartitions([{ name: 'late', count: 3 }]);
    // A new producer: the shared one knows the topic's old partition count.
    const producer = new Producer({ 'bootstrap.servers': A.bootstrap });
    await producer.sendMany('late', Array.from({ length: 50 }, (_, i) => ({ value: `p2-${i}`, partition: 2 })));
    await producer.close();
    await waitForRecords(B.admin, 'A.late', 250, 60_000, () => m.output());
    assert.equal((await B.admin.describeTopics(['A.late']))[0]!.partitions.length, 3);
    assert.deepEqual(valuesByPartition(await readAll(B.bootstrap, 'A.late', 3)), valuesByPartition(await readAll(A.bootstrap, 'late', 3)));
    await m.stop();
  });

  await t.test('use.defaults.from=target: a config the source leaves at its default gets the target\'s', async () => {
    await A.admin.createTopics([{ name: 'dflt-target', numPartitions: 1, replicationFactor: 1, configs: { 'segment.ms': '7200000' } }]);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, C], ['A->C'], { 'topics': 'dflt-target' }) } });
    await eventually('A.dflt-target on C', async () => {
      const c = await topicConfigs(C.admin, 'A.dflt-target');
      assert.equal(c.get('segment.ms')?.value, '7200000');
      assert.equal(c.get('retention.ms')?.value, '1000000');
      assert.equal(c.get('retention.ms')?.source, ConfigSource.STATIC_BROKER_CONFIG);
    });
    await m.stop();
  });

  await t.test('use.defaults.from=source with a custom config.properties.exclude (which replaces MM2\'s list)', async () => {
    await A.admin.createTopics([{ name: 'dflt-source', numPartitions: 1, replicationFactor: 1, configs: { 'segment.ms': '7200000', 'min.insync.replicas': '1' } }]);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, C], ['A->C'], {
      'topics': 'dflt-source', 'use.defaults.from': 'source', 'config.properties.exclude': 'segment\\.ms',
    }) } });
    await eventually('A.dflt-source on C', async () => {
      const c = await topicConfigs(C.admin, 'A.dflt-source');
      assert.equal(c.get('retention.ms')?.value, '604800000', 'A\'s default retention, copied');
      assert.equal(c.get('retention.ms')?.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
      assert.equal(c.get('min.insync.replicas')?.value, '1', 'no longer excluded: the custom list replaced MM2\'s');
      assert.equal(c.get('min.insync.replicas')?.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
      assert.notEqual(c.get('segment.ms')?.value, '7200000', 'excluded');
    });
    await m.stop();
  });

  await t.test('auto.offset.reset=latest replicates only the records written after the mirror started', async () => {
    await A.admin.createTopics([{ name: 'fresh', numPartitions: 3, replicationFactor: 1 }]);
    await produceNumbered(A.producer, 'fresh', 'old', 90);
    const m = await mirrors.start({ config: { text: mirrorConfigText([A, C], ['A->C'], { 'topics': 'fresh', 'A.consumer.auto.offset.reset': 'latest' }) } });
    await waitForwarding(m, 'fresh', 3);
    await produceNumbered(A.producer, 'fresh', 'new', 60);
    await waitForRecords(C.admin, 'A.fresh', 60, 60_000, () => m.output());
    const got = valuesByPartition(await readAll(C.bootstrap, 'A.fresh', 3)).flat();
    assert.deepEqual(got.filter((v) => v.startsWith('old')), []);
    assert.equal(got.length, 60);
    await m.stop();
  });
});
