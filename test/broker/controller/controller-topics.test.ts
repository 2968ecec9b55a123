import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import {
  createPartitions, createTopics, deleteTopics, type CreateTopicRequest, type CreateTopicsOptions,
} from '../../../broker/controller/index.js';
import { TestController } from './fixtures.js';

function options(c: TestController, extra: Partial<CreateTopicsOptions> = {}): CreateTopicsOptions {
  return { defaults: { numPartitions: 3, replicationFactor: 2 }, random: c.random, newTopicId: c.newTopicId, ...extra };
}

function create(c: TestController, requests: CreateTopicRequest[], extra: Partial<CreateTopicsOptions> = {}) {
  return c.commit(createTopics(c.image, requests, options(c, extra)));
}

test('create: records Topic, Partition and Config; ISR = replicas, leader = first replica, epochs 0', () => {
  const c = new TestController();
  c.startBrokers(4);
  const result = createTopics(c.image, [{ name: 'orders', numPartitions: 8, replicationFactor: 3, configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } }], options(c));
  const [r] = result.response;
  assert.equal(r!.errorCode, ErrorCode.NONE);
  assert.equal(r!.numPartitions, 8);
  assert.equal(r!.replicationFactor, 3);
  assert.deepEqual(result.records.map((x) => x.type), ['Topic', ...Array(8).fill('Partition'), 'Config', 'Config']);
  c.commitRecords(result.records);
  const topic = c.image.topic('orders')!;
  assert.equal(topic.topicId, r!.topicId);
  assert.deepEqual(c.image.topicConfigOverrides('orders'), { 'cleanup.policy': 'compact', 'retention.ms': '1000' });
  for (const p of topic.partitions) {
    assert.equal(p.replicas.length, 3);
    assert.deepEqual(p.isr, p.replicas);
    assert.equal(p.leader, p.replicas[0]);
    assert.equal(p.leaderEpoch, 0);
    assert.equal(p.partitionEpoch, 0);
  }
  const leaders = [1, 2, 3, 4].map((id) => c.image.partitionsLedBy(id).length);
  assert.deepEqual(leaders.sort(), [2, 2, 2, 2]);
});

