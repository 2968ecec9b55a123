// The nemesis plan is a pure function of the seed: the same seed gives the same faults, every fault
// fits the window and its ranges, the count is bounded; the seed is read from FAULT_SEED strictly.
// A plan is checked against the target before any fault: proxy faults need a proxy on their node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { faultLength, planFaults, validatePlan, type NemesisOptions } from './nemesis.js';
import { SeededRandom, runSeed, seedFromEnv } from './seeded-random.js';

const options: NemesisOptions = {
  kinds: ['pause', 'kill', 'pause-kill', 'cut', 'pause-cut', 'blackhole'],
  windowMs: 6000,
  maxFaults: 4,
  holdMs: [1900, 2500],
  downMs: [0, 500],
  gapMs: [250, 600],
  nodes: 3,
};

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
      assert.ok(f.node >= 0 && f.node < options.nodes);
      const within = (v: number, [lo, hi]: readonly [number, number], applies: boolean): boolean => (applies ? v >= lo && v <= hi : v === 0);
      assert.ok(within(f.holdMs, options.holdMs, ['pause', 'pause-kill', 'pause-cut', 'blackhole'].includes(f.kind)), `${f.kind} hold ${f.holdMs}`);
      assert.ok(within(f.runMs, [0, 50], f.kind === 'pause-kill'), `${f.kind} run ${f.runMs}`);
      assert.ok(within(f.downMs, options.downMs, f.kind === 'kill' || f.kind === 'pause-kill'), `${f.kind} down ${f.downMs}`);
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

test('a plan is refused when a fault needs a proxy its node lacks, or names a node the target lacks', () => {
  const nodes = [{ name: 'node 1', proxy: undefined }];
  const pause = { atMs: 0, kind: 'pause' as const, node: 0, holdMs: 2000, runMs: 0, downMs: 0 };
  validatePlan([pause], nodes);
  assert.throws(() => validatePlan([pause, { ...pause, atMs: 3000, kind: 'cut', holdMs: 0 }], nodes), /cut needs a proxy in front of node 1/);
  assert.throws(() => validatePlan([{ ...pause, node: 1 }], nodes), /names node #1; the target has 1/);
});
