// Admin against a real broker process: topics, partitions, configs, cluster, offsets, and the
// one-error-per-operation reporting of per-item failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, AdminOperationError, ErrorCode, LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, Producer } from '../../../client/index.js';
import { randomTopic, startTestBroker } from '../helpers/client-broker.js';

test('admin against a broker', async (t) => {
  const broker = await startTestBroker(t);
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());

  await t.test('create, list, describe and delete topics', async () => {
    const a = randomTopic('a');
    const b = randomTopic('b');
    const created = await admin.createTopics([
      { name: a, numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '60000' } },
      { name: b, numPartitions: 1, replicationFactor: 1 },
    ]);
    assert.deepEqual(created.map((c) => [c.name, c.numPartitions]), [[a, 3], [b, 1]]);
    const names = await admin.listTopics();
    assert.ok(names.includes(a) && names.includes(b));
    const [desc] = await admin.describeTopics([a]);
    assert.equal(desc!.name, a);
    assert.deepEqual(desc!.partitions.map((p) => [p.partition, p.leaderId, p.replicas, p.isr]), [0, 1, 2].map((p) => [p, 1, [1], [1]]));
    await admin.deleteTopics([b]);
    assert.ok(!(await admin.listTopics()).includes(b));
  });

  await t.test('validateOnly creates nothing', async () => {
    const name = randomTopic();
    await admin.createTopics([{ name, numPartitions: 1, replicationFactor: 1 }], { validateOnly: true });
    assert.ok(!(await admin.listTopics()).includes(name));
  });

  await t.test('per-item failures are thrown once, listing each item, after the rest succeeded', async () => {
    const existing = randomTopic();
    const fresh = randomTopic();
    await admin.createTopics([{ name: existing, numPartitions: 1, replicationFactor: 1 }]);
    await assert.rejects(
      admin.createTopics([
        { name: existing, numPartitions: 1, replicationFactor: 1 },
        { name: fresh, numPartitions: 1, replicationFactor: 1 },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
      ]),
      (e: AdminOperationError) => {
        assert.ok(e instanceof AdminOperationError);
        assert.deepEqual(e.failures.map((f) => [f.item, f.error.code]), [
          [existing, ErrorCode.TOPIC_ALREADY_EXISTS],
          ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
        ]);
        assert.match(e.message, /createTopics failed for 2 item/);
        return true;
      },
    );
    assert.ok((await admin.listTopics()).includes(fresh));
    await assert.rejects(admin.describeTopics([randomTopic('missing')]), (e: AdminOperationError) => e.failures[0]!.error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('describe and incrementally alter topic configs', async () => {
    const name = randomTopic();
    await admin.createTopics([{ name, numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '60000' } }]);
    const value = async (key: string) => (await admin.describeConfigs({ type: 'topic', name, keys: [key] })).find((c) => c.name === key)?.value;
    assert.equal(await value('retention.ms'), '60000');
    const [described] = await admin.describeConfigs([{ type: 'topic', name }]);
    assert.equal(described!.name, name);
    assert.ok(described!.configs.some((c) => c.name === 'cleanup.policy'), 'all keys when none are named');
    await admin.incrementalAlterConfigs([{ type: 'topic', name, changes: [{ name: 'retention.ms', value: '120000' }] }]);
    assert.equal(await value('retention.ms'), '120000');
    await admin.incrementalAlterConfigs([{ type: 'topic', name, changes: [{ name: 'retention.ms', op: 'delete' }] }]);
    assert.notEqual(await value('retention.ms'), '120000');
    await assert.rejects(
      admin.incrementalAlterConfigs([{ type: 'topic', name, changes: [{ name: 'retention.ms', value: 'soon' }] }]),
      (e: AdminOperationError) => e.failures[0]!.error.code === ErrorCode.INVALID_CONFIG,
    );
  });

  await t.test('createPartitions raises the count', async () => {
    const name = randomTopic();
    await admin.createTopics([{ name, numPartitions: 1, replicationFactor: 1 }]);
    await admin.createPartitions([{ name, count: 4 }]);
    assert.equal((await admin.describeTopics([name]))[0]!.partitions.length, 4);
    await assert.rejects(admin.createPartitions([{ name, count: 2 }]), (e: AdminOperationError) => e.failures[0]!.error.code === ErrorCode.INVALID_PARTITIONS);
  });

  await t.test('describeCluster and listOffsets', async () => {
    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster.brokers.map((b) => [b.nodeId, b.port]), [[1, broker.port]]);
    assert.ok(cluster.clusterId.length > 0);
    const name = randomTopic();
    await admin.createTopics([{ name, numPartitions: 1, replicationFactor: 1 }]);
    const producer = new Producer({ 'bootstrap.servers': broker.address });
    await producer.sendMany(name, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    await producer.close();
    const offsets = await admin.listOffsets([
      { topic: name, partition: 0, timestamp: EARLIEST_TIMESTAMP },
      { topic: name, partition: 0, timestamp: LATEST_TIMESTAMP },
    ]);
    assert.deepEqual(offsets.map((o) => o.offset), [0, 3]);
  });
});
