// Three combined nodes in this process (real gRPC between them): admin writes forwarded to the
// active controller and visible on the receiving node at once, logs created on replicas and deleted
// with the topic everywhere, produce/fetch only on the leader, leader-epoch fencing, producer ids
// from controller blocks, DescribeCluster, and a controlled shutdown moving leadership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '../../../client/errors.js';
import { brokerConfigFromMap } from '../../../broker/config/broker-config.js';
import { startBroker, type RunningBroker } from '../../../broker/server.js';
import type { FetchRequest__Output } from '../../../client/wire/generated/strait/v1/FetchRequest.js';
import type { ProduceRequest__Output } from '../../../client/wire/generated/strait/v1/ProduceRequest.js';
import type { CreateTopicsRequest__Output } from '../../../client/wire/generated/strait/v1/CreateTopicsRequest.js';
import { batchOf } from '../../helpers/broker-calls.js';
import { eventually, freePorts, silent } from '../quorum/quorum-harness.js';

const garbage = <T>(value: unknown): T => value as T;

interface Cluster {
  nodes: RunningBroker[];
  /** Starts one more node with the same voters (process.roles=broker: a broker that is not a voter). */
  addBroker(id: number): Promise<RunningBroker>;
}

async function startNodes(t: { after(fn: () => Promise<void>): void }, n: number): Promise<Cluster> {
  const ports = await freePorts(n);
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const base = mkdtempSync(path.join(os.tmpdir(), 'strait-cluster-node-'));
  const start = (id: number, port: number, extra: Record<string, string> = {}) => startBroker(brokerConfigFromMap({
    'node.id': String(id), 'listeners': `PLAINTEXT://127.0.0.1:${port}`, 'controller.quorum.voters': voters,
    'cluster.id': 'in-process-cluster', 'log.dirs': path.join(base, `node-${id}`), 'metrics.port': '0',
    'controller.quorum.election.timeout.ms': '300', 'broker.heartbeat.interval.ms': '200', 'broker.session.timeout.ms': '3000',
    ...extra,
  }).config, { logger: silent, shutdownGraceMs: 200 });
  const nodes = await Promise.all(ports.map((port, i) => start(i + 1, port)));
  const extra: RunningBroker[] = [];
  t.after(async () => {
    await Promise.all([...extra, ...nodes].map((b) => b.stop()));
    rmSync(base, { recursive: true, force: true });
  });
  return {
    nodes,
    async addBroker(id) {
      const broker = await start(id, 0, { 'process.roles': 'broker' });
      extra.push(broker);
      return broker;
    },
  };
}

const createReq = (name: string, partitions: number, rf: number) => garbage<CreateTopicsRequest__Output>({
  topics: [{ name, numPartitions: partitions, replicationFactor: rf, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
});

const produceReq = (topic: string, partition: number) => garbage<ProduceRequest__Output>({
  correlationId: 1, acks: 1, timeoutMs: 1000, transactionalId: '', topics: [{ name: topic, partitions: [{ partition, records: batchOf(['v']) }] }],
});

const fetchReq = (topic: string, partition: number, currentLeaderEpoch?: number) => garbage<FetchRequest__Output>({
  correlationId: 2, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, rackId: '',
  topics: [{ name: topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20, logStartOffset: 0,
    ...(currentLeaderEpoch === undefined ? {} : { currentLeaderEpoch }) }] }],
});

