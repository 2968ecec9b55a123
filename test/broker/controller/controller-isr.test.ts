import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  alterPartition, createTopics, decisionFor, FORWARDED_OPERATIONS, type AlterPartitionRequest, type ControllerResult,
} from '../../../broker/controller/index.js';
import { defaultTopicConfig } from '../../../broker/log/index.js';
import { TestController } from './fixtures.js';

const code = (c: number) => (err: unknown) => err instanceof StraitError && err.code === c;

test('a leader shrinks and expands its ISR through the controller; stale or foreign requests are refused', () => {
  const c = new TestController();
  c.startBrokers(3);
  c.commit(createTopics(c.image, [{ name: 't', assignments: [[1, 2, 3]] }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  const topicId = c.image.topic('t')!.topicId;
  const base = (): AlterPartitionRequest => {
    const p = c.image.partition('t', 0)!;
    return { brokerId: 1, brokerEpoch: c.image.broker(1)!.brokerEpoch, topicId, partition: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [1, 2] };
  };
  const shrunk = c.commit(alterPartition(c.image, base()));
  assert.deepEqual(shrunk, { leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 1 });
  assert.deepEqual(c.image.partition('t', 0)!.isr, [1, 2]);
  assert.equal(c.image.partition('t', 0)!.partitionEpoch, 1);
  // A retry of the same change after it committed is answered from the current state.
  assert.deepEqual(alterPartition(c.image, { ...base(), partitionEpoch: 0 }).records, []);

  assert.throws(() => alterPartition(c.image, { ...base(), brokerEpoch: 0 }), code(ErrorCode.STALE_BROKER_EPOCH));
  assert.throws(() => alterPartition(c.image, { ...base(), partition: 4 }), code(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  assert.throws(() => alterPartition(c.image, { ...base(), brokerId: 2, brokerEpoch: c.image.broker(2)!.brokerEpoch }), code(ErrorCode.NOT_LEADER_OR_FOLLOWER));
  assert.throws(() => alterPartition(c.image, { ...base(), leaderEpoch: -1, newIsr: [1] }), code(ErrorCode.FENCED_LEADER_EPOCH));
  assert.throws(() => alterPartition(c.image, { ...base(), leaderEpoch: 1, newIsr: [1] }), code(ErrorCode.UNKNOWN_LEADER_EPOCH));
  assert.throws(() => alterPartition(c.image, { ...base(), partitionEpoch: 0, newIsr: [1] }), code(ErrorCode.FENCED_LEADER_EPOCH));
  for (const newIsr of [[], [2], [1, 1], [1, 9]]) {
    assert.throws(() => alterPartition(c.image, { ...base(), newIsr }), code(ErrorCode.INVALID_REQUEST), JSON.stringify(newIsr));
  }
  // Broker 3 is fenced: it cannot rejoin until it is live again.
  c.heartbeat(3, { wantFence: true });
  assert.throws(() => alterPartition(c.image, { ...base(), newIsr: [1, 2, 3] }), code(ErrorCode.BROKER_NOT_AVAILABLE));
  c.heartbeat(3);
  const expanded = c.commit(alterPartition(c.image, { ...base(), newIsr: [1, 2, 3] }));
  assert.deepEqual(expanded.isr, [1, 2, 3]);
  assert.deepEqual(c.image.partition('t', 0)!.isr, [1, 2, 3]);
  assert.equal(c.image.partition('t', 0)!.leaderEpoch, 0);
});

test('alterPartition is a named controller operation that a leader on another node can forward', () => {
  const c = new TestController();
  c.startBrokers(3);
  c.commit(createTopics(c.image, [{ name: 't', assignments: [[1, 2, 3]] }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  const p = c.image.partition('t', 0)!;
  assert.ok(FORWARDED_OPERATIONS.includes('alterPartition'));
  // The request a leader forwards travels as JSON (ControllerWrite): decide on what arrives.
  const request = JSON.parse(JSON.stringify({
    brokerId: 1, brokerEpoch: c.image.broker(1)!.brokerEpoch, topicId: c.image.topic('t')!.topicId, partition: 0,
    leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [1, 3],
  })) as AlterPartitionRequest;
  const decide = decisionFor('alterPartition', request, { topicDefaults: defaultTopicConfig(), sessionTimeoutMs: 9000 });
  assert.deepEqual(c.commit(decide(c.image, c.sessions, c.now) as ControllerResult<unknown>), { leader: 1, leaderEpoch: 0, isr: [1, 3], partitionEpoch: 1 });
  assert.deepEqual(c.image.partition('t', 0)!.isr, [1, 3]);
});
