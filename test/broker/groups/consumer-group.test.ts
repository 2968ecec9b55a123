// The group state machine (KIP-848's model) without I/O: joins and epochs, cooperative moves,
// leaves, static members, regex subscriptions and topic changes, offset commit checks, Kafka's
// states; a refused request leaves the group as it was. Then a seeded simulation of random joins,
// leaves, removals, acknowledgements and topic growth checks that no partition ever has two owners
// and that the group always settles on its target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { EMPTY_ASSIGNMENT, assignmentOf, partitionCount, partitionsOf, tpKey, type Assignment } from '../../../broker/groups/assignment.js';
import { ConsumerGroup, type GroupContext, type GroupRules, type JoinRequest } from '../../../broker/groups/consumer-group.js';
import type { TopicsView } from '../../../broker/groups/group-subscriptions.js';

const RULES: GroupRules = {
  assignors: ['uniform', 'range'], maxSize: 10, sessionTimeoutMs: 45_000, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, defaultRebalanceTimeoutMs: 300_000,
};

class World {
  readonly topics = new Map<string, { topicId: string; partitions: number }>();
  private ids = 0;
  now = 1_000;

  view(): TopicsView {
    return { topic: (name) => this.topics.get(name), names: () => this.topics.keys() };
  }

  ctx(rules: GroupRules = RULES): GroupContext {
    return { now: this.now, topics: this.view(), rules, newMemberId: () => `m${++this.ids}` };
  }
}

function join(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: '', instanceId: '', clientId: 'c', clientHost: '/127.0.0.1', rackId: '', subscribedTopicNames: ['t'], subscribedTopicRegex: '',
    assignor: '', sessionTimeoutMs: 0, rebalanceTimeoutMs: 0, memberEpoch: 0, owned: EMPTY_ASSIGNMENT, ...overrides,
  };
}

function refused(code: number, run: () => unknown): void {
  assert.throws(run, (err: unknown) => err instanceof StraitError && err.code === code, `expected ${code}`);
}

const assigned = (g: ConsumerGroup, id: string): number[] => [...(g.member(id)!.assigned.get('t') ?? [])];

/** Every member reports exactly what it owns now (it gave up what it was asked to), until nothing moves. */
function settle(g: ConsumerGroup, w: World): void {
  for (let round = 0; round < 20; round++) {
    let moved = false;
    for (const m of [...g.members.values()]) {
      if (m.memberEpoch < 0) continue;
      const before = g.member(m.memberId);
      g.heartbeat(m.memberId, m.memberEpoch, m.assigned, w.ctx());
      if (g.member(m.memberId) !== before) moved = true;
    }
    if (!moved) return;
  }
}

test('three members over 12 partitions get 4 each; a fourth gets 3 and only moved partitions are revoked', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 12 });
  const g = new ConsumerGroup('g');
  const ids = [0, 1, 2].map(() => g.join(join(), w.ctx()).memberId);
  settle(g, w);
  assert.equal(g.state(), 'Stable');
  for (const id of ids) assert.equal(assigned(g, id).length, 4);
  const before = new Map(ids.map((id) => [id, assigned(g, id)]));
  const epoch = g.groupEpoch;

  const d = g.join(join(), w.ctx()).memberId;
  assert.equal(g.groupEpoch, epoch + 1);
  assert.equal(g.state(), 'Reconciling');
  // Each old member is asked to give up exactly one partition, keeps the rest and its epoch.
  for (const id of ids) {
    const m = g.member(id)!;
    assert.equal(m.status, 'unrevoked');
    assert.equal(partitionCount(m.pendingRevocation), 1);
    assert.equal(assigned(g, id).length, 3);
    assert.ok(assigned(g, id).every((p) => before.get(id)!.includes(p)));
  }
  // The newcomer gets nothing while the old owners hold its partitions.
  assert.deepEqual(assigned(g, d), []);
  assert.equal(g.member(d)!.status, 'unreleased');
  settle(g, w);
  assert.equal(g.state(), 'Stable');
  assert.equal(assigned(g, d).length, 3);
  for (const id of ids) assert.equal(g.member(id)!.memberEpoch, g.assignmentEpoch);
});

