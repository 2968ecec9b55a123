// The Quorum service refuses what is not for it and changes nothing: another cluster's id, a sender
// that is not a voter, a message for another node, an old term, a malformed envelope; controller calls
// to a node that is not the controller get NOT_CONTROLLER. Like the Broker and Admin services, its
// calls are counted by RPC and outcome, and a node that is draining for shutdown takes no new ones.
// A forwarded write's request id makes its retry answer with the original's result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import type { RaftAck__Output } from '../../../client/wire/generated/strait/v1/RaftAck.js';
import type { ControllerWriteResponse__Output } from '../../../client/wire/generated/strait/v1/ControllerWriteResponse.js';
import type { FetchMetadataResponse__Output } from '../../../client/wire/generated/strait/v1/FetchMetadataResponse.js';
import type { BrokerRegistrationResponse__Output } from '../../../client/wire/generated/strait/v1/BrokerRegistrationResponse.js';
import { QuorumClients } from '../../../broker/quorum/quorum-clients.js';
import { brokerHeartbeat, registerBroker } from '../../../broker/controller/index.js';
import { agreedLeader, eventually, startVoters } from '../quorum/quorum-harness.js';

test('bad Raft input changes nothing; controller calls go to the controller only', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(3, { electionTimeoutMs: 300 });
  const clients = new QuorumClients();
  t.after(async () => {
    clients.close();
    await cleanup();
  });
  const leader = await eventually('one agreed leader', () => agreedLeader(nodes));
  const follower = nodes.find((n) => n !== leader)!;
  await eventually('the follower holds the leader\'s whole log', () =>
    follower.state.image.clusterId !== undefined && follower.quorum.status().lastLogIndex === leader.quorum.status().lastLogIndex);
  const address = `127.0.0.1:${voters.find((v) => v.id === follower.id)!.port}`;
  const snapshot = () => {
    const s = follower.quorum.status();
    return { term: s.term, votedFor: s.votedFor, leaderId: s.leaderId, lastLogIndex: s.lastLogIndex, role: s.role };
  };
  const before = snapshot();
  const raft = (env: object) => clients.call<object, RaftAck__Output>(address, 'Raft', env, 2000);
  const vote = (term: number) => ({ term, preVote: false, lastLogIndex: 1000, lastLogTerm: term });

  assert.equal((await raft({ clusterId: 'another-cluster', from: leader.id, to: follower.id, requestVote: vote(before.term + 5) })).errorCode,
    ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.equal((await raft({ clusterId: 'test-cluster', from: 99, to: follower.id, requestVote: vote(before.term + 5) })).errorCode,
    ErrorCode.INVALID_REQUEST, 'a sender that is not a voter');
  assert.equal((await raft({ clusterId: 'test-cluster', from: leader.id, to: 42, requestVote: vote(before.term + 5) })).errorCode,
    ErrorCode.INVALID_REQUEST, 'a message for another node');
  assert.equal((await raft({ clusterId: 'test-cluster', from: leader.id, to: follower.id })).errorCode, ErrorCode.INVALID_REQUEST, 'no message');
  // An append from an old term is delivered but rejected by the core: no entry, no term change.
  const stale = await raft({
    clusterId: 'test-cluster', from: leader.id, to: follower.id,
    appendEntries: { term: Math.max(0, before.term - 1), prevLogIndex: before.lastLogIndex, prevLogTerm: before.term, leaderCommit: 1e6,
      entries: [{ index: before.lastLogIndex + 1, term: Math.max(0, before.term - 1), kind: 'data', data: Buffer.from('{"junk":1}') }] },
  });
  assert.equal(stale.errorCode, ErrorCode.NONE);
  assert.deepEqual(snapshot(), before, 'the follower is unchanged');
  assert.equal(follower.state.image.clusterId, 'test-cluster');

  const write = (clusterId: string, operation: string, to = address) => clients.call<object, ControllerWriteResponse__Output>(to, 'ControllerWrite', {
    clusterId, operation, requestJson: JSON.stringify({ names: ['x'] }), timeoutMs: 1000,
  }, 2000);
  assert.equal((await write('another-cluster', 'deleteTopics')).errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.equal((await write('test-cluster', 'deleteTopics')).errorCode, ErrorCode.NOT_CONTROLLER);
  const leaderAddress = `127.0.0.1:${voters.find((v) => v.id === leader.id)!.port}`;
  assert.equal((await write('test-cluster', 'registerBroker', leaderAddress)).errorCode, ErrorCode.INVALID_REQUEST, 'not a forwardable write');
  assert.equal((await write('test-cluster', 'deleteTopics', leaderAddress)).errorCode, ErrorCode.NONE);
  const badJson = await clients.call<object, ControllerWriteResponse__Output>(leaderAddress, 'ControllerWrite', {
    clusterId: 'test-cluster', operation: 'createTopics', requestJson: '{not json', timeoutMs: 1000,
  }, 2000);
  assert.equal(badJson.errorCode, ErrorCode.INVALID_REQUEST);
  const foreignBroker = await clients.call<object, BrokerRegistrationResponse__Output>(leaderAddress, 'BrokerRegistration', {
    clusterId: 'another-cluster', brokerId: 7, incarnationId: 'i', host: '127.0.0.1', port: 9007,
  }, 2000);
  assert.equal(foreignBroker.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.equal(leader.state.image.broker(7), undefined);

  // A broker that is not a voter reads the committed log from any voter.
  const fetched = await clients.call<object, FetchMetadataResponse__Output>(address, 'FetchMetadata', {
    clusterId: 'test-cluster', nodeId: 9, fromOffset: 1, maxWaitMs: 0,
  }, 2000);
  assert.equal(fetched.errorCode, ErrorCode.NONE);
  assert.equal(fetched.leaderId, leader.id);
  assert.ok(fetched.entries.length >= 2 && fetched.entries[0]!.index === 1, 'entries from offset 1');
  assert.equal(follower.fatal.length, 0);

  // The request metrics saw each answer with its error code's name.
  const saw = (node: typeof leader, rpc: string, error: string) => node.answered.some((a) => a.rpc === rpc && a.error === error);
  assert.ok(saw(follower, 'Raft', 'INCONSISTENT_CLUSTER_ID'));
  assert.ok(saw(follower, 'ControllerWrite', 'NOT_CONTROLLER'));
  assert.ok(saw(follower, 'FetchMetadata', 'NONE'));
  assert.ok(saw(leader, 'ControllerWrite', 'INVALID_REQUEST'));
  assert.ok(saw(leader, 'BrokerRegistration', 'INCONSISTENT_CLUSTER_ID'));
});

test('a node draining for shutdown refuses new Quorum calls, as it refuses Broker and Admin calls', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(1);
  const clients = new QuorumClients();
  t.after(async () => {
    clients.close();
    await cleanup();
  });
  const node = await eventually('the single voter leads', () => agreedLeader(nodes));
  const address = `127.0.0.1:${voters[0]!.port}`;
  const fetch = () => clients.call<object, FetchMetadataResponse__Output>(address, 'FetchMetadata', {
    clusterId: 'test-cluster', nodeId: 9, fromOffset: 1, maxWaitMs: 0,
  }, 2000);
  assert.equal((await fetch()).errorCode, ErrorCode.NONE);
  const before = node.quorum.status();
  node.tracker.draining = true;
  await assert.rejects(fetch(), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.NETWORK_EXCEPTION && /shutting down/.test(err.message));
  await assert.rejects(clients.call<object, RaftAck__Output>(address, 'Raft', {
    clusterId: 'test-cluster', from: 1, to: 1, requestVote: { term: before.term + 5, preVote: false, lastLogIndex: 1000, lastLogTerm: before.term + 5 },
  }, 2000), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.NETWORK_EXCEPTION);
  assert.equal(node.quorum.status().term, before.term, 'the refused vote request changed nothing');
});

test('bytes that are no Quorum message get INVALID_REQUEST, not a crash or a foreign-cluster answer', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(1);
  t.after(cleanup);
  await eventually('the single voter leads', () => agreedLeader(nodes));
  const grpc = await import('@grpc/grpc-js');
  const client = new grpc.Client(`127.0.0.1:${voters[0]!.port}`, grpc.credentials.createInsecure());
  t.after(() => client.close());
  // Field 2 (a varint) whose bytes never end.
  const garbageBytes = Buffer.from([0x10, ...Array<number>(11).fill(0xff)]);
  const ack = await new Promise<Buffer>((resolve, reject) => client.makeUnaryRequest('/strait.v1.Quorum/Raft', (b: Buffer) => b, (b: Buffer) => b,
    garbageBytes, { deadline: Date.now() + 2000 }, (err, res) => (err ? reject(err) : resolve(res!))));
  const { quorumService } = await import('../../../broker/quorum/quorum-clients.js');
  const decoded = quorumService().service.Raft.responseDeserialize(ack) as RaftAck__Output;
  assert.equal(decoded.errorCode, ErrorCode.INVALID_REQUEST);
  assert.equal(nodes[0]!.controller.isActive, true);
});

