// Three combined nodes form one cluster: topic creation places RF-3 replicas on distinct brokers and
// spreads leaders evenly; records go through the SDK; DeleteTopics removes the topic's data on every
// node; CreatePartitions places the new partitions across brokers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, Producer } from '../../client/index.js';
import { bootstrapOf, startCluster, type ClusterNodeProcess } from '../helpers/launcher.js';
import { activeController, byId, NodeCalls, partitionDirs, randomTopic, topicWithLeaders, waitFor } from './cluster-kit.js';
import { readdirSync } from 'node:fs';

describe('3 combined nodes: placement, produce/consume, delete, grow', () => {
  let nodes: ClusterNodeProcess[] = [];
  let calls: NodeCalls;
  const cleanups: (() => Promise<void> | void)[] = [];
  before(async () => {
    nodes = await startCluster(3);
    calls = new NodeCalls({ after: (fn) => cleanups.push(fn) });
    await activeController(calls, nodes);
  });
  after(async () => {
    for (const fn of cleanups) await fn();
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('6 partitions RF 3: 3 distinct replicas each, leaders 2/2/2, Isr = replicas, on every node; produce and consume', async () => {
    const topic = randomTopic('placed');
    const created = await calls.createTopic(nodes[0]!, topic, 6, 3);
    assert.equal(created.errorCode, 0, created.errorMessage);
    for (const node of nodes) {
      const t = await topicWithLeaders(calls, node, topic, 6);
      const leaders = new Map<number, number>();
      for (const p of t.partitions) {
        assert.equal(new Set(p.replicaNodes).size, 3, `partition ${p.partition} replicas ${p.replicaNodes}`);
        assert.deepEqual([...p.replicaNodes].sort(), [1, 2, 3]);
        assert.deepEqual([...p.isrNodes].sort(), [...p.replicaNodes].sort(), `partition ${p.partition} isr`);
        assert.ok(p.replicaNodes.includes(p.leaderId));
        leaders.set(p.leaderId, (leaders.get(p.leaderId) ?? 0) + 1);
      }
      assert.deepEqual([...leaders.entries()].sort(), [[1, 2], [2, 2], [3, 2]], `leaders per broker as ${node.address} sees them`);
    }

    const producer = new Producer({ 'bootstrap.servers': bootstrapOf(nodes), 'linger.ms': 1, acks: 1 });
    const consumer = new Consumer({ 'bootstrap.servers': bootstrapOf(nodes), 'fetch.max.wait.ms': 100 });
    try {
      const sent = Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
      const acks = await producer.sendBatch(topic, sent);
      assert.equal(new Set(acks.map((a) => a.partition)).size, 6, 'keys spread over all 6 partitions');
      consumer.assign(Array.from({ length: 6 }, (_, partition) => ({ topic, partition })));
      await consumer.seekToBeginning();
      const got: string[] = [];
      await waitFor('60 records back', async () => {
        for (const r of await consumer.poll(200)) got.push(`${r.key?.toString()}=${r.value?.toString()}`);
        return got.length >= 60 ? true : undefined;
      }, 15_000, 0);
      assert.deepEqual(got.sort(), sent.map((r) => `${r.key}=${r.value}`).sort());
    } finally {
      await producer.close(5_000);
      await consumer.close();
    }
  });

  it('DeleteTopics removes the topic and its directories on every node', async () => {
    const topic = randomTopic('doomed');
    assert.equal((await calls.createTopic(nodes[1]!, topic, 3, 3)).errorCode, 0);
    const t = await topicWithLeaders(calls, nodes[0]!, topic, 3);
    const producer = new Producer({ 'bootstrap.servers': bootstrapOf(nodes), acks: 1 });
    try {
      for (let partition = 0; partition < 3; partition++) await producer.send(topic, { partition, value: 'x' });
    } finally {
      await producer.close(5_000);
    }
    // At least each partition's leader holds its log before the delete.
    for (const p of t.partitions) {
      assert.ok(partitionDirs(byId(nodes, p.leaderId).dataDir, topic).includes(`${topic}-${p.partition}`), `leader ${p.leaderId} holds ${topic}-${p.partition}`);
    }
    const admin = new Admin({ 'bootstrap.servers': nodes[2]!.address });
    try {
      await admin.deleteTopics([topic]);
    } finally {
      await admin.close();
    }
    for (const node of nodes) {
      await waitFor(`${topic} unknown on ${node.address}`, async () => (await calls.topic(node, topic)) === undefined, 10_000);
      await waitFor(`no ${topic} directory left in ${node.dataDir}`, () => !readdirSync(node.dataDir).some((n) => n.startsWith(`${topic}-`)), 10_000);
    }
  });

  it('CreatePartitions grows a topic with the new partitions placed across brokers', async () => {
    const topic = randomTopic('grown');
    assert.equal((await calls.createTopic(nodes[2]!, topic, 1, 2)).errorCode, 0);
    await topicWithLeaders(calls, nodes[0]!, topic, 1);
    const admin = new Admin({ 'bootstrap.servers': nodes[0]!.address });
    try {
      await admin.createPartitions([{ name: topic, count: 7 }]);
    } finally {
      await admin.close();
    }
    for (const node of nodes) {
      const t = await topicWithLeaders(calls, node, topic, 7);
      const added = t.partitions.filter((p) => p.partition >= 1);
      assert.equal(added.length, 6);
      for (const p of added) assert.equal(new Set(p.replicaNodes).size, 2, `partition ${p.partition} has 2 distinct replicas`);
      const leaders = new Set(added.map((p) => p.leaderId));
      assert.deepEqual([...leaders].sort(), [1, 2, 3], 'every broker leads some of the new partitions');
    }
  });
});