test('epochs: a newer one is fenced, the previous one is accepted while what it owns is assigned, an older one is fenced', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 2 });
  const g = new ConsumerGroup('g');
  const a = g.join(join(), w.ctx()).memberId;
  const epochA = g.member(a)!.memberEpoch;
  const b = g.join(join(), w.ctx()).memberId;
  settle(g, w);
  const m = g.member(a)!;
  assert.equal(m.previousMemberEpoch, epochA);
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.heartbeat(a, m.memberEpoch + 1, m.assigned, w.ctx()));
  g.heartbeat(a, m.previousMemberEpoch, m.assigned, w.ctx());
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.heartbeat(a, m.previousMemberEpoch, assignmentOf([['t', [0, 1]]]), w.ctx()));
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.heartbeat(a, 0, m.assigned, w.ctx()));
  refused(ErrorCode.UNKNOWN_MEMBER_ID, () => g.heartbeat('nobody', 1, EMPTY_ASSIGNMENT, w.ctx()));
  // A rejoin on a new stream with its epoch keeps the member and what it has.
  const before = g.member(b)!;
  g.join(join({ memberId: b, memberEpoch: before.memberEpoch, owned: before.assigned }), w.ctx());
  assert.deepEqual(g.member(b)!.assigned, before.assigned);
});

test('refused joins change nothing: their codes are Kafka\'s', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 3 });
  const g = new ConsumerGroup('g');
  g.join(join(), w.ctx());
  const snapshot = JSON.stringify([...g.members.keys(), g.groupEpoch, g.assignmentEpoch]);
  refused(ErrorCode.INVALID_SESSION_TIMEOUT, () => g.join(join({ sessionTimeoutMs: 500 }), w.ctx()));
  refused(ErrorCode.INVALID_SESSION_TIMEOUT, () => g.join(join({ sessionTimeoutMs: 90_000 }), w.ctx()));
  refused(ErrorCode.UNSUPPORTED_ASSIGNOR, () => g.join(join({ assignor: 'sticky' }), w.ctx()));
  refused(ErrorCode.INVALID_REQUEST, () => g.join(join({ subscribedTopicNames: [] }), w.ctx()));
  refused(ErrorCode.INVALID_REQUEST, () => g.join(join({ subscribedTopicRegex: '(' , subscribedTopicNames: [] }), w.ctx()));
  refused(ErrorCode.INVALID_REQUEST, () => g.join(join({ subscribedTopicRegex: 't.*' }), w.ctx()));
  refused(ErrorCode.INVALID_REQUEST, () => g.join(join({ memberEpoch: -1 }), w.ctx()));
  refused(ErrorCode.UNKNOWN_MEMBER_ID, () => g.join(join({ memberId: 'ghost', memberEpoch: 4 }), w.ctx()));
  refused(ErrorCode.GROUP_MAX_SIZE_REACHED, () => g.join(join(), w.ctx({ ...RULES, maxSize: 1 })));
  assert.equal(JSON.stringify([...g.members.keys(), g.groupEpoch, g.assignmentEpoch]), snapshot);
});

test('static members: a live instance id is not taken (UNRELEASED_INSTANCE_ID); after a -2 leave a restart gets the same partitions; the old instance is fenced', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 4 });
  const g = new ConsumerGroup('g');
  const a = g.join(join({ instanceId: 'i-a' }), w.ctx()).memberId;
  const b = g.join(join({ instanceId: 'i-b' }), w.ctx()).memberId;
  settle(g, w);
  const mine = assigned(g, a);
  const epoch = g.groupEpoch;
  refused(ErrorCode.UNRELEASED_INSTANCE_ID, () => g.join(join({ instanceId: 'i-a' }), w.ctx()));
  g.leave(a, -2, w.ctx());
  assert.equal(g.member(a)!.memberEpoch, -2);
  assert.deepEqual(assigned(g, a), mine, 'it keeps its partitions while away');
  const a2 = g.join(join({ instanceId: 'i-a' }), w.ctx()).memberId;
  assert.notEqual(a2, a);
  assert.equal(g.member(a), undefined);
  assert.deepEqual(assigned(g, a2), mine);
  assert.equal(g.groupEpoch, epoch, 'replacing a static member with the same subscription is no rebalance');
  refused(ErrorCode.FENCED_INSTANCE_ID, () => g.join(join({ instanceId: 'i-a', memberId: a, memberEpoch: 3 }), w.ctx()));
  refused(ErrorCode.FENCED_INSTANCE_ID, () => g.join(join({ memberId: b, memberEpoch: g.member(b)!.memberEpoch }), w.ctx()));
  // Its session ending removes it for good: the partitions go to the other member.
  g.remove(a2, w.ctx());
  settle(g, w);
  assert.equal(assigned(g, b).length, 4);
});

