// The controller's partition changes for replicas a broker reports offline (its log could not be
// opened or written there), through the heartbeat that carries them: the replica leaves the ISR,
// its leadership moves to another ISR member or to none, it is never elected while marked, and the
// broker's next incarnation clears the marks it no longer reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  MetadataApplyError, MetadataImage, decodeMetadataRecord, encodeMetadataRecord, metadataRecord, type ReplicaRef,
} from '../../../broker/metadata/index.js';
import {
  brokerHeartbeat, createTopics, electLeaders, alterPartition, fenceExpiredBrokers, reconcileOfflineReplicas,
  acceptableLeaders, registerBroker,
} from '../../../broker/controller/index.js';
import { CLUSTER_ID, TestController } from './fixtures.js';

function withTopic(c: TestController, name: string, assignments: number[][]): string {
  const [result] = c.commit(createTopics(c.image, [{ name, assignments }], {
    defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId,
  }));
  assert.equal(result!.errorCode, ErrorCode.NONE, result!.errorMessage);
  return c.image.topic(name)!.topicId;
}

const ref = (topicId: string, partition: number): ReplicaRef => ({ topicId, partition });

test('a leader reporting its replica offline: marked, out of the ISR, leadership to the next ISR member', () => {
  const c = new TestController();
  c.startBrokers(3);
  const id = withTopic(c, 't', [[1, 2, 3], [2, 1, 3]]);
  const before = c.image.partition('t', 0)!;
  c.heartbeat(1, { offline: [ref(id, 0)] });
  const p = c.image.partition('t', 0)!;
  assert.deepEqual(p.offlineReplicas, [1]);
  assert.deepEqual(p.isr, [2, 3]);
  assert.equal(p.leader, 2);
  assert.equal(p.leaderEpoch, before.leaderEpoch + 1);
  // Broker 1 only follows partition 1: it stays its follower, untouched.
  assert.deepEqual(c.image.partition('t', 1)!.offlineReplicas, []);
  assert.deepEqual(c.image.partition('t', 1)!.isr, [2, 1, 3]);
  // The same report again writes nothing.
  const again = brokerHeartbeat(c.image, {
    brokerId: 1, brokerEpoch: c.image.broker(1)!.brokerEpoch, wantFence: false, wantShutdown: false,
    currentMetadataOffset: c.image.highestOffset, offlineReplicas: [ref(id, 0)],
  }, c.now, c.sessions);
  assert.deepEqual(again.records, []);
});

test('a follower reporting offline leaves the ISR; the leader and its epoch stay', () => {
  const c = new TestController();
  c.startBrokers(2);
  const id = withTopic(c, 'f', [[2, 1]]);
  const before = c.image.partition('f', 0)!;
  c.heartbeat(1, { offline: [ref(id, 0)] });
  const p = c.image.partition('f', 0)!;
  assert.deepEqual(p.isr, [2]);
  assert.equal(p.leader, 2);
  assert.equal(p.leaderEpoch, before.leaderEpoch);
  assert.equal(p.partitionEpoch, before.partitionEpoch + 1);
});

test('the only replica offline: no leader, the ISR keeps it; it is not elected when its broker returns still offline', () => {
  const c = new TestController();
  c.startBrokers(1);
  const id = withTopic(c, 'solo', [[1]]);
  c.heartbeat(1, { offline: [ref(id, 0)] });
  let p = c.image.partition('solo', 0)!;
  assert.equal(p.leader, -1);
  assert.deepEqual(p.isr, [1]);
  assert.deepEqual(p.offlineReplicas, [1]);

  // Broker 1 misses its session, then comes back (same incarnation) still reporting the replica.
  c.now += 60_000;
  c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000));
  assert.equal(c.image.broker(1)!.fenced, true);
  c.heartbeat(1, { offline: [ref(id, 0)] });
  assert.equal(c.image.broker(1)!.fenced, false);
  p = c.image.partition('solo', 0)!;
  assert.equal(p.leader, -1, 'an offline replica is never elected');
  assert.deepEqual(electLeaders(c.image, [{ topic: 'solo', partition: 0 }], 'unclean').response[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
});

