// Three in-process voters on loopback gRPC: election, proposals commit everywhere, leader loss and
// re-election, restart recovering log and snapshot, no commit without a majority, and the leader
// handing the quorum over (with a forwarded write's retry answered by the new leader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { decisionFor, type ControllerOperation, type ControllerWrites } from '../../../broker/controller/controller-operations.js';
import { defaultTopicConfig } from '../../../broker/log/topic-config.js';
import { answerOnce, type CreateTopicResult } from '../../../broker/controller/index.js';
import { agreedLeader, eventually, startVoter, startVoters, type VoterNode } from './quorum-harness.js';

const ctx = { topicDefaults: defaultTopicConfig(), sessionTimeoutMs: 60_000 };

function decide<O extends ControllerOperation>(node: VoterNode, op: O, request: ControllerWrites[O], timeoutMs = 3000) {
  return node.controller.decide(op, decisionFor(op, request, ctx), timeoutMs);
}

async function registerBrokers(leader: VoterNode, ids: number[]): Promise<void> {
  for (const id of ids) {
    const { response } = await decide(leader, 'registerBroker', { brokerId: id, incarnationId: `inc-${id}`, host: '127.0.0.1', port: 9000 + id, clusterId: 'test-cluster' });
    const epoch = (response as { brokerEpoch: number }).brokerEpoch;
    await decide(leader, 'brokerHeartbeat', { brokerId: id, brokerEpoch: epoch, currentMetadataOffset: 1e9, wantFence: false, wantShutdown: false });
  }
}

function createTopic(leader: VoterNode, name: string, partitions = 3) {
  return decide(leader, 'createTopics', {
    topics: [{ name, numPartitions: partitions, replicationFactor: 3 }], validateOnly: false, defaults: { numPartitions: 1, replicationFactor: 1 },
  });
}

test('three voters elect one controller; writes commit on every node; a killed leader is replaced', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(3);
  t.after(cleanup);
  const leader = await eventually('one agreed leader', () => agreedLeader(nodes));
  await eventually('the cluster id record applied everywhere', () => nodes.every((n) => n.state.image.clusterId === 'test-cluster'));

  await registerBrokers(leader, [1, 2, 3]);
  const { response, offset } = await createTopic(leader, 'orders', 6);
  assert.equal((response as CreateTopicResult[])[0]!.errorCode, ErrorCode.NONE);
  await eventually('the topic on every node', () => nodes.every((n) => n.state.appliedIndex >= offset && n.state.image.topic('orders')?.partitions.length === 6));
  // Leaders are spread: with 6 partitions on 3 brokers each leads 2.
  const leads = [1, 2, 3].map((b) => leader.state.image.partitionsLedBy(b).length);
  assert.deepEqual(leads, [2, 2, 2]);

  const killedAt = Date.now();
  await leader.stop();
  const rest = nodes.filter((n) => n !== leader);
  const next = await eventually('a new leader among the other two', () => agreedLeader(rest), 5000);
  const failoverMs = Date.now() - killedAt;
  assert.notEqual(next.id, leader.id);
  assert.ok(failoverMs < 5000, `failover took ${failoverMs} ms`);
  const again = await createTopic(next, 'after-failover', 1);
  assert.equal((again.response as CreateTopicResult[])[0]!.errorCode, ErrorCode.NONE);

  // The old leader comes back from its files and catches up with what it missed.
  const back = await startVoter(leader.id, voters, leader.dir);
  t.after(() => back.stop());
  await eventually('the restarted node has the new topic', () => back.state.image.topic('after-failover') !== undefined);
  assert.equal(back.state.image.topic('orders')?.partitions.length, 6);
  assert.equal(back.controller.isActive, false);
});

test('without a majority nothing commits: the write times out or is refused, never hangs', async (t) => {
  const { nodes, cleanup } = await startVoters(3);
  t.after(cleanup);
  const leader = await eventually('one agreed leader', () => agreedLeader(nodes));
  await registerBrokers(leader, [1, 2, 3]);
  for (const n of nodes) if (n !== leader) await n.stop();
  const before = leader.state.appliedIndex;
  const started = Date.now();
  await assert.rejects(createTopic(leader, 'lonely', 1), (err: unknown) =>
    err instanceof StraitError && (err.code === ErrorCode.REQUEST_TIMED_OUT || err.code === ErrorCode.NOT_CONTROLLER));
  // Not a speed check: the write gave up instead of hanging (generous for a busy machine).
  assert.ok(Date.now() - started < 30_000, 'answered instead of hanging');
  assert.equal(leader.state.image.topic('lonely'), undefined);
  assert.equal(leader.state.appliedIndex, before, 'nothing was applied');
  // Check-quorum: the isolated leader steps down within two election timeouts.
  await eventually('the isolated leader steps down', () => !leader.controller.isActive, 2000);
});