test('ControllerWrite with a request id: a retry gets the original answer; a malformed id is INVALID_REQUEST', async (t) => {
  const { nodes, voters, cleanup } = await startVoters(1);
  const clients = new QuorumClients();
  t.after(async () => {
    clients.close();
    await cleanup();
  });
  const node = await eventually('the single voter leads', () => agreedLeader(nodes));
  await eventually('the cluster id applied', () => node.state.image.clusterId !== undefined);
  const address = `127.0.0.1:${voters[0]!.port}`;
  const requestJson = JSON.stringify({
    topics: [{ name: 'once', numPartitions: 1, replicationFactor: 1 }], validateOnly: false, defaults: { numPartitions: 1, replicationFactor: 1 },
  });
  const write = (operation: string, requestId: string) => clients.call<object, ControllerWriteResponse__Output>(address, 'ControllerWrite', {
    clusterId: 'test-cluster', operation, requestJson, timeoutMs: 1000, requestId,
  }, 2000);
  // A live broker to place the topic on.
  const { response } = await node.controller.decide('registerBroker', (image, sessions, now) => registerBroker(image, {
    brokerId: 1, incarnationId: 'i', host: '127.0.0.1', port: 9001, clusterId: 'test-cluster',
  }, now, sessions), 1000);
  await node.controller.decide('brokerHeartbeat', (image, sessions, now) => brokerHeartbeat(image, {
    brokerId: 1, brokerEpoch: response.brokerEpoch, currentMetadataOffset: 1e9, wantFence: false, wantShutdown: false,
  }, now, sessions), 1000);

  for (const bad of ['has space', 'x'.repeat(65), 'é']) {
    const refused = await write('createTopics', bad);
    assert.equal(refused.errorCode, ErrorCode.INVALID_REQUEST, bad);
  }
  assert.equal(node.state.image.topic('once'), undefined, 'a refused id decided nothing');
  const first = await write('createTopics', 'retry-me');
  const second = await write('createTopics', 'retry-me');
  const fresh = await write('createTopics', 'another-id');
  const result = (r: ControllerWriteResponse__Output) => (JSON.parse(r.responseJson) as { errorCode: number; topicId?: string }[])[0]!;
  assert.deepEqual([first.errorCode, second.errorCode, fresh.errorCode], [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  assert.equal(result(first).errorCode, ErrorCode.NONE);
  assert.deepEqual(result(second), result(first));
  assert.equal(result(first).topicId, node.state.image.topic('once')!.topicId);
  assert.equal(result(fresh).errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  // An id used by another operation is refused rather than answered with the other's result.
  assert.equal((await write('deleteTopics', 'retry-me')).errorCode, ErrorCode.INVALID_REQUEST);
});
