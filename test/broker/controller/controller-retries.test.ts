// A forwarded admin write retried under its request id is answered with the committed original's
// results: the decision writes a RequestResult record beside its own, the image keeps it (through a
// follower's decode of the log), and the same request decided again writes nothing and answers the
// same. Without the id, the retry answers for a second request (TOPIC_ALREADY_EXISTS and the like).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/index.js';
import {
  answerOnce, decisionFor, type ControllerOperation, type ControllerResult, type ControllerWrites, type DecisionContext, type Decision,
} from '../../../broker/controller/index.js';
import { defaultTopicConfig } from '../../../broker/log/index.js';
import { TestController } from './fixtures.js';

const ctx: DecisionContext = { topicDefaults: defaultTopicConfig(), sessionTimeoutMs: 60_000 };
const defaults = { numPartitions: 1, replicationFactor: 1 };

function decide(c: TestController, decision: Decision<unknown>): ControllerResult<unknown> {
  return decision(c.image, c.sessions, c.now) as ControllerResult<unknown>;
}

/** Runs the write as a retried forwarded write does: decided and committed, then decided again. */
function retried<O extends ControllerOperation>(c: TestController, operation: O, request: ControllerWrites[O], requestId: string | undefined) {
  const decision = (): Decision<unknown> => {
    const plain = decisionFor(operation, request, ctx);
    return requestId === undefined ? plain : answerOnce(operation, requestId, plain);
  };
  const first = decide(c, decision());
  c.commit(first);
  c.now += 1000;
  const second = decide(c, decision());
  return { first, second };
}

const codes = (response: unknown): number[] => (response as { errorCode: number }[]).map((r) => r.errorCode);

test('a retried CreateTopics answers NONE with the original topic id, and writes nothing', () => {
  const c = new TestController(3);
  c.startBrokers(3);
  const request: ControllerWrites['createTopics'] = { topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 2 }], validateOnly: false, defaults };
  const { first, second } = retried(c, 'createTopics', request, 'req-1');
  // The decision's own records, then the RequestResult that commits with them.
  const last = first.records.at(-1)!;
  assert.equal(last.type, 'RequestResult');
  assert.deepEqual(last.type === 'RequestResult' && [last.requestId, last.operation, last.timestamp], ['req-1', 'createTopics', 1_000_000]);
  assert.deepEqual(first.records.slice(0, -1).map((r) => r.type), ['Topic', 'Partition', 'Partition']);
  assert.deepEqual(codes(first.response), [ErrorCode.NONE]);
  // The image holds the answer as a follower decoded it from the log.
  const stored = c.image.requestResult('req-1')!;
  assert.equal(stored.operation, 'createTopics');
  assert.equal(stored.offset, c.image.highestOffset);
  assert.deepEqual(stored.results, JSON.parse(JSON.stringify(first.response)));
  // The retry: no records, the original's answer, and the offset of the original.
  assert.deepEqual(second.records, []);
  assert.deepEqual(second.response, stored.results);
  assert.deepEqual(second.repeats, { requestId: 'req-1', offset: stored.offset });
  assert.equal((second.response as { topicId: string }[])[0]!.topicId, c.image.topic('orders')!.topicId);
  // The same retry without the id is a second request: the topic exists already.
  const unkeyed = retried(c, 'createTopics', { ...request, topics: [{ ...request.topics[0]!, name: 'payments' }] }, undefined);
  assert.deepEqual([codes(unkeyed.first.response), codes(unkeyed.second.response)], [[ErrorCode.NONE], [ErrorCode.TOPIC_ALREADY_EXISTS]]);
  assert.ok(unkeyed.first.records.every((r) => r.type !== 'RequestResult'));
});

