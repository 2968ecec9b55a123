// The controller's partition reassignment decisions (KIP-455 as KRaft makes them): start (replicas =
// target + removing, adding and removing recorded, ISR and leader kept), completion in the
// AlterPartition that brings the last adding replica into the ISR (or at once when nothing is
// added), a new leader from the target when the current one leaves, cancel back to the original
// replicas, and the requests that are refused with Kafka's error codes and change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import {
  alterPartition, alterPartitionReassignments, completedReassignment, createTopics, incrementalAlterConfigs,
  listPartitionReassignments, type ReassignmentRequest,
} from '../../../broker/controller/index.js';
import { MetadataImage, type PartitionImage } from '../../../broker/metadata/index.js';
import { TestController } from './fixtures.js';

const OPTIONS = { uncleanDefault: false };

function setUp(brokers: number, assignments: number[][]): TestController {
  const c = new TestController();
  c.startBrokers(brokers);
  const [result] = c.commit(createTopics(c.image, [{ name: 't', assignments }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  assert.equal(result!.errorCode, ErrorCode.NONE, result!.errorMessage);
  return c;
}

function reassign(c: TestController, requests: ReassignmentRequest[]): number[] {
  return c.commit(alterPartitionReassignments(c.image, requests, OPTIONS)).map((r) => r.errorCode);
}

/** The leader of t-<partition> proposes this ISR (as it does once a follower caught up). */
function leaderProposes(c: TestController, partition: number, newIsr: number[]) {
  const p = c.image.partition('t', partition)!;
  return c.commit(alterPartition(c.image, {
    brokerId: p.leader, brokerEpoch: c.image.broker(p.leader)!.brokerEpoch, topicId: p.topicId, partition,
    leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr,
  }));
}

const shape = (p: PartitionImage) => ({ replicas: p.replicas, isr: p.isr, leader: p.leader, adding: p.addingReplicas, removing: p.removingReplicas });

test('a move starts with the target first, then the replicas it removes; the ISR and the leader stay', () => {
  const c = setUp(4, [[1, 2, 3]]);
  const before = c.image.partition('t', 0)!;
  assert.deepEqual(reassign(c, [{ topic: 't', partition: 0, replicas: [1, 2, 4] }]), [ErrorCode.NONE]);
  const p = c.image.partition('t', 0)!;
  assert.deepEqual(shape(p), { replicas: [1, 2, 4, 3], isr: [1, 2, 3], leader: 1, adding: [4], removing: [3] });
  assert.equal(p.leaderEpoch, before.leaderEpoch);
  assert.equal(p.partitionEpoch, before.partitionEpoch + 1);
  assert.deepEqual(listPartitionReassignments(c.image), [{ topic: 't', partition: 0, replicas: [1, 2, 4, 3], addingReplicas: [4], removingReplicas: [3] }]);
  assert.deepEqual(listPartitionReassignments(c.image, [{ topic: 't', partition: 0 }, { topic: 'x', partition: 0 }]).length, 1);
  // The image keeps the reassignment through a snapshot.
  assert.deepEqual(shape(MetadataImage.fromSnapshot(c.image.toSnapshot()).partition('t', 0)!), shape(p));
});

test('the AlterPartition that brings the last adding replica into the ISR completes the reassignment in one record', () => {
  const c = setUp(5, [[1, 2, 3]]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [1, 4, 5] }]);
  assert.deepEqual(c.image.partition('t', 0)!.replicas, [1, 4, 5, 2, 3]);
  // One of two adding replicas caught up: only the ISR grows.
  const first = leaderProposes(c, 0, [1, 4, 2, 3]);
  assert.deepEqual(first.isr, [1, 4, 2, 3]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [1, 4, 5, 2, 3], isr: [1, 4, 2, 3], leader: 1, adding: [4, 5], removing: [2, 3] });
  const epoch = c.image.partition('t', 0)!.leaderEpoch;
  const done = leaderProposes(c, 0, [1, 4, 5, 2, 3]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [1, 4, 5], isr: [1, 4, 5], leader: 1, adding: [], removing: [] });
  assert.equal(c.image.partition('t', 0)!.leaderEpoch, epoch, 'the leader stays, and so does its epoch');
  assert.deepEqual(done, { leader: 1, leaderEpoch: epoch, isr: [1, 4, 5], partitionEpoch: c.image.partition('t', 0)!.partitionEpoch });
  assert.deepEqual(listPartitionReassignments(c.image), []);
});