test('a static member that stepped away (its stream closed) and comes back on a new stream with the epoch it had keeps its partitions, without a rebalance', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 4 });
  const g = new ConsumerGroup('g');
  const a = g.join(join({ instanceId: 'i-a' }), w.ctx()).memberId;
  const b = g.join(join({ instanceId: 'i-b' }), w.ctx()).memberId;
  settle(g, w);
  const mine = assigned(g, a);
  const epoch = g.member(a)!.memberEpoch;
  const groupEpoch = g.groupEpoch;
  g.stepAway(a);
  assert.equal(g.member(a)!.memberEpoch, -2);
  const back = (memberEpoch: number, owned: number[]) => join({ instanceId: 'i-a', memberId: a, memberEpoch, owned: assignmentOf([['t', owned]]) });
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.join(back(epoch + 1, mine), w.ctx()));
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.join(back(epoch, [...mine, ...assigned(g, b)]), w.ctx()));
  refused(ErrorCode.FENCED_INSTANCE_ID, () => g.join({ ...back(epoch, mine), instanceId: 'i-b' }, w.ctx()));
  assert.equal(g.member(a)!.memberEpoch, -2, 'a refused return changes nothing');
  g.join(back(epoch, mine), w.ctx());
  assert.equal(g.member(a)!.memberEpoch, epoch);
  assert.deepEqual(assigned(g, a), mine);
  assert.equal(g.groupEpoch, groupEpoch, 'no rebalance');
  assert.equal(g.state(), 'Stable');
});

test('leave -1 frees the member\'s partitions; a group without members is Empty and remembers since when', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 2 });
  const g = new ConsumerGroup('g');
  const a = g.join(join(), w.ctx()).memberId;
  const b = g.join(join(), w.ctx()).memberId;
  settle(g, w);
  g.leave(a, -1, w.ctx());
  settle(g, w);
  assert.deepEqual(assigned(g, b), [0, 1]);
  refused(ErrorCode.INVALID_REQUEST, () => g.leave(b, 3, w.ctx()));
  w.now = 5_000;
  g.leave(b, -2, w.ctx());
  assert.equal(g.members.size, 0, 'a dynamic member leaving with -2 leaves for good');
  assert.equal(g.state(), 'Empty');
  assert.equal(g.emptySinceMs, 5_000);
});

test('regex subscriptions follow the topics: a new matching topic and added partitions bump the epoch and are assigned', () => {
  const w = new World();
  w.topics.set('orders-eu', { topicId: 'id-1', partitions: 2 });
  w.topics.set('__consumer_offsets', { topicId: 'id-0', partitions: 50 });
  w.topics.set('payments', { topicId: 'id-2', partitions: 1 });
  const g = new ConsumerGroup('g');
  const a = g.join(join({ subscribedTopicNames: [], subscribedTopicRegex: 'orders-.*|__.*' }), w.ctx()).memberId;
  settle(g, w);
  assert.deepEqual([...g.member(a)!.assigned.keys()], ['orders-eu'], 'internal topics never match');
  const epoch = g.groupEpoch;
  assert.equal(g.refreshTopics(w.ctx()).rebalanced, false, 'nothing changed');
  w.topics.set('orders-us', { topicId: 'id-3', partitions: 3 });
  assert.equal(g.refreshTopics(w.ctx()).rebalanced, true);
  assert.equal(g.groupEpoch, epoch + 1);
  settle(g, w);
  assert.equal(partitionCount(g.member(a)!.assigned), 5);
  w.topics.set('orders-eu', { topicId: 'id-1', partitions: 4 });
  g.refreshTopics(w.ctx());
  settle(g, w);
  assert.equal(partitionCount(g.member(a)!.assigned), 7);
  w.topics.delete('orders-us');
  g.refreshTopics(w.ctx());
  assert.equal(g.member(a)!.status, 'unrevoked', 'a deleted topic\'s partitions are revoked');
  settle(g, w);
  assert.deepEqual([...g.member(a)!.assigned.keys()], ['orders-eu']);
});

test('offset commit checks: simple commits only while empty; unknown member; stale and fenced epochs', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 1 });
  const g = new ConsumerGroup('g');
  g.checkOffsetCommit('', -1);
  const a = g.join(join(), w.ctx()).memberId;
  const epoch = g.member(a)!.memberEpoch;
  refused(ErrorCode.UNKNOWN_MEMBER_ID, () => g.checkOffsetCommit('', -1));
  refused(ErrorCode.UNKNOWN_MEMBER_ID, () => g.checkOffsetCommit('ghost', epoch));
  refused(ErrorCode.STALE_MEMBER_EPOCH, () => g.checkOffsetCommit(a, epoch - 1));
  refused(ErrorCode.FENCED_MEMBER_EPOCH, () => g.checkOffsetCommit(a, epoch + 1));
  g.checkOffsetCommit(a, epoch);
  refused(ErrorCode.STALE_MEMBER_EPOCH, () => g.checkOffsetFetch(a, epoch - 1));
  g.checkOffsetFetch(a, epoch);
});

test('the group uses the assignor most members prefer, the configured default otherwise', () => {
  const w = new World();
  w.topics.set('t', { topicId: 'id-t', partitions: 4 });
  const g = new ConsumerGroup('g');
  g.join(join(), w.ctx());
  assert.equal(g.assignorName(RULES), 'uniform');
  g.join(join({ assignor: 'range' }), w.ctx());
  assert.equal(g.assignorName(RULES), 'range');
});

