import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  BrokerSessions, brokerHeartbeat, createTopics, fenceExpiredBrokers, initializeCluster, registerBroker,
} from '../../../broker/controller/index.js';
import { MetadataImage } from '../../../broker/metadata/index.js';
import { CLUSTER_ID, TestController, allPartitions } from './fixtures.js';

const code = (c: number) => (err: unknown) => err instanceof StraitError && err.code === c;

function withTopic(c: TestController, name: string, partitions: number, rf: number, assignments?: number[][]): void {
  const [result] = c.commit(createTopics(c.image, [assignments ? { name, assignments } : { name, numPartitions: partitions, replicationFactor: rf }], {
    defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId,
  }));
  assert.equal(result!.errorCode, ErrorCode.NONE, result!.errorMessage);
}

test('the cluster id is written once and a different one is refused', () => {
  const [record] = initializeCluster(MetadataImage.EMPTY, 'abc');
  const image = MetadataImage.EMPTY.apply(record!, 1);
  assert.equal(image.clusterId, 'abc');
  assert.deepEqual(initializeCluster(image, 'abc'), []);
  assert.throws(() => initializeCluster(image, 'other'), code(ErrorCode.INCONSISTENT_CLUSTER_ID));
  assert.throws(() => registerBroker(MetadataImage.EMPTY, { brokerId: 1, incarnationId: 'i', host: 'h', port: 1, clusterId: 'abc' }, 0, new BrokerSessions()),
    code(ErrorCode.NOT_CONTROLLER));
});

test('registration: fenced, a fresh epoch, idempotent for the same incarnation, cluster id and fields checked', () => {
  const c = new TestController();
  const epoch = c.register(1, 'rack-a');
  const broker = c.image.broker(1)!;
  assert.equal(broker.brokerEpoch, epoch);
  assert.equal(broker.fenced, true);
  assert.equal(broker.rack, 'rack-a');
  assert.equal(broker.port, 9001);
  assert.deepEqual(c.image.liveBrokers(), []);
  const again = registerBroker(c.image, { brokerId: 1, incarnationId: 'inc-1', host: '127.0.0.1', port: 9001, rack: 'rack-a', clusterId: CLUSTER_ID }, c.now, c.sessions);
  assert.deepEqual(again, { records: [], response: { brokerEpoch: epoch } });
  const second = c.register(2);
  assert.ok(second > epoch);
  assert.throws(() => registerBroker(c.image, { brokerId: 3, incarnationId: 'x', host: 'h', port: 1, clusterId: 'elsewhere' }, c.now, c.sessions),
    code(ErrorCode.INCONSISTENT_CLUSTER_ID));
  for (const bad of [
    { brokerId: -1, incarnationId: 'x', host: 'h', port: 1 }, { brokerId: 3, incarnationId: '', host: 'h', port: 1 },
    { brokerId: 3, incarnationId: 'x', host: '', port: 1 }, { brokerId: 3, incarnationId: 'x', host: 'h', port: 70000 },
    { brokerId: 3, incarnationId: 'x', host: 'h', port: 1, rack: '' },
  ]) {
    assert.throws(() => registerBroker(c.image, { ...bad, clusterId: CLUSTER_ID }, c.now, c.sessions), code(ErrorCode.INVALID_REQUEST));
  }
});

test('a heartbeat unfences a broker once it has caught up with its registration; stale epochs are refused', () => {
  const c = new TestController();
  c.register(1);
  const registeredAt = c.image.broker(1)!.registeredAtOffset;
  assert.deepEqual(c.heartbeat(1, { offset: registeredAt - 1 }), { isCaughtUp: false, isFenced: true, shouldShutDown: false });
  assert.equal(c.image.broker(1)!.fenced, true);
  assert.deepEqual(c.heartbeat(1, { offset: registeredAt, wantFence: true }), { isCaughtUp: true, isFenced: true, shouldShutDown: false });
  assert.deepEqual(c.heartbeat(1, { offset: registeredAt }), { isCaughtUp: true, isFenced: false, shouldShutDown: false });
  assert.equal(c.image.broker(1)!.fenced, false);
  assert.deepEqual(c.image.liveBrokers().map((b) => b.brokerId), [1]);
  const epoch = c.image.broker(1)!.brokerEpoch;
  const beat = { brokerId: 1, brokerEpoch: epoch - 1, wantFence: false, wantShutdown: false, currentMetadataOffset: 100 };
  assert.throws(() => brokerHeartbeat(c.image, beat, c.now, c.sessions), code(ErrorCode.STALE_BROKER_EPOCH));
  assert.throws(() => brokerHeartbeat(c.image, { ...beat, brokerId: 9 }, c.now, c.sessions), code(ErrorCode.STALE_BROKER_EPOCH));
  // A plain heartbeat of a live broker writes nothing.
  assert.deepEqual(brokerHeartbeat(c.image, { ...beat, brokerEpoch: epoch }, c.now, c.sessions).records, []);
});