test('restart recovers term, log and snapshot; the snapshot bounds the log', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(3, { snapshotIntervalRecords: 5 });
  t.after(cleanup);
  const leader = await eventually('one agreed leader', () => agreedLeader(nodes));
  await registerBrokers(leader, [1, 2, 3]);
  for (let i = 0; i < 6; i++) await createTopic(leader, `t${i}`, 2);
  const follower = nodes.find((n) => n !== leader)!;
  await eventually('the follower applied everything', () => follower.state.appliedIndex === leader.state.appliedIndex);
  const files = readdirSync(follower.dir);
  assert.ok(files.some((f) => f.endsWith('.snapshot')), `a snapshot was written: ${files.join(', ')}`);
  const term = follower.quorum.status().term;
  const applied = follower.state.appliedIndex;
  const snapshot = follower.state.image.toSnapshot();

  await Promise.all(nodes.map((n) => n.stop()));
  const again = await Promise.all(voters.map((v) => startVoter(v.id, voters, path.join(path.dirname(follower.dir), `node-${v.id}`), { snapshotIntervalRecords: 5 })));
  t.after(() => Promise.all(again.map((n) => n.stop())));
  const restarted = again.find((n) => n.id === follower.id)!;
  assert.ok(restarted.quorum.status().term >= term, 'the term survives');
  assert.ok(restarted.quorum.status().snapshotIndex > 0, 'the snapshot is loaded at start');
  await eventually('the log is replayed once a leader commits', () => restarted.state.appliedIndex >= applied, 5000);
  assert.deepEqual(JSON.parse(restarted.state.image.toSnapshot().toString()).topics?.length ?? 0, JSON.parse(snapshot.toString()).topics?.length ?? 0);
  for (let i = 0; i < 6; i++) assert.equal(restarted.state.image.topic(`t${i}`)?.partitions.length, 2);
  const newLeader = await eventually('a leader after the restart', () => agreedLeader(again));
  assert.equal((await createTopic(newLeader, 'after-restart', 1).then((r) => (r.response as CreateTopicResult[])[0]!.errorCode)), ErrorCode.NONE);
});

test('handOver: the leader moves the quorum to another voter, which answers a retried write from the stored result', async (t) => {
  const { nodes, cleanup } = await startVoters(3);
  t.after(cleanup);
  const leader = await eventually('one agreed leader', () => agreedLeader(nodes));
  await registerBrokers(leader, [1, 2, 3]);
  const request: ControllerWrites['createTopics'] = {
    topics: [{ name: 'handed', numPartitions: 2, replicationFactor: 3 }], validateOnly: false, defaults: { numPartitions: 1, replicationFactor: 1 },
  };
  const first = await leader.controller.decide('createTopics', answerOnce('createTopics', 'forwarded-1', decisionFor('createTopics', request, ctx)), 3000);
  const created = (first.response as CreateTopicResult[])[0]!;
  assert.equal(created.errorCode, ErrorCode.NONE);
  const term = leader.quorum.term();

  const handing = leader.quorum.handOver(2000);
  // From the start of the hand-over the old leader takes no proposals.
  await assert.rejects(createTopic(leader, 'refused'), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.NOT_CONTROLLER);
  const result = await handing;
  assert.ok(result.handedOver, JSON.stringify(result));
  assert.notEqual(result.leaderId, leader.id);
  assert.equal(result.term, term + 1);
  const next = nodes.find((n) => n.id === result.leaderId)!;
  await eventually('every voter agrees on the new leader', () => agreedLeader(nodes) === next);
  assert.deepEqual(await leader.quorum.handOver(1000), { handedOver: false, reason: 'this node does not lead the metadata quorum' });

  // The retry of the forwarded write reaches the new controller: the same answer, nothing written.
  const retried = await next.controller.decide('createTopics', answerOnce('createTopics', 'forwarded-1', decisionFor('createTopics', request, ctx)), 3000);
  assert.deepEqual(retried.response, JSON.parse(JSON.stringify(first.response)));
  assert.equal((retried.response as CreateTopicResult[])[0]!.topicId, next.state.image.topic('handed')!.topicId);
  // A new request for the same topic is a different request.
  const other = await next.controller.decide('createTopics', answerOnce('createTopics', 'forwarded-2', decisionFor('createTopics', request, ctx)), 3000);
  assert.equal((other.response as CreateTopicResult[])[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
});