test('a leader that the target leaves out hands over to the first target replica of the ISR when the reassignment completes', () => {
  const c = setUp(4, [[1, 2, 3]]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [4, 2, 3] }]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [4, 2, 3, 1], isr: [1, 2, 3], leader: 1, adding: [4], removing: [1] });
  const epoch = c.image.partition('t', 0)!.leaderEpoch;
  const answer = leaderProposes(c, 0, [4, 2, 3, 1]);
  const p = c.image.partition('t', 0)!;
  assert.deepEqual(shape(p), { replicas: [4, 2, 3], isr: [4, 2, 3], leader: 4, adding: [], removing: [] });
  assert.equal(p.leaderEpoch, epoch + 1);
  assert.deepEqual(answer, { leader: 4, leaderEpoch: epoch + 1, isr: [4, 2, 3], partitionEpoch: p.partitionEpoch });
});

test('nothing to add: the reassignment completes at once; a new order only reorders', () => {
  const c = setUp(3, [[1, 2, 3], [1, 2, 3]]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [2, 1] }, { topic: 't', partition: 1, replicas: [3, 2, 1] }]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [2, 1], isr: [2, 1], leader: 1, adding: [], removing: [] });
  assert.deepEqual(shape(c.image.partition('t', 1)!), { replicas: [3, 2, 1], isr: [3, 2, 1], leader: 1, adding: [], removing: [] });
  // The same target again writes nothing.
  assert.deepEqual(alterPartitionReassignments(c.image, [{ topic: 't', partition: 1, replicas: [3, 2, 1] }], OPTIONS).records, []);
});

test('a removal that would empty the ISR waits until a target replica joins it', () => {
  const c = setUp(3, [[3, 1, 2]]);
  const topicId = c.image.topic('t')!.topicId;
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 0, isr: [3] }]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [1, 2] }]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [1, 2, 3], isr: [3], leader: 3, adding: [], removing: [3] });
  leaderProposes(c, 0, [1, 3]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [1, 2], isr: [1], leader: 1, adding: [], removing: [] });
});

test('a new target while one runs starts from the current replicas: additions it drops are removed, those it keeps still added', () => {
  const c = setUp(6, [[1, 2, 3]]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [4, 2, 3] }]);
  // The same target again changes nothing.
  assert.deepEqual(alterPartitionReassignments(c.image, [{ topic: 't', partition: 0, replicas: [4, 2, 3] }], OPTIONS).records, []);
  reassign(c, [{ topic: 't', partition: 0, replicas: [5, 2, 3] }]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [5, 2, 3, 1, 4], isr: [1, 2, 3], leader: 1, adding: [5], removing: [1, 4] });
  // Keeping 5 (not yet in the ISR) and adding 6: both are being added; nothing completes before they join.
  reassign(c, [{ topic: 't', partition: 0, replicas: [5, 6, 3] }]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [5, 6, 3, 1, 2, 4], isr: [1, 2, 3], leader: 1, adding: [5, 6], removing: [1, 2, 4] });
});

