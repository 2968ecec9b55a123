// Storage faults across a cluster. A replica whose log cannot be created on its broker is offline
// cluster-wide: the broker tells the controller in its heartbeat, the replica leaves the ISR and its
// leadership moves, and every node's Metadata and the CLI's describe show it as Kafka does. A topic
// deleted and created again while one of its replicas' nodes is down never gives the new topic the
// old records (partition.metadata: the directory's topic id is not the new topic's). The cluster is
// one voter and one broker-only node, and the voter snapshots after every entry: the broker-only node
// coming back gets a snapshot that never shows the old topic, so only the topic id can tell.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../client/index.js';
import { PARTITION_METADATA_FILE } from '../../broker/log/partition-metadata.js';
import { adminClient, brokerClient, rpc, within } from '../helpers/grpc-clients.js';
import { batchOf, fetchPartition, produce, readAll } from '../helpers/broker-calls.js';
import { runStrait } from '../helpers/run-strait.js';
import type { DeleteTopicsResponse__Output } from '../../client/wire/generated/strait/v1/DeleteTopicsResponse.js';
import { activeController, byId, clusterSuite, randomTopic, waitFor } from './cluster-kit.js';

/** A gauge's value in a /metrics page. */
async function gauge(metricsPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

describe('one voter and one broker-only node: offline replicas and topic ids', () => {
  // A long session: a node killed in the second test stays unfenced (so it still gets replicas).
  const suite = clusterSuite(2, {
    controllers: 1, waitForController: true,
    config: { 'broker.session.timeout.ms': '30000', 'metadata.log.snapshot.interval.records': '1' },
  });

  it('a replica whose log cannot be created is offline everywhere: out of the ISR, leadership moved, shown by describe', async (t) => {
    const { nodes, calls } = suite;
    const controller = await activeController(calls, nodes);
    // The faulty node leads partition 0 and follows partition 1; it is not the controller.
    const faulty = nodes.find((n) => n.nodeId !== controller)!;
    const other = byId(nodes, controller);
    const topic = randomTopic('offline');
    // A regular file where the partition directory must go: creating the log fails (also as root).
    writeFileSync(path.join(faulty.dataDir, `${topic}-0`), 'in the way');
    const created = await calls.createTopic(nodes[0]!, topic, -1, -1, { assignments: [[faulty.nodeId, other.nodeId], [other.nodeId, faulty.nodeId]] });
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage);

    for (const node of nodes) {
      const md = await waitFor(`node ${node.nodeId} shows ${topic}-0 offline on node ${faulty.nodeId}`, async () => {
        const m = await calls.topic(node, topic);
        const p0 = m?.partitions.find((p) => p.partition === 0);
        return p0 && p0.offlineReplicas.includes(faulty.nodeId) && p0.leaderId >= 0 ? m : undefined;
      }, 15_000);
      const [p0, p1] = [0, 1].map((i) => md.partitions.find((p) => p.partition === i)!);
      assert.equal(p0!.leaderId, other.nodeId);
      assert.deepEqual(p0!.isrNodes, [other.nodeId]);
      assert.deepEqual(p0!.offlineReplicas, [faulty.nodeId]);
      assert.deepEqual(p1!.offlineReplicas, []);
      assert.deepEqual(p1!.isrNodes, [other.nodeId, faulty.nodeId]);
    }

    const out = await runStrait(['topics', '--bootstrap-server', faulty.address, '--describe', '--topic', topic]);
    assert.equal(out.code, 0, out.stderr);
    const line0 = out.stdout.split('\n').find((l) => l.includes('Partition: 0'))!;
    assert.match(line0, new RegExp(`Leader: ${other.nodeId}\\tReplicas: ${faulty.nodeId},${other.nodeId}\\tIsr: ${other.nodeId}\\tOffline: ${faulty.nodeId}$`));
    assert.doesNotMatch(out.stdout.split('\n').find((l) => l.includes('Partition: 1'))!, /Offline/);

    const onFaulty = brokerClient(faulty.address);
    const onLeader = brokerClient(other.address);
    t.after(() => { onFaulty.close(); onLeader.close(); });
    assert.equal((await produce(onFaulty, topic, 0, batchOf(['x']), 1)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal((await fetchPartition(onFaulty, topic, 0, 0)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal((await produce(onLeader, topic, 0, batchOf(['kept']), 1)).errorCode, ErrorCode.NONE);
    assert.equal((await produce(onLeader, topic, 1, batchOf(['kept']), 1)).errorCode, ErrorCode.NONE);
    assert.equal(await gauge(faulty.metricsPort, 'strait_broker_offline_replicas'), 1);
    assert.equal(await gauge(faulty.metricsPort, 'strait_broker_offline_partitions'), 0, 'the partition has a leader');
  });

  it('a topic deleted and created again while a replica\'s node is down: that node gives the new topic an empty log', async (t) => {
    const { nodes, calls } = suite;
    const controller = await activeController(calls, nodes);
    const down = nodes.find((n) => n.nodeId !== controller)!;
    const via = byId(nodes, controller);
    const topic = randomTopic('reborn');
    assert.equal((await calls.createTopic(via, topic, -1, -1, { assignments: [[down.nodeId]] })).errorCode, ErrorCode.NONE);
    let client = brokerClient(down.address);
    await waitFor(`${topic}-0 writable on node ${down.nodeId}`, async () => (await produce(client, topic, 0, batchOf(['old-1', 'old-2', 'old-3']), 1)).errorCode === ErrorCode.NONE, 10_000);
    client.close();
    const oldId = readFileSync(path.join(down.dataDir, `${topic}-0`, PARTITION_METADATA_FILE), 'utf8');

    down.kill('SIGKILL');
    await down.exited;
    const admin = adminClient(via.address);
    t.after(() => admin.close());
    const deleted = await rpc<DeleteTopicsResponse__Output>((cb) => admin.DeleteTopics({ topicNames: [topic], timeoutMs: 5000 }, within(10_000), cb));
    assert.equal(deleted.topics[0]!.errorCode, ErrorCode.NONE);
    // Its session has not expired: the controller still places the new topic on the node that is down.
    const recreated = await calls.createTopic(via, topic, -1, -1, { assignments: [[down.nodeId]] });
    assert.equal(recreated.errorCode, ErrorCode.NONE, recreated.errorMessage);
    assert.equal(readFileSync(path.join(down.dataDir, `${topic}-0`, PARTITION_METADATA_FILE), 'utf8'), oldId, 'the old directory is still there');

    await down.restart();
    client = brokerClient(down.address);
    t.after(() => client.close());
    const first = await waitFor(`node ${down.nodeId} leads the new ${topic}-0`, async () => {
      const r = await produce(client, topic, 0, batchOf(['new-1']), 1);
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    }, 15_000);
    assert.equal(first.baseOffset, 0, 'the new topic starts empty');
    assert.deepEqual((await readAll(client, topic)).map((r) => r.value), ['new-1']);
    assert.equal(readFileSync(path.join(down.dataDir, `${topic}-0`, PARTITION_METADATA_FILE), 'utf8'), `version: 0\ntopic_id: ${recreated.topicId}\n`);
  });
});