test('a broker that misses its session is fenced and its leaderships move to live ISR members', () => {
  const c = new TestController(7);
  c.startBrokers(3);
  withTopic(c, 'spread', 6, 3);
  withTopic(c, 'alone', 0, 0, [[2], [1]]);
  withTopic(c, 'pair', 0, 0, [[2, 3]]);
  const ledBy2 = c.image.partitionsLedBy(2).length;
  assert.ok(ledBy2 >= 3);
  // Brokers 1 and 3 keep beating; broker 2 goes silent.
  c.now += 5000;
  c.heartbeat(1);
  c.heartbeat(3);
  assert.deepEqual(c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000)), { fencedBrokers: [] });
  c.now += 5000;
  const before = c.image;
  assert.deepEqual(c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000)), { fencedBrokers: [2] });
  assert.equal(c.image.broker(2)!.fenced, true);
  assert.equal(c.image.partitionsLedBy(2).length, 0);
  for (const [topic, p] of allPartitions(c.image)) {
    const old = before.partition(topic, p.partition)!;
    if (topic === 'alone' && p.partition === 0) {
      // Its only replica is gone: offline, the ISR keeps its last member for a clean return.
      assert.equal(p.leader, -1);
      assert.deepEqual(p.isr, [2]);
      assert.equal(p.leaderEpoch, old.leaderEpoch + 1);
      continue;
    }
    assert.ok(!p.isr.includes(2), `${topic}-${p.partition} isr ${p.isr}`);
    assert.ok(p.leader === 1 || p.leader === 3);
    if (old.leader === 2) {
      assert.equal(p.leaderEpoch, old.leaderEpoch + 1);
      // The first surviving ISR member in replica order.
      assert.equal(p.leader, old.replicas.find((id) => id !== 2));
    } else {
      assert.equal(p.leader, old.leader);
      assert.equal(p.leaderEpoch, old.leaderEpoch);
    }
    assert.equal(p.partitionEpoch, old.partitionEpoch + (old.isr.includes(2) ? 1 : 0));
  }
  assert.equal(c.image.leaderOf('pair', 0), 3);
  // Nothing more to do on the next tick.
  assert.deepEqual(fenceExpiredBrokers(c.image, c.sessions, c.now + 1, 9000).records, []);

  // Broker 2 comes back: unfenced once caught up, it leads again where it was the only ISR member.
  c.heartbeat(2);
  assert.equal(c.image.broker(2)!.fenced, false);
  assert.equal(c.image.leaderOf('alone', 0), 2);
  assert.equal(c.image.leaderOf('pair', 0), 3);
});

test('a new controller gives every live broker a full session before fencing anyone', () => {
  const c = new TestController();
  c.startBrokers(2);
  const fresh = new BrokerSessions();
  assert.deepEqual(fenceExpiredBrokers(c.image, fresh, c.now + 60_000).records, []);
  assert.deepEqual(fenceExpiredBrokers(c.image, fresh, c.now + 60_000 + 9000).records, []);
  const later = fenceExpiredBrokers(c.image, fresh, c.now + 60_000 + 9001);
  assert.deepEqual(later.response.fencedBrokers.sort(), [1, 2]);
});

test('brokers failing together keep the ISR whole and leave the partition offline', () => {
  const c = new TestController();
  c.startBrokers(3);
  withTopic(c, 't', 0, 0, [[1, 2], [3, 1]]);
  c.now += 10_000;
  c.heartbeat(3);
  c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000));
  assert.deepEqual(c.image.partition('t', 0)!.isr, [1, 2]);
  assert.equal(c.image.leaderOf('t', 0), -1);
  assert.deepEqual(c.image.partition('t', 1)!.isr, [3]);
  assert.equal(c.image.leaderOf('t', 1), 3);
});

