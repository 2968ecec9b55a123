// strait reassign-partitions' files and text, pure: Kafka's plan JSON in and out, the --generate
// proposal, --throttle's replica lists, --list's lines, and --verify's progress lines per replica
// being added. The commands against real brokers are in test/cluster/reassignment.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../cli/cli-args.js';
import { formatRunning, progressLines } from '../../../cli/commands/reassign-partitions.js';
import {
  formatReassignmentJson, parseReassignmentPlan, parseTopicsToMove, proposeAssignment, throttledReplicaLists,
} from '../../../cli/reassignment-plan.js';

const usage = (message: RegExp) => (err: unknown) => err instanceof UsageError && message.test(err.message);

test('a plan is read as Kafka writes it and written back compact, in topic-partition order, log_dirs "any"', () => {
  const text = '{"version":1,"partitions":[{"topic":"b","partition":1,"replicas":[3,1],"log_dirs":["any","any"]},{"topic":"a","partition":10,"replicas":[2]},{"topic":"a","partition":2,"replicas":[1,2]}]}';
  const plan = parseReassignmentPlan(text);
  assert.deepEqual(plan, [{ topic: 'b', partition: 1, replicas: [3, 1] }, { topic: 'a', partition: 10, replicas: [2] }, { topic: 'a', partition: 2, replicas: [1, 2] }]);
  assert.equal(formatReassignmentJson(plan),
    '{"version":1,"partitions":[{"topic":"a","partition":2,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"a","partition":10,"replicas":[2],"log_dirs":["any"]},'
    + '{"topic":"b","partition":1,"replicas":[3,1],"log_dirs":["any","any"]}]}');
  assert.deepEqual(parseReassignmentPlan(formatReassignmentJson(plan)), [...plan].sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition)));
});

test('a plan that is not one is refused with Kafka\'s words, before anything is sent', () => {
  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['{"version":1}', /needs/],
    ['{"version":2,"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}', /version 2/],
    ['{"version":1,"partitions":[]}', /Partition reassignment list cannot be empty/],
    ['{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}', /may not contain duplicate entries: a-0 contains multiple entries for 1/],
    ['{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}', /duplicate partitions: a-0/],
    ['{"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}', /Length of replicas and log_dirs/],
    ['{"partitions":[{"topic":"a","partition":0,"replicas":[1],"log_dirs":["/data"]}]}', /AlterReplicaLogDirs/],
    ['{"partitions":[{"topic":"a","partition":-1,"replicas":[1]}]}', /needs "topic", "partition" and "replicas"/],
    ['{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}', /non-empty list of broker ids/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseReassignmentPlan(text), usage(message), text);
  assert.deepEqual(parseTopicsToMove('{"topics":[{"topic":"a"},{"topic":"b"}],"version":1}'), ['a', 'b']);
  assert.throws(() => parseTopicsToMove('{"topics":[{"topic":"a"},{"topic":"a"}]}'), usage(/duplicate entries: a/));
  assert.throws(() => parseTopicsToMove('{"topics":[]}'), usage(/names no topic/));
});

test('--generate places each topic anew over the brokers given, keeping its replication factor; racks all or none', () => {
  const current = [0, 1, 2, 3].map((partition) => ({ topic: 't', partition, replicas: [1, 2] }));
  let seed = 0.3;
  const proposed = proposeAssignment(current, [{ brokerId: 2 }, { brokerId: 3 }, { brokerId: 4 }], { rackAware: true, random: () => seed });
  assert.equal(proposed.length, 4);
  for (const p of proposed) {
    assert.equal(p.replicas.length, 2);
    assert.ok(p.replicas.every((id) => [2, 3, 4].includes(id)) && new Set(p.replicas).size === 2, JSON.stringify(p));
  }
  // Leaders spread over the brokers (Kafka's round robin of first replicas).
  assert.deepEqual(new Set(proposed.slice(0, 3).map((p) => p.replicas[0])), new Set([2, 3, 4]));
  seed = 0.9;
  assert.throws(() => proposeAssignment(current, [{ brokerId: 2, rack: 'a' }, { brokerId: 3 }], { rackAware: true }), usage(/Not all brokers have rack information/));
  assert.equal(proposeAssignment(current, [{ brokerId: 2, rack: 'a' }, { brokerId: 3 }], { rackAware: false }).length, 4);
  assert.throws(() => proposeAssignment(current, [{ brokerId: 2 }], { rackAware: false }), usage(/Topic t: /));
});

test('--throttle lists every current replica of a moving partition for the leader side, and the replicas it adds for the follower side', () => {
  const plan = [{ topic: 't', partition: 0, replicas: [3, 4] }, { topic: 't', partition: 1, replicas: [1, 2] }, { topic: 'u', partition: 10, replicas: [2, 5] }];
  const current: Record<string, number[]> = { 't-0': [1, 2], 't-1': [1, 2], 'u-10': [2, 1] };
  const lists = throttledReplicaLists(plan, (p) => current[`${p.topic}-${p.partition}`]!);
  assert.deepEqual(Object.fromEntries(lists), {
    t: { leader: '0:1,0:2,1:1,1:2', follower: '0:3,0:4' },
    u: { leader: '10:1,10:2', follower: '10:5' },
  });
});

test('--list shows each running reassignment as Kafka does; --verify says how far each added replica is', () => {
  assert.equal(formatRunning([]), 'No partition reassignments found.\n');
  const running = [
    { topic: 't', partition: 1, replicas: [4, 2, 1], addingReplicas: [4], removingReplicas: [1] },
    { topic: 't', partition: 0, replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [] },
  ];
  assert.equal(formatRunning(running), 'Current partition reassignments:\nt-0: replicas: 3,1,2. adding: 3.\nt-1: replicas: 4,2,1. adding: 4. removing: 1.\n');
  const replica = (brokerId: number, offsetLag: number) => ({
    brokerId, logDirs: [{ logDir: '/d', error: undefined, totalBytes: 1, usableBytes: 1, replicas: [{ topic: 't', partition: 1, size: 2048, offsetLag, logEndOffset: 100, isFuture: false }] }],
  });
  assert.deepEqual(progressLines(running[0]!, [replica(4, 250)]), ['  Replica 4 of t-1 is 250 records behind the leader (log end offset 100, 2048 bytes).']);
  assert.deepEqual(progressLines(running[0]!, [replica(4, -1)]), ['  Replica 4 of t-1 has not fetched from the leader yet (log end offset 100, 2048 bytes).']);
  assert.deepEqual(progressLines(running[0]!, []), ['  Replica 4 of t-1 has no log yet.']);
});
