// The server assignors: uniform (balanced and sticky) and range (Kafka's ranges per topic). Examples,
// then properties over random groups: every partition of a subscribed topic has exactly one owner,
// a subscriber; balance; stickiness (a member gives partitions up only when it holds more than its
// share); running the assignor on its own output changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_ASSIGNMENT, assignmentOf, hasPartition, partitionCount, partitionsOf, tpKey, type Assignment } from '../../../broker/groups/assignment.js';
import type { AssignorMember } from '../../../broker/groups/assignor.js';
import { rangeAssignor } from '../../../broker/groups/range-assignor.js';
import { uniformAssignor } from '../../../broker/groups/uniform-assignor.js';

const member = (memberId: string, topics: string[], current: Assignment = EMPTY_ASSIGNMENT, instanceId?: string): AssignorMember =>
  ({ memberId, instanceId, topics: new Set(topics), current });
const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));
const plain = (a: Map<string, Assignment>): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...a].map(([id, x]) => [id, Object.fromEntries([...x].map(([t, ps]) => [t, [...ps]]))]));

test('uniform: 3 members over 12 partitions get 4 each; a 4th takes one from each and nobody loses more', () => {
  const first = uniformAssignor(['a', 'b', 'c'].map((id) => member(id, ['t'])), counts({ t: 12 }));
  for (const id of ['a', 'b', 'c']) assert.equal(partitionCount(first.get(id)!), 4);
  const second = uniformAssignor([...['a', 'b', 'c'].map((id) => member(id, ['t'], first.get(id)!)), member('d', ['t'])], counts({ t: 12 }));
  for (const id of ['a', 'b', 'c']) {
    const kept = [...partitionsOf(second.get(id)!)].filter(([t, p]) => hasPartition(first.get(id)!, t, p));
    assert.equal(partitionCount(second.get(id)!), 3);
    assert.equal(kept.length, 3, `${id} keeps 3 of its 4`);
  }
  assert.equal(partitionCount(second.get('d')!), 3);
});

test('uniform: different subscriptions are balanced where they can be', () => {
  // a and b read t1 (4 partitions); b also reads t2 (2): a takes t1 alone as far as balance allows.
  const out = uniformAssignor([member('a', ['t1']), member('b', ['t1', 't2'])], counts({ t1: 4, t2: 2 }));
  assert.equal(partitionCount(out.get('a')!), 3);
  assert.equal(partitionCount(out.get('b')!), 3);
  assert.deepEqual([...out.get('b')!.get('t2')!], [0, 1]);
  // A topic nobody subscribes to and a subscribed topic that does not exist are left alone.
  const lone = uniformAssignor([member('a', ['t1', 'missing'])], counts({ t1: 2 }));
  assert.deepEqual(plain(lone), { a: { t1: [0, 1] } });
});

test('range: Kafka\'s example, two members over two topics of three partitions', () => {
  const out = rangeAssignor([member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])], counts({ t0: 3, t1: 3 }));
  assert.deepEqual(plain(out), { C0: { t0: [0, 1], t1: [0, 1] }, C1: { t0: [2], t1: [2] } });
});

test('range: static members are ordered by instance id, so a restart under a new member id keeps its ranges', () => {
  const before = rangeAssignor([member('zz', ['t'], EMPTY_ASSIGNMENT, 'i-1'), member('aa', ['t'], EMPTY_ASSIGNMENT, 'i-2')], counts({ t: 4 }));
  assert.deepEqual(plain(before), { zz: { t: [0, 1] }, aa: { t: [2, 3] } });
  const after = rangeAssignor([member('bb', ['t'], EMPTY_ASSIGNMENT, 'i-1'), member('aa', ['t'], EMPTY_ASSIGNMENT, 'i-2')], counts({ t: 4 }));
  assert.deepEqual(plain(after), { bb: { t: [0, 1] }, aa: { t: [2, 3] } });
});

interface Scenario {
  members: AssignorMember[];
  counts: Map<string, number>;
}

const TOPICS = ['t0', 't1', 't2', 't3'];
const topicCounts = fc.tuple(...TOPICS.map(() => fc.nat({ max: 12 })))
  .map((ns) => new Map(TOPICS.map((t, i) => [t, ns[i]!] as const).filter(([, n]) => n > 0)));
/** Random current targets: they may overlap, name partitions or topics that do not exist, or ones not subscribed. */
const current = fc.array(fc.tuple(fc.constantFrom(...TOPICS, 'gone'), fc.nat({ max: 14 })), { maxLength: 10 })
  .map((tps) => assignmentOf(tps.map(([t, p]) => [t, [p]] as const)));