test('unclean election is off unless the topic enables it', () => {
  const c = new TestController();
  c.startBrokers(2);
  withTopic(c, 'clean', 0, 0, [[1, 2]]);
  withTopic(c, 'unclean', 0, 0, [[1, 2]]);
  // Broker 2 fell out of both ISRs (as the leader would report), then broker 1 dies.
  c.commitRecords(['clean', 'unclean'].map((name) => ({ type: 'PartitionChange' as const, version: 1 as const, topicId: c.image.topic(name)!.topicId, partition: 0, isr: [1] })));
  c.commitRecords([{ type: 'Config', version: 1, resourceType: 'topic', resourceName: 'unclean', name: 'unclean.leader.election.enable', value: 'true' }]);
  c.now += 10_000;
  c.heartbeat(2);
  c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000));
  assert.equal(c.image.leaderOf('clean', 0), -1);
  assert.deepEqual(c.image.partition('clean', 0)!.isr, [1]);
  assert.equal(c.image.leaderOf('unclean', 0), 2);
  assert.deepEqual(c.image.partition('unclean', 0)!.isr, [2]);
});

test('controlled shutdown moves leadership away, then answers shouldShutDown and fences', () => {
  const c = new TestController(3);
  c.startBrokers(3);
  withTopic(c, 'x', 9, 2);
  withTopic(c, 'solo', 0, 0, [[1]]);
  const led = c.image.partitionsLedBy(1).length;
  assert.ok(led >= 3);
  const first = c.heartbeat(1, { wantShutdown: true, offset: c.image.highestOffset });
  assert.deepEqual(first, { isCaughtUp: true, isFenced: false, shouldShutDown: false });
  const b1 = c.image.broker(1)!;
  assert.equal(b1.inControlledShutdown, true);
  assert.equal(c.image.partitionsLedBy(1).length, 0);
  assert.equal(c.image.leaderOf('solo', 0), -1);
  for (const [topic, p] of allPartitions(c.image)) {
    if (topic === 'solo') continue;
    assert.ok(!p.isr.includes(1));
  }
  // A broker in controlled shutdown gets no new leaderships or replicas.
  withTopic(c, 'later', 6, 2);
  assert.ok(c.image.partitionsOf('later')!.every((p) => !p.replicas.includes(1)));
  // Not yet caught up with the shutdown record: wait.
  assert.deepEqual(c.heartbeat(1, { offset: b1.controlledShutdownOffset - 1 }), { isCaughtUp: true, isFenced: false, shouldShutDown: false });
  assert.equal(c.image.broker(1)!.fenced, false);
  const done = c.heartbeat(1, { offset: c.image.highestOffset });
  assert.deepEqual(done, { isCaughtUp: true, isFenced: true, shouldShutDown: true });
  assert.equal(c.image.broker(1)!.fenced, true);
  // A fenced broker asking to shut down may go at once.
  assert.deepEqual(c.heartbeat(1, { wantShutdown: true }), { isCaughtUp: true, isFenced: true, shouldShutDown: true });
});

test('a broker asking to be fenced gives up its leaderships', () => {
  const c = new TestController();
  c.startBrokers(2);
  withTopic(c, 't', 0, 0, [[1, 2]]);
  assert.deepEqual(c.heartbeat(1, { wantFence: true }), { isCaughtUp: true, isFenced: true, shouldShutDown: false });
  assert.equal(c.image.leaderOf('t', 0), 2);
  assert.deepEqual(c.image.partition('t', 0)!.isr, [2]);
});

test('a new incarnation replaces the old one: fenced, new epoch, old leaderships moved', () => {
  const c = new TestController();
  c.startBrokers(2);
  withTopic(c, 't', 0, 0, [[1, 2]]);
  const oldEpoch = c.image.broker(1)!.brokerEpoch;
  const newEpoch = c.register(1, undefined, 'inc-1-restarted');
  assert.ok(newEpoch > oldEpoch);
  assert.equal(c.image.broker(1)!.fenced, true);
  assert.equal(c.image.leaderOf('t', 0), 2);
  assert.throws(() => brokerHeartbeat(c.image, { brokerId: 1, brokerEpoch: oldEpoch, wantFence: false, wantShutdown: false, currentMetadataOffset: 1e6 }, c.now, c.sessions),
    code(ErrorCode.STALE_BROKER_EPOCH));
});
