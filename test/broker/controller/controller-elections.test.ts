import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import {
  alterPartitionReassignments, balanceLeaders, createTopics, electLeaders, fenceExpiredBrokers, leaderImbalance,
} from '../../../broker/controller/index.js';
import { TestController } from './fixtures.js';

function setUp(): TestController {
  const c = new TestController();
  c.startBrokers(3);
  c.commit(createTopics(c.image, [{ name: 't', assignments: [[1, 2], [2, 3], [3, 1]] }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  return c;
}

test('preferred election moves leadership back to the first replica once it is live again', () => {
  const c = setUp();
  c.heartbeat(1, { wantFence: true });
  assert.equal(c.image.leaderOf('t', 0), 2);
  const unavailable = electLeaders(c.image, [{ topic: 't', partition: 0 }], 'preferred');
  assert.equal(unavailable.response[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  assert.deepEqual(unavailable.records, []);
  // Back, and back in the ISR (as its leader would report through the controller).
  c.heartbeat(1);
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId: c.image.topic('t')!.topicId, partition: 0, isr: [2, 1] }]);
  const epoch = c.image.partition('t', 0)!.leaderEpoch;
  const results = c.commit(electLeaders(c.image, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }, { topic: 'x', partition: 0 }], 'preferred'));
  assert.deepEqual(results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal(c.image.leaderOf('t', 0), 1);
  assert.equal(c.image.partition('t', 0)!.leaderEpoch, epoch + 1);
  // Over every partition: nothing left to do, nothing reported.
  assert.deepEqual(electLeaders(c.image, undefined, 'preferred'), { records: [], response: [] });
});

test('unclean election gives an offline partition a live replica from outside the ISR', () => {
  const c = setUp();
  const topicId = c.image.topic('t')!.topicId;
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 1, isr: [2] }]);
  c.now += 10_000;
  c.heartbeat(1);
  c.heartbeat(3);
  c.commit(fenceExpiredBrokers(c.image, c.sessions, c.now));
  assert.equal(c.image.leaderOf('t', 1), -1);
  const clean = electLeaders(c.image, [{ topic: 't', partition: 1 }], 'preferred');
  assert.equal(clean.response[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  const results = c.commit(electLeaders(c.image, [{ topic: 't', partition: 1 }, { topic: 't', partition: 2 }], 'unclean'));
  assert.deepEqual(results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED]);
  assert.equal(c.image.leaderOf('t', 1), 3);
  assert.deepEqual(c.image.partition('t', 1)!.isr, [3]);
});

/** Broker 1 fenced and back: its partition 0 is led by 2; with `isrBack` it rejoined the ISR. */
function afterBrokerReturned(isrBack: boolean): TestController {
  const c = setUp();
  c.heartbeat(1, { wantFence: true });
  c.heartbeat(1);
  const topicId = c.image.topic('t')!.topicId;
  if (isrBack) c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 0, isr: [2, 1] }]);
  return c;
}

test('leader imbalance per broker: the preferred partitions it does not lead, of those it is preferred for', () => {
  const c = afterBrokerReturned(true);
  assert.deepEqual(leaderImbalance(c.image).map((b) => [b.brokerId, b.preferred, b.notLed.length]), [[1, 1, 1], [2, 1, 0], [3, 1, 0]]);
  // Broker 1's imbalance is 100%: above 10%, its partition goes back to it.
  const elected = c.commit(balanceLeaders(c.image, 10));
  assert.deepEqual(elected, [{ topic: 't', partition: 0 }]);
  assert.equal(c.image.leaderOf('t', 0), 1);
  assert.deepEqual(balanceLeaders(c.image, 10), { records: [], response: [] });
});

test('auto rebalance leaves alone a broker at or below the percentage, a preferred replica outside the ISR, and a partition being reassigned', () => {
  // 100% is never exceeded.
  assert.deepEqual(balanceLeaders(afterBrokerReturned(true).image, 100), { records: [], response: [] });
  // Broker 1 is back but not yet in the ISR: nothing to elect.
  assert.deepEqual(balanceLeaders(afterBrokerReturned(false).image, 0), { records: [], response: [] });
  // A reassignment runs on the partition.
  const c = afterBrokerReturned(true);
  c.commit(alterPartitionReassignments(c.image, [{ topic: 't', partition: 0, replicas: [1, 2, 3] }], { uncleanDefault: false }));
  assert.deepEqual(c.image.partition('t', 0)!.addingReplicas, [3]);
  assert.deepEqual(balanceLeaders(c.image, 0), { records: [], response: [] });
});

test('the imbalance is per broker: one broker out of ten preferred partitions is 10%, not above 10%', () => {
  const c = new TestController();
  c.startBrokers(2);
  const assignments = Array.from({ length: 10 }, () => [1, 2]);
  c.commit(createTopics(c.image, [{ name: 'many', assignments }], { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  const topicId = c.image.topic('many')!.topicId;
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 0, leader: 2 }]);
  assert.deepEqual(balanceLeaders(c.image, 10).response, []);
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 1, leader: 2 }]);
  assert.deepEqual(c.commit(balanceLeaders(c.image, 10)), [{ topic: 'many', partition: 0 }, { topic: 'many', partition: 1 }]);
});