test('the next incarnation no longer reporting the replica clears the mark, and it leads again once unfenced', () => {
  const c = new TestController();
  c.startBrokers(1);
  const id = withTopic(c, 'back', [[1]]);
  c.heartbeat(1, { offline: [ref(id, 0)] });
  assert.equal(c.image.leaderOf('back', 0), -1);
  // A restart: a new incarnation registers (fenced), and its first heartbeat reports nothing offline.
  c.commit(registerBroker(c.image, { brokerId: 1, incarnationId: 'inc-1-restarted', host: '127.0.0.1', port: 9001, clusterId: CLUSTER_ID }, c.now, c.sessions));
  assert.equal(c.image.broker(1)!.fenced, true);
  c.heartbeat(1, { offline: [] });
  const p = c.image.partition('back', 0)!;
  assert.deepEqual(p.offlineReplicas, []);
  assert.equal(p.leader, 1);
});

test('a replica newly reported in the unfencing heartbeat is not elected by it', () => {
  const c = new TestController();
  c.startBrokers(2);
  const id = withTopic(c, 'race', [[1], [1]]);
  c.now += 60_000;
  c.heartbeat(2);
  c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now, 9000));
  assert.equal(c.image.leaderOf('race', 0), -1);
  c.heartbeat(1, { offline: [ref(id, 1)] });
  assert.equal(c.image.broker(1)!.fenced, false);
  assert.equal(c.image.leaderOf('race', 0), 1);
  assert.equal(c.image.leaderOf('race', 1), -1);
  assert.deepEqual(c.image.partition('race', 1)!.offlineReplicas, [1]);
});

test('preferred election skips an offline preferred leader; AlterPartition cannot add an offline replica', () => {
  const c = new TestController();
  c.startBrokers(2);
  const id = withTopic(c, 'pref', [[1, 2]]);
  c.heartbeat(1, { offline: [ref(id, 0)] });
  assert.equal(c.image.leaderOf('pref', 0), 2);
  const [result] = electLeaders(c.image, [{ topic: 'pref', partition: 0 }], 'preferred').response;
  assert.equal(result!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  const p = c.image.partition('pref', 0)!;
  assert.throws(() => alterPartition(c.image, {
    brokerId: 2, brokerEpoch: c.image.broker(2)!.brokerEpoch, topicId: id, partition: 0,
    leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2, 1],
  }), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.BROKER_NOT_AVAILABLE);
});

test('reports of unknown topics or of partitions the broker does not host are ignored; malformed ones are INVALID_REQUEST', () => {
  const c = new TestController();
  c.startBrokers(2);
  const id = withTopic(c, 'other', [[2]]);
  assert.deepEqual(reconcileOfflineReplicas(c.image, 1, [ref(id, 0), ref('no-such-topic', 0), ref(id, 7)], acceptableLeaders(c.image)), []);
  const beat = { brokerId: 1, brokerEpoch: c.image.broker(1)!.brokerEpoch, wantFence: false, wantShutdown: false, currentMetadataOffset: c.image.highestOffset };
  const invalid = (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST;
  for (const bad of ['x', [null], [{ topicId: '', partition: 0 }], [{ topicId: id, partition: -1 }], [{ topicId: id, partition: 1.5 }]]) {
    assert.throws(() => brokerHeartbeat(c.image, { ...beat, offlineReplicas: bad as unknown as ReplicaRef[] }, c.now, c.sessions), invalid, JSON.stringify(bad));
  }
});

test('offline marks travel in PartitionChange records and snapshots; the image refuses an offline leader', () => {
  const c = new TestController();
  c.startBrokers(2);
  const id = withTopic(c, 'rec', [[1, 2]]);
  const record = metadataRecord('PartitionChange', { topicId: id, partition: 0, offlineReplicas: [2], isr: [1] });
  assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(record)), record);
  c.commitRecords([record]);
  const restored = MetadataImage.fromSnapshot(c.image.toSnapshot());
  assert.deepEqual(restored.partition('rec', 0)!.offlineReplicas, [2]);
  assert.throws(() => c.image.apply(metadataRecord('PartitionChange', { topicId: id, partition: 0, offlineReplicas: [1] }), c.image.highestOffset + 1),
    MetadataApplyError);
  assert.throws(() => c.image.apply(metadataRecord('PartitionChange', { topicId: id, partition: 0, offlineReplicas: [3] }), c.image.highestOffset + 1),
    MetadataApplyError);
});