test('create: defaults, validate-only, and one bad topic does not fail the others', () => {
  const c = new TestController();
  c.startBrokers(2);
  create(c, [{ name: 'existing' }, { name: 'e.x' }]);
  const results = create(c, [
    { name: 'ok' },
    { name: 'existing' },
    { name: 'bad name!' },
    { name: 'dup' }, { name: 'dup' },
    { name: 'zero', numPartitions: 0 },
    { name: 'rf3', replicationFactor: 3 },
    { name: 'rf0', replicationFactor: 0 },
    { name: 'conf', configs: { 'retention.ms': 'soon' } },
    { name: 'unknown-conf', configs: { 'no.such.key': '1' } },
    { name: 'both', numPartitions: 2, assignments: [[1]] },
    { name: 'e_x' },
  ]);
  assert.deepEqual(results.map((r) => [r.name, r.errorCode]), [
    ['ok', ErrorCode.NONE],
    ['existing', ErrorCode.TOPIC_ALREADY_EXISTS],
    ['bad name!', ErrorCode.INVALID_TOPIC_EXCEPTION],
    ['dup', ErrorCode.INVALID_REQUEST], ['dup', ErrorCode.INVALID_REQUEST],
    ['zero', ErrorCode.INVALID_PARTITIONS],
    ['rf3', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['rf0', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['conf', ErrorCode.INVALID_CONFIG],
    ['unknown-conf', ErrorCode.INVALID_CONFIG],
    ['both', ErrorCode.INVALID_REQUEST],
    ['e_x', ErrorCode.INVALID_TOPIC_EXCEPTION],
  ]);
  assert.ok(results.slice(1).every((r) => r.errorMessage.length > 0 && r.topicId === undefined));
  assert.equal(c.image.partitionsOf('ok')!.length, 3);
  assert.equal(c.image.partitionsOf('ok')![0]!.replicas.length, 2);
  assert.deepEqual(c.image.topics().map((t) => t.name), ['e.x', 'existing', 'ok']);
  const dry = createTopics(c.image, [{ name: 'dry' }], options(c, { validateOnly: true }));
  assert.equal(dry.response[0]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(dry.records, []);
});

test('create: replication factor counts only live brokers', () => {
  const c = new TestController();
  c.startBrokers(2);
  c.register(3);
  const [r] = create(c, [{ name: 't', replicationFactor: 3 }]);
  assert.equal(r!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  c.heartbeat(3);
  const [ok] = create(c, [{ name: 't', replicationFactor: 3 }]);
  assert.equal(ok!.errorCode, ErrorCode.NONE);
});

test('create: explicit assignments are checked; fenced replicas start outside the ISR', () => {
  const c = new TestController();
  c.startBrokers(3);
  c.register(4);
  const results = create(c, [
    { name: 'manual', assignments: [[4, 2, 1], [3, 1, 2]] },
    { name: 'unknown-broker', assignments: [[1, 9]] },
    { name: 'duplicate', assignments: [[1, 1]] },
    { name: 'uneven', assignments: [[1, 2], [3]] },
    { name: 'empty-list', assignments: [[]] },
    { name: 'all-fenced', assignments: [[4]] },
  ]);
  assert.deepEqual(results.map((r) => r.errorCode), [ErrorCode.NONE, ...Array(5).fill(ErrorCode.INVALID_REPLICA_ASSIGNMENT)]);
  const [p0, p1] = c.image.partitionsOf('manual')!;
  assert.deepEqual(p0!.replicas, [4, 2, 1]);
  assert.deepEqual(p0!.isr, [2, 1]);
  assert.equal(p0!.leader, 2);
  assert.deepEqual(p1!.isr, [3, 1, 2]);
  assert.equal(p1!.leader, 3);
});

test('create with racks places the replicas of each partition on distinct racks', () => {
  const c = new TestController(11);
  c.startBrokers(6, ['a', 'b', 'c', 'a', 'b', 'c']);
  create(c, [{ name: 'racked', numPartitions: 12, replicationFactor: 3 }]);
  for (const p of c.image.partitionsOf('racked')!) {
    assert.equal(new Set(p.replicas.map((id) => c.image.broker(id)!.rack)).size, 3);
  }
});

test('grow: new partitions keep the replication factor and spread leaders; shrinking and unknown topics are refused', () => {
  const c = new TestController(5);
  c.startBrokers(3);
  create(c, [{ name: 'g', numPartitions: 3, replicationFactor: 2 }, { name: 'h', numPartitions: 1, replicationFactor: 1 }]);
  const before = c.image.partitionsOf('g')!;
  const results = c.commit(createPartitions(c.image, [
    { name: 'g', count: 9 }, { name: 'h', count: 1 }, { name: 'nope', count: 5 },
  ], { random: c.random }));
  assert.deepEqual(results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.INVALID_PARTITIONS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  const after = c.image.partitionsOf('g')!;
  assert.equal(after.length, 9);
  assert.deepEqual(after.slice(0, 3), before);
  for (const p of after) {
    assert.equal(p.replicas.length, 2);
    assert.equal(new Set(p.replicas).size, 2);
    assert.equal(p.leader, p.replicas[0]);
  }
  const leaders = [1, 2, 3].map((id) => after.filter((p) => p.leader === id).length);
  assert.deepEqual(leaders, [3, 3, 3]);
  const manual = c.commit(createPartitions(c.image, [
    { name: 'h', count: 3, assignments: [[2], [3]] },
  ], { random: c.random }));
  assert.equal(manual[0]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(c.image.partitionsOf('h')!.map((p) => p.replicas), [c.image.partition('h', 0)!.replicas, [2], [3]]);
  const wrong = createPartitions(c.image, [
    { name: 'h', count: 5, assignments: [[2]] },
  ], { random: c.random });
  assert.equal(wrong.response[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  const rf = createPartitions(c.image, [{ name: 'h', count: 4, assignments: [[1, 2]] }], { random: c.random });
  assert.equal(rf.response[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  assert.deepEqual(rf.records, []);
});

test('delete: RemoveTopic per topic, unknown and duplicate names refused per topic', () => {
  const c = new TestController();
  c.startBrokers(1);
  create(c, [{ name: 'a', replicationFactor: 1, configs: { 'retention.ms': '5' } }, { name: 'b', replicationFactor: 1 }]);
  const idA = c.image.topic('a')!.topicId;
  const result = deleteTopics(c.image, ['a', 'missing', 'b', 'b']);
  assert.deepEqual(result.response.map((r) => [r.name, r.errorCode]), [
    ['a', ErrorCode.NONE], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], ['b', ErrorCode.INVALID_REQUEST], ['b', ErrorCode.INVALID_REQUEST],
  ]);
  assert.deepEqual(result.records, [{ type: 'RemoveTopic', version: 1, topicId: idA }]);
  c.commitRecords(result.records);
  assert.equal(c.image.topic('a'), undefined);
  assert.equal(c.image.topicById(idA), undefined);
  assert.deepEqual(c.image.topicConfigOverrides('a'), {});
  // The name is free again, with a new id and no old configs.
  create(c, [{ name: 'a', replicationFactor: 1 }]);
  assert.notEqual(c.image.topic('a')!.topicId, idA);
  assert.deepEqual(c.image.topicConfigOverrides('a'), {});
});
