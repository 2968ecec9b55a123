// The nemesis plan is a pure function of the seed: the same seed gives the same faults, every fault
// fits the window and its ranges, the count is bounded; the seed is read from FAULT_SEED strictly.
// A plan is checked against the target before any fault: proxy faults need a proxy on their node,
// role faults (victim looked up when they come due) need a RoleLookup, and a cut of "the leader"
// needs a proxy on every node, since any node may lead by then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { faultLength, planFaults, validatePlan, type NemesisOptions, type PlannedFault, type RoleLookup } from './nemesis.js';
import { SeededRandom, runSeed, seedFromEnv } from './seeded-random.js';

const options: NemesisOptions = {
  kinds: ['pause', 'kill', 'pause-kill', 'cut', 'pause-cut', 'blackhole', 'kill-leader', 'pause-follower', 'kill-controller', 'cut-leader'],
  windowMs: 6000,
  maxFaults: 4,
  holdMs: [1900, 2500],
  downMs: [0, 500],
  gapMs: [250, 600],
  nodes: 3,
  partitions: 3,
};
const HOLDING = ['pause', 'pause-kill', 'pause-cut', 'blackhole', 'pause-follower'];
const KILLING = ['kill', 'pause-kill', 'kill-leader', 'kill-controller'];
const ROLES = ['kill-leader', 'pause-follower', 'kill-controller', 'cut-leader'];
const ABOUT_A_PARTITION = ['kill-leader', 'pause-follower', 'cut-leader'];

test('the same seed gives the same plan; other seeds give other plans', () => {
  const a = planFaults(new SeededRandom(99), options);
  assert.deepEqual(planFaults(new SeededRandom(99), options), a);
  const distinct = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(planFaults(new SeededRandom(s), options))));
  assert.ok(distinct.size > 15, `${distinct.size} distinct plans of 20`);
});

test('property: every planned fault fits the window and its ranges, in order, at most maxFaults', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 500, max: 60_000 }), fc.integer({ min: 0, max: 20 }), (seed, windowMs, maxFaults) => {
    const plan = planFaults(new SeededRandom(seed), { ...options, windowMs, maxFaults });
    assert.ok(plan.length <= maxFaults);
    let end = 0;
    for (const f of plan) {
      assert.ok(f.atMs >= end + options.gapMs[0], `${f.atMs} after ${end}`);
      assert.ok(f.atMs + faultLength(f) <= windowMs);
      assert.ok(ROLES.includes(f.kind) ? f.node === -1 : f.node >= 0 && f.node < options.nodes, `${f.kind} node ${f.node}`);
      assert.ok(ABOUT_A_PARTITION.includes(f.kind) ? f.partition >= 0 && f.partition < options.partitions! : f.partition === -1, `${f.kind} partition ${f.partition}`);
      assert.ok(f.kind === 'pause-follower' ? f.pick >= 0 : f.pick === 0, `${f.kind} pick ${f.pick}`);
      const within = (v: number, [lo, hi]: readonly [number, number], applies: boolean): boolean => (applies ? v >= lo && v <= hi : v === 0);
      assert.ok(within(f.holdMs, options.holdMs, HOLDING.includes(f.kind)), `${f.kind} hold ${f.holdMs}`);
      assert.ok(within(f.runMs, [0, 50], f.kind === 'pause-kill'), `${f.kind} run ${f.runMs}`);
      assert.ok(within(f.downMs, options.downMs, KILLING.includes(f.kind)), `${f.kind} down ${f.downMs}`);
      end = f.atMs + faultLength(f);
    }
  }));
});

test('a window big enough for one fault always gets one', () => {
  for (let seed = 0; seed < 200; seed++) {
    const plan = planFaults(new SeededRandom(seed), { ...options, kinds: ['pause-kill'], windowMs: options.gapMs[1] + options.holdMs[1] + 50 + options.downMs[1] });
    assert.ok(plan.length >= 1, `seed ${seed}`);
  }
});

test('FAULT_SEED is read strictly; runs move on from it', () => {
  assert.equal(seedFromEnv({ FAULT_SEED: '1234' }), 1234);
  assert.equal(seedFromEnv({ FAULT_SEED: '4294967295' }), 4294967295);
  for (const bad of ['-1', '1e3', 'abc', '4294967296', '1.5']) assert.throws(() => seedFromEnv({ FAULT_SEED: bad }), /FAULT_SEED/, bad);
  const random = seedFromEnv({});
  assert.ok(Number.isInteger(random) && random >= 0 && random <= 0xffff_ffff);
  assert.equal(runSeed(4294967295, 1), 0);
});

test('the role faults of a replicated scenario need the partition count; every partition and follower gets picked', () => {
  assert.throws(() => planFaults(new SeededRandom(1), { ...options, partitions: undefined }), /kill-leader, pause-follower, cut-leader need the topic's partition count/);
  assert.ok(planFaults(new SeededRandom(1), { ...options, kinds: ['kill-controller', 'pause'], partitions: undefined }).length > 0);
  const seen = new Set<string>();
  for (let seed = 0; seed < 100; seed++) {
    for (const f of planFaults(new SeededRandom(seed), { ...options, kinds: ['pause-follower'] })) seen.add(`p${f.partition} follower ${f.pick % 2}`);
  }
  assert.deepEqual([...seen].sort(), ['p0 follower 0', 'p0 follower 1', 'p1 follower 0', 'p1 follower 1', 'p2 follower 0', 'p2 follower 1']);
});

test('a plan is refused when a fault needs a proxy its node lacks, or names a node the target lacks', () => {
  const nodes = [{ name: 'node 1', proxy: undefined }];
  const pause: PlannedFault = { atMs: 0, kind: 'pause', node: 0, partition: -1, pick: 0, holdMs: 2000, runMs: 0, downMs: 0 };
  validatePlan([pause], nodes);
  assert.throws(() => validatePlan([pause, { ...pause, atMs: 3000, kind: 'cut', holdMs: 0 }], nodes), /cut needs a proxy in front of node 1/);
  assert.throws(() => validatePlan([{ ...pause, node: 1 }], nodes), /names node #1; the target has 1/);
});

test('a role fault is refused without a RoleLookup; a cut of the leader needs a proxy on every node', () => {
  const roles: RoleLookup = { leaderOf: async () => 1, followersOf: async () => [2, 3], activeController: async () => 1 };
  const killLeader: PlannedFault = { atMs: 0, kind: 'kill-leader', node: -1, partition: 0, pick: 0, holdMs: 0, runMs: 0, downMs: 100 };
  const nodes = [{ name: 'node 1', proxy: undefined }, { name: 'node 2', proxy: undefined }];
  validatePlan([killLeader], nodes, roles);
  assert.throws(() => validatePlan([killLeader], nodes), /kill-leader@0ms\(leader of p0, down 100ms\) picks its victim from the cluster's metadata/);
  assert.throws(() => validatePlan([{ ...killLeader, kind: 'cut-leader', downMs: 0 }], nodes, roles), /cut-leader needs a proxy in front of node 1/);
});