test('cancel goes back to the original replicas, without those being added', () => {
  const c = setUp(6, [[1, 2, 3]]);
  const before = c.image.partition('t', 0)!;
  reassign(c, [{ topic: 't', partition: 0, replicas: [4, 5, 6] }]);
  leaderProposes(c, 0, [4, 1, 2, 3]);
  assert.deepEqual(reassign(c, [{ topic: 't', partition: 0, replicas: null }]), [ErrorCode.NONE]);
  const p = c.image.partition('t', 0)!;
  assert.deepEqual(shape(p), { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, adding: [], removing: [] });
  assert.equal(p.leaderEpoch, before.leaderEpoch);
  const again = alterPartitionReassignments(c.image, [{ topic: 't', partition: 0, replicas: null }], OPTIONS);
  assert.deepEqual([again.records, again.response[0]!.errorCode], [[], ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);
});

test('cancel when only added replicas are left in the ISR is unclean: refused unless the topic allows it', () => {
  const c = setUp(4, [[1, 2]]);
  reassign(c, [{ topic: 't', partition: 0, replicas: [3, 4] }]);
  leaderProposes(c, 0, [3, 1, 2]);
  // The original replicas go away: the new one leads alone.
  c.heartbeat(1, { wantFence: true });
  c.heartbeat(2, { wantFence: true });
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [3, 4, 1, 2], isr: [3], leader: 3, adding: [3, 4], removing: [1, 2] });
  const refused = alterPartitionReassignments(c.image, [{ topic: 't', partition: 0, replicas: null }], OPTIONS);
  assert.deepEqual([refused.records, refused.response[0]!.errorCode], [[], ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]);
  c.commit(incrementalAlterConfigs(c.image, [{ resourceType: 'topic', resourceName: 't', ops: [{ name: 'unclean.leader.election.enable', op: 'set', value: 'true' }] }],
    { validateBrokerConfigs: () => undefined }));
  // Still no original replica that may lead.
  assert.equal(alterPartitionReassignments(c.image, [{ topic: 't', partition: 0, replicas: null }], OPTIONS).response[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  c.heartbeat(2);
  assert.deepEqual(reassign(c, [{ topic: 't', partition: 0, replicas: null }]), [ErrorCode.NONE]);
  assert.deepEqual(shape(c.image.partition('t', 0)!), { replicas: [1, 2], isr: [2], leader: 2, adding: [], removing: [] });
});

test('bad requests get their own error and change nothing; the valid ones in the same request go ahead', () => {
  const c = setUp(3, [[1, 2], [2, 3], [3, 1], [1, 3]]);
  const result = alterPartitionReassignments(c.image, [
    { topic: 't', partition: 0, replicas: [] },
    { topic: 't', partition: 1, replicas: [1, 1] },
    { topic: 't', partition: 2, replicas: [2, 9] },
    { topic: 't', partition: 3, replicas: [2, -1] },
    { topic: 't', partition: 7, replicas: [1] },
    { topic: 'nope', partition: 0, replicas: [1] },
    { topic: 't', partition: 0, replicas: [3, 2] },
  ], OPTIONS);
  assert.deepEqual(result.response.map((r) => r.errorCode), [
    ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST,
  ]);
  assert.deepEqual(result.records, []);
  const mixed = alterPartitionReassignments(c.image, [{ topic: 't', partition: 1, replicas: [3, 2] }, { topic: 't', partition: 0, replicas: [9] }], OPTIONS);
  assert.deepEqual(mixed.response.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
  assert.equal(mixed.records.length, 1);
});

test('completion waits while no target replica of the ISR may lead and the current leader is leaving', () => {
  const p = { replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1], leader: 1, offlineReplicas: [] };
  assert.equal(completedReassignment(p, [2, 3, 1], () => false), undefined);
  assert.deepEqual(completedReassignment(p, [2, 3, 1], (id) => id === 3), { replicas: [2, 3], isr: [2, 3], leader: 3 });
  // An adding replica outside the ISR: not yet.
  assert.equal(completedReassignment(p, [2, 1], () => true), undefined);
  // No reassignment: nothing to complete.
  assert.equal(completedReassignment({ ...p, addingReplicas: [], removingReplicas: [] }, [2, 3, 1], () => true), undefined);
});