/** Random operations on a group whose members behave (report what they own, sometimes late). */
type Op =
  | { kind: 'join'; topics: string[] }
  | { kind: 'leave'; pick: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'ack'; pick: number }
  | { kind: 'grow'; topic: string; by: number }
  | { kind: 'static-away'; pick: number }
  | { kind: 'static-back'; pick: number };

const ops: fc.Arbitrary<Op[]> = fc.array(fc.oneof(
  fc.record({ kind: fc.constant('join' as const), topics: fc.subarray(['a', 'b', 'c'], { minLength: 1 }) }),
  fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('grow' as const), topic: fc.constantFrom('a', 'b', 'c'), by: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('static-away' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('static-back' as const), pick: fc.nat() }),
), { maxLength: 60 });

function owners(g: ConsumerGroup): Map<string, string> {
  const seen = new Map<string, string>();
  for (const m of g.members.values()) {
    for (const a of [m.assigned, m.pendingRevocation] as Assignment[]) {
      for (const [t, p] of partitionsOf(a)) {
        const key = tpKey(t, p);
        assert.equal(seen.get(key), undefined, `${t}-${p} owned by ${seen.get(key)} and ${m.memberId}`);
        seen.set(key, m.memberId);
      }
    }
  }
  return seen;
}

test('simulation: no partition ever has two owners, and the group settles on its target', () => {
  fc.assert(fc.property(ops, fc.constantFrom('uniform', 'range'), (steps, assignor) => {
    const w = new World();
    for (const [t, n] of [['a', 3], ['b', 2], ['c', 1]] as const) w.topics.set(t, { topicId: `id-${t}`, partitions: n });
    const g = new ConsumerGroup('g');
    const pick = (n: number) => [...g.members.keys()][n % Math.max(1, g.members.size)];
    let instances = 0;
    for (const step of steps) {
      switch (step.kind) {
        case 'join':
          g.join(join({ subscribedTopicNames: step.topics, assignor, instanceId: instances % 3 === 0 ? `i-${instances}` : '' }), w.ctx());
          instances++;
          break;
        case 'leave': {
          const id = pick(step.pick);
          if (id) g.leave(id, -1, w.ctx());
          break;
        }
        case 'remove': {
          const id = pick(step.pick);
          if (id) g.remove(id, w.ctx());
          break;
        }
        case 'ack': {
          const id = pick(step.pick);
          const m = id === undefined ? undefined : g.member(id);
          if (m && m.memberEpoch >= 0) g.heartbeat(m.memberId, m.memberEpoch, m.assigned, w.ctx());
          break;
        }
        case 'grow': {
          const t = w.topics.get(step.topic)!;
          w.topics.set(step.topic, { ...t, partitions: t.partitions + step.by });
          g.refreshTopics(w.ctx());
          break;
        }
        case 'static-away': {
          const id = pick(step.pick);
          if (id && g.member(id)!.instanceId !== undefined) g.leave(id, -2, w.ctx());
          break;
        }
        case 'static-back': {
          // A member that stepped away rejoins on a new stream with the epoch it had and what it holds.
          const m = g.member(pick(step.pick) ?? '');
          if (m && m.memberEpoch === -2) {
            const owned = assignmentOf([...partitionsOf(m.assigned), ...partitionsOf(m.pendingRevocation)].map(([t, p]) => [t, [p]] as const));
            g.join(join({
              memberId: m.memberId, instanceId: m.instanceId ?? '', subscribedTopicNames: [...m.subscribedTopicNames], assignor: m.serverAssignor,
              memberEpoch: m.previousMemberEpoch, owned,
            }), w.ctx());
          }
          break;
        }
      }
      owners(g);
    }
    // Members that stepped away hold their partitions until their session ends: end them, then let everyone report.
    for (const m of [...g.members.values()]) if (m.memberEpoch < 0) g.remove(m.memberId, w.ctx());
    settle(g, w);
    const owned = owners(g);
    if (g.members.size === 0) return;
    assert.equal(g.state(), 'Stable');
    for (const m of g.members.values()) assert.deepEqual([...m.assigned], [...(g.target.get(m.memberId) ?? EMPTY_ASSIGNMENT)]);
    // Every partition of a subscribed topic is owned.
    const subscribed = new Set([...g.members.values()].flatMap((m) => m.subscribedTopicNames));
    for (const t of subscribed) for (let p = 0; p < w.topics.get(t)!.partitions; p++) assert.ok(owned.has(tpKey(t, p)), `${t}-${p} unowned`);
  }));
});