function scenario(homogeneous: boolean): fc.Arbitrary<Scenario> {
  return fc.record({
    counts: topicCounts,
    ids: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }),
    shared: fc.subarray(TOPICS, { minLength: 1 }),
    own: fc.array(fc.subarray(TOPICS, { minLength: 1 }), { minLength: 7, maxLength: 7 }),
    currents: fc.array(current, { minLength: 7, maxLength: 7 }),
  }).map(({ counts: c, ids, shared, own, currents }) => ({
    counts: c,
    members: ids.map((id, i) => member(id, homogeneous ? shared : own[i]!, currents[i]!)),
  }));
}

function checkValid(s: Scenario, out: Map<string, Assignment>): void {
  assert.deepEqual([...out.keys()].sort(), s.members.map((m) => m.memberId).sort());
  const owner = new Map<string, string>();
  for (const [id, a] of out) {
    const m = s.members.find((x) => x.memberId === id)!;
    for (const [t, p] of partitionsOf(a)) {
      assert.ok(m.topics.has(t), `${id} got ${t} it does not subscribe to`);
      assert.ok(p < (s.counts.get(t) ?? 0), `${id} got ${t}-${p}, which does not exist`);
      assert.equal(owner.get(tpKey(t, p)), undefined, `${t}-${p} owned twice`);
      owner.set(tpKey(t, p), id);
    }
  }
  for (const [t, n] of s.counts) {
    if (!s.members.some((m) => m.topics.has(t))) continue;
    for (let p = 0; p < n; p++) assert.ok(owner.has(tpKey(t, p)), `${t}-${p} has no owner`);
  }
}

/** The current target a member can still hold: subscribed, existing, and not claimed by a member before it. */
function validCurrent(s: Scenario): Map<string, number> {
  const claimed = new Set<string>();
  const out = new Map<string, number>();
  for (const m of [...s.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    let n = 0;
    for (const [t, p] of partitionsOf(m.current)) {
      if (!m.topics.has(t) || p >= (s.counts.get(t) ?? 0) || claimed.has(tpKey(t, p))) continue;
      claimed.add(tpKey(t, p));
      n++;
    }
    out.set(m.memberId, n);
  }
  return out;
}

test('uniform, same subscriptions: valid, balanced within one, sticky, stable on its own output', () => {
  fc.assert(fc.property(scenario(true), (s) => {
    const out = uniformAssignor(s.members, s.counts);
    checkValid(s, out);
    const sizes = [...out.values()].map(partitionCount);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
    const total = sizes.reduce((a, b) => a + b, 0);
    const floor = Math.floor(total / s.members.length);
    const valid = validCurrent(s);
    for (const m of s.members) {
      const got = out.get(m.memberId)!;
      const kept = [...partitionsOf(got)].filter(([t, p]) => hasPartition(m.current, t, p)).length;
      assert.ok(kept >= Math.min(valid.get(m.memberId)!, floor), `${m.memberId} kept ${kept} of ${valid.get(m.memberId)} (share ${floor})`);
      // It gave something up only when it held more than it ends with.
      if (kept < valid.get(m.memberId)!) assert.ok(valid.get(m.memberId)! > partitionCount(got));
    }
    const again = uniformAssignor(s.members.map((m) => ({ ...m, current: out.get(m.memberId)! })), s.counts);
    assert.deepEqual(plain(again), plain(out));
  }));
});

test('uniform, different subscriptions: valid, no partition could move to a member with two fewer, stable', () => {
  fc.assert(fc.property(scenario(false), (s) => {
    const out = uniformAssignor(s.members, s.counts);
    checkValid(s, out);
    for (const giver of s.members) {
      for (const taker of s.members) {
        const a = out.get(giver.memberId)!;
        if (partitionCount(a) - partitionCount(out.get(taker.memberId)!) < 2) continue;
        for (const [t] of partitionsOf(a)) assert.ok(!taker.topics.has(t), `${t} could move from ${giver.memberId} to ${taker.memberId}`);
      }
    }
    const again = uniformAssignor(s.members.map((m) => ({ ...m, current: out.get(m.memberId)! })), s.counts);
    assert.deepEqual(plain(again), plain(out));
  }));
});

test('range: valid, contiguous ranges per topic that differ by at most one, earlier members larger', () => {
  fc.assert(fc.property(scenario(false), (s) => {
    const out = rangeAssignor(s.members, s.counts);
    checkValid(s, out);
    const order = [...s.members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    for (const [t, n] of s.counts) {
      const subscribers = order.filter((m) => m.topics.has(t));
      let next = 0;
      const sizes = subscribers.map((m) => {
        const ps = out.get(m.memberId)!.get(t) ?? [];
        ps.forEach((p, i) => assert.equal(p, next + i, `${m.memberId}'s range of ${t} is not contiguous from ${next}`));
        next += ps.length;
        return ps.length;
      });
      if (subscribers.length > 0) assert.equal(next, n);
      for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i - 1]! >= sizes[i]! && sizes[0]! - sizes[i]! <= 1);
    }
  }));
});
