import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import { createTopics, electLeaders, fenceExpiredBrokers } from '../../../broker/controller/index.js';
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