test('three in-process nodes form one cluster', async (t) => {
  const cluster = await startNodes(t, 3);
  const nodes = cluster.nodes;
  const all = [...nodes];
  const byId = (id: number) => all.find((b) => b.nodeId === id)!;
  const controllerId = await eventually('all brokers unfenced', () => {
    const live = nodes.map((b) => b.core.ctx.metadata.image.liveBrokers().length);
    const leader = nodes[0]!.core.ctx.quorum.leaderId();
    return live.every((x) => x === 3) && leader !== undefined ? leader : undefined;
  }, 10_000);
  const follower = nodes.find((b) => b.nodeId !== controllerId)!;

  await t.test('an admin write at a node that is not the controller is forwarded; that node sees it at once', async () => {
    const res = await follower.core.createTopics(createReq('fwd', 6, 2));
    assert.equal(res.topics![0]!.errorCode, ErrorCode.NONE, res.topics![0]!.errorMessage);
    const md = await follower.core.metadata(garbage({ topics: ['fwd'], allTopics: false, allowAutoTopicCreation: false }));
    const partitions = md.topics![0]!.partitions!;
    assert.equal(partitions.length, 6);
    assert.equal(md.controllerId, controllerId);
    assert.deepEqual(md.brokers!.map((b) => b.nodeId).sort(), [1, 2, 3]);
    const leaders = new Map<number, number>();
    for (const p of partitions) {
      assert.equal(p.replicaNodes!.length, 2);
      assert.deepEqual(p.isrNodes, p.replicaNodes);
      leaders.set(p.leaderId as number, (leaders.get(p.leaderId as number) ?? 0) + 1);
    }
    assert.deepEqual([...leaders.values()], [2, 2, 2], 'leaders spread evenly');
  });

  await t.test('every replica has a log, other nodes none; produce and fetch only on the leader', async () => {
    await eventually('images agree', () => nodes.every((b) => b.core.ctx.metadata.image.topic('fwd') !== undefined));
    const image = nodes[0]!.core.ctx.metadata.image;
    for (const p of image.partitionsOf('fwd')!) {
      for (const b of nodes) {
        assert.equal(b.core.ctx.topics.log('fwd', p.partition) !== undefined, p.replicas.includes(b.nodeId), `node ${b.nodeId} partition ${p.partition}`);
      }
      const leader = byId(p.leader);
      const other = nodes.find((b) => b.nodeId !== p.leader)!;
      assert.equal((await leader.core.produce(produceReq('fwd', p.partition))).topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
      assert.equal((await other.core.produce(produceReq('fwd', p.partition))).topics![0]!.partitions![0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const fetched = (await other.core.fetch(fetchReq('fwd', p.partition))).topics![0]!.partitions![0]!;
      assert.equal(fetched.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
      assert.deepEqual(fetched.currentLeader, { leaderId: p.leader, leaderEpoch: p.leaderEpoch }, 'the answer names the leader');
      const newer = (await leader.core.fetch(fetchReq('fwd', p.partition, p.leaderEpoch + 1))).topics![0]!.partitions![0]!;
      assert.equal(newer.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
      const ok = (await leader.core.fetch(fetchReq('fwd', p.partition, p.leaderEpoch))).topics![0]!.partitions![0]!;
      assert.equal(ok.errorCode, ErrorCode.NONE);
    }
  });

  await t.test('producer ids come from controller blocks: two brokers never hand out the same id', async () => {
    const ids = [];
    for (const b of nodes) {
      const r = await b.core.initProducerId(garbage({ transactionalId: '', transactionTimeoutMs: 0, producerId: -1, producerEpoch: -1 }));
      assert.equal(r.errorCode, ErrorCode.NONE);
      ids.push(r.producerId);
    }
    assert.equal(new Set(ids).size, 3, `ids ${ids.join(', ')}`);
  });

  await t.test('DescribeCluster lists the nodes, roles, voters and the controller', async () => {
    const d = await follower.core.describeCluster();
    assert.equal(d.controllerId, controllerId);
    assert.deepEqual(d.voters, [1, 2, 3]);
    assert.deepEqual(d.nodes!.map((n) => [n.nodeId, n.roles, n.isVoter, n.fenced]), [1, 2, 3].map((id) => [id, ['broker', 'controller'], true, false]));
    assert.ok((d.metadataOffset as number) > 0);
  });

  await t.test('metrics: active controller only on the Raft leader; quorum term, offset and fenced brokers', async () => {
    for (const b of nodes) {
      const text = await b.registry.metrics();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      assert.equal(value('strait_broker_active_controller'), b.nodeId === controllerId ? 1 : 0, `node ${b.nodeId}`);
      assert.ok(value('strait_quorum_term') >= 1);
      assert.ok(value('strait_controller_metadata_offset') > 0);
      assert.equal(value('strait_controller_fenced_brokers'), 0);
      assert.ok(value('strait_quorum_leader_changes_total') >= 1);
      if (b.nodeId === controllerId) assert.match(text, /strait_controller_event_duration_seconds_count\{operation="createTopics"\} [1-9]/);
    }
  });

  await t.test('DeleteTopics removes the logs on every node', async () => {
    const res = await follower.core.deleteTopics(garbage({ topicNames: ['fwd'], timeoutMs: 5000 }));
    assert.equal(res.topics![0]!.errorCode, ErrorCode.NONE);
    await eventually('logs gone everywhere', () => nodes.every((b) => [0, 1, 2, 3, 4, 5].every((p) => b.core.ctx.topics.log('fwd', p) === undefined)));
    const md = await follower.core.metadata(garbage({ topics: ['fwd'], allTopics: false, allowAutoTopicCreation: false }));
    assert.equal(md.topics![0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('a broker that is not a voter follows the log, registers, and hosts replicas', async () => {
    const four = await cluster.addBroker(4);
    all.push(four);
    await eventually('broker 4 unfenced in every image', () => nodes.every((b) => b.core.ctx.metadata.image.broker(4)?.fenced === false), 5000);
    assert.equal(four.core.ctx.quorum.leaderId(), controllerId);
    const res = await four.core.createTopics(garbage({
      topics: [{ name: 'on-four', numPartitions: -1, replicationFactor: -1, assignments: [{ partition: 0, brokerIds: [4] }], configs: [] }],
      timeoutMs: 5000, validateOnly: false,
    }));
    assert.equal(res.topics![0]!.errorCode, ErrorCode.NONE, res.topics![0]!.errorMessage);
    assert.ok(four.core.ctx.topics.log('on-four', 0), 'its log exists on broker 4 when the forwarded write returns');
    assert.equal((await four.core.produce(produceReq('on-four', 0))).topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
    const d = await four.core.describeCluster();
    assert.deepEqual(d.nodes!.find((x) => x.nodeId === 4), {
      nodeId: 4, host: '127.0.0.1', port: d.nodes!.find((x) => x.nodeId === 4)!.port, rack: '', roles: ['broker'], fenced: false,
      inControlledShutdown: false, isVoter: false, brokerEpoch: four.core.ctx.metadata.image.broker(4)!.brokerEpoch,
    });
  });

  await t.test('a controlled shutdown moves leadership first; the old epoch is then fenced', async () => {
    assert.equal((await follower.core.createTopics(createReq('moving', 1, 3))).topics![0]!.errorCode, ErrorCode.NONE);
    const before = follower.core.ctx.metadata.image.partition('moving', 0)!;
    const leaving = byId(before.leader);
    await leaving.stop();
    const stayer = all.find((b) => b !== leaving)!;
    const after = await eventually('the move applied on a node that stayed', () => {
      const p = stayer.core.ctx.metadata.image.partition('moving', 0)!;
      return p.leader !== before.leader ? p : undefined;
    }, 2000);
    assert.ok(after.leader >= 0 && after.leaderEpoch > before.leaderEpoch);
    const newLeader = byId(after.leader);
    await eventually('the new leader applied its leadership', () => newLeader.core.ctx.metadata.image.partition('moving', 0)!.leader === after.leader);
    const old = (await newLeader.core.fetch(fetchReq('moving', 0, before.leaderEpoch))).topics![0]!.partitions![0]!;
    assert.equal(old.errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  });
});