test('deleteTopics, createPartitions and incrementalAlterConfigs retried under their id answer as the original did', () => {
  const c = new TestController(5);
  c.startBrokers(3);
  c.commit(decide(c, decisionFor('createTopics', { topics: [{ name: 'a', numPartitions: 1, replicationFactor: 1 }, { name: 'b', numPartitions: 1, replicationFactor: 1 }], validateOnly: false, defaults }, ctx)));

  const grow: ControllerWrites['createPartitions'] = { topics: [{ name: 'a', count: 3 }], validateOnly: false };
  const grown = retried(c, 'createPartitions', grow, 'grow-1');
  assert.deepEqual([codes(grown.first.response), codes(grown.second.response)], [[ErrorCode.NONE], [ErrorCode.NONE]]);
  assert.deepEqual(grown.second.records, []);
  assert.equal(c.image.partitionsOf('a')!.length, 3);
  // Unkeyed, the same request again is refused: the topic has 3 partitions already.
  assert.deepEqual(codes(decide(c, decisionFor('createPartitions', grow, ctx)).response), [ErrorCode.INVALID_PARTITIONS]);

  const alter: ControllerWrites['incrementalAlterConfigs'] = {
    resources: [{ resourceType: 'topic', resourceName: 'a', ops: [{ name: 'retention.ms', op: 'set', value: '60000' }] }], validateOnly: false,
  };
  const altered = retried(c, 'incrementalAlterConfigs', alter, 'alter-1');
  assert.deepEqual([codes(altered.first.response), codes(altered.second.response), altered.second.records], [[ErrorCode.NONE], [ErrorCode.NONE], []]);

  const remove: ControllerWrites['deleteTopics'] = { names: ['b'] };
  const removed = retried(c, 'deleteTopics', remove, 'delete-1');
  assert.deepEqual([codes(removed.first.response), codes(removed.second.response), removed.second.records], [[ErrorCode.NONE], [ErrorCode.NONE], []]);
  assert.equal(c.image.topic('b'), undefined);
  assert.deepEqual(codes(decide(c, decisionFor('deleteTopics', remove, ctx)).response), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.deepEqual(c.image.requestResults().map((r) => r.requestId), ['grow-1', 'alter-1', 'delete-1']);
});

test('a decision that writes nothing keeps no answer; an id reused for another operation is refused', () => {
  const c = new TestController(6);
  c.startBrokers(1);
  // Every item failed: nothing changed, so nothing is kept and a retry is decided again.
  const bad: ControllerWrites['createTopics'] = { topics: [{ name: 'bad name!', numPartitions: 1, replicationFactor: 1 }], validateOnly: false, defaults };
  const failed = decide(c, answerOnce('createTopics', 'req-bad', decisionFor('createTopics', bad, ctx)));
  assert.deepEqual(failed.records, []);
  assert.equal(failed.repeats, undefined);
  // validateOnly writes nothing either.
  const check = decide(c, answerOnce('createTopics', 'req-check', decisionFor('createTopics', { ...bad, topics: [{ name: 'fine', numPartitions: 1 }], validateOnly: true }, ctx)));
  assert.deepEqual([check.records, codes(check.response)], [[], [ErrorCode.NONE]]);
  assert.equal(c.image.requestResults().length, 0);

  c.commit(decide(c, answerOnce('createTopics', 'req-1', decisionFor('createTopics', { ...bad, topics: [{ name: 'fine', numPartitions: 1 }] }, ctx))));
  assert.throws(() => decide(c, answerOnce('deleteTopics', 'req-1', decisionFor('deleteTopics', { names: ['fine'] }, ctx))),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST);
  assert.throws(() => answerOnce('registerBroker', 'req-2', decisionFor('deleteTopics', { names: ['fine'] }, ctx)),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST);
});

test('electLeaders and alterPartitionReassignments are forwarded writes answered once: a retry does not say ELECTION_NOT_NEEDED or start again', () => {
  const c = new TestController(7);
  c.startBrokers(3);
  c.commit(decide(c, decisionFor('createTopics', { topics: [{ name: 'e', assignments: [[1, 2], [2, 3]] }], validateOnly: false, defaults }, ctx)));
  const topicId = c.image.topic('e')!.topicId;
  c.commitRecords([{ type: 'PartitionChange', version: 1, topicId, partition: 0, leader: 2 }]);
  const elect: ControllerWrites['electLeaders'] = { type: 'preferred', partitions: [{ topic: 'e', partition: 0 }] };
  const elected = retried(c, 'electLeaders', elect, 'elect-1');
  assert.deepEqual([codes(elected.first.response), codes(elected.second.response), elected.second.records], [[ErrorCode.NONE], [ErrorCode.NONE], []]);
  assert.equal(c.image.leaderOf('e', 0), 1);
  assert.deepEqual(codes(decide(c, decisionFor('electLeaders', elect, ctx)).response), [ErrorCode.ELECTION_NOT_NEEDED]);
  // Every partition: only the ones that needed it are answered.
  assert.deepEqual(decide(c, decisionFor('electLeaders', { type: 'preferred', partitions: null }, ctx)).response, []);

  const move: ControllerWrites['alterPartitionReassignments'] = { reassignments: [{ topic: 'e', partition: 1, replicas: [3, 1] }] };
  const moved = retried(c, 'alterPartitionReassignments', move, 'move-1');
  assert.deepEqual([codes(moved.first.response), codes(moved.second.response), moved.second.records], [[ErrorCode.NONE], [ErrorCode.NONE], []]);
  assert.deepEqual(c.image.partition('e', 1)!.addingReplicas, [1]);

  for (const bad of [{ type: 'sideways', partitions: null }, { type: 'preferred', partitions: 'all' }]) {
    assert.throws(() => decisionFor('electLeaders', bad as unknown as ControllerWrites['electLeaders'], ctx),
      (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST);
  }
  assert.throws(() => decisionFor('alterPartitionReassignments', { reassignments: 'x' } as unknown as ControllerWrites['alterPartitionReassignments'], ctx),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST);
});

test('a broker resource takes only the replication throttle rates at runtime, each a number of bytes per second', () => {
  const c = new TestController(8);
  c.startBrokers(2);
  const alter = (resourceName: string, name: string, value: string) => decide(c, decisionFor('incrementalAlterConfigs', {
    resources: [{ resourceType: 'broker', resourceName, ops: [{ name, op: 'set', value }] }], validateOnly: false,
  }, ctx));
  const ok = alter('1', 'leader.replication.throttled.rate', '1000000');
  assert.deepEqual(codes(ok.response), [ErrorCode.NONE]);
  c.commit(ok);
  c.commit(alter('', 'follower.replication.throttled.rate', '500'));
  assert.deepEqual(c.image.brokerConfigOverrides('1'), { 'leader.replication.throttled.rate': '1000000' });
  assert.deepEqual(c.image.brokerConfigOverrides(''), { 'follower.replication.throttled.rate': '500' });
  const refused = [
    alter('1', 'num.partitions', '3'), alter('1', 'no.such.key', '1'), alter('1', 'leader.replication.throttled.rate', '-1'),
    alter('1', 'follower.replication.throttled.rate', 'fast'), alter('1', 'leader.replication.throttled.rate', '9223372036854775808'),
  ];
  assert.deepEqual(refused.map((r) => codes(r.response)[0]), [
    ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG,
  ]);
  assert.ok(refused.every((r) => r.records.length === 0));
});
