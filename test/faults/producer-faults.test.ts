// The idempotent producer against real broker processes under faults: SIGSTOP beyond
// request.timeout.ms, kill -9 and restart, every connection cut through a TCP proxy, and mixes of
// these, while SDK producers send unique values. Afterwards the whole topic is read back and checked
// against Kafka's idempotent producer contract (test/faults/delivery-checker.ts): every acknowledged
// record exactly once at its acknowledged partition and offset, no value twice, nothing that failed
// as "not written" in the log, every promise settled, every producer closed.
//
// The faults (which, when, how long) come from one seed, printed at the start and in every test name
// and assertion message. The seed fixes the plan, not the OS's scheduling, so a replay hits the same
// faults at the same times but not always the same requests.
//
//   FAULT_SEED=1234        replay a seed (default: a random one)
//   FAULT_DURATION_MS=30000  load duration of every scenario (default: each one's own, a few seconds);
//                            the number of faults grows with it
//   FAULT_RUNS=10          runs per scenario, with seeds FAULT_SEED, FAULT_SEED+1, ...
//
//   npm run build && FAULT_RUNS=5 FAULT_DURATION_MS=20000 node --test dist/test/faults/producer-faults.test.js
//   FAULT_SEED=1234 node --test --test-name-pattern='^kill-restart:' dist/test/faults/producer-faults.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport } from './delivery-checker.js';
import { faultRunSettings, runScenario, withDuration, type ScenarioSpec } from './fault-scenario.js';
import { startClusterTarget, startSingleBrokerTarget, type FaultTarget } from './fault-target.js';
import { runSeed, seedFromEnv } from './seeded-random.js';

interface Scenario {
  spec: ScenarioSpec & { title: string };
  /** How to start the target: one broker (with or without a proxy), or a cluster. */
  start: () => Promise<FaultTarget>;
}

const REQUEST_TIMEOUT_MS = 1500;
/** Well above the faults' length so that nothing expires by design; bounds how long a hung record is waited for. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Pauses must outlast request.timeout.ms: the producer gives up on the requests, the broker then executes them. */
const BEYOND_REQUEST_TIMEOUT: readonly [number, number] = [REQUEST_TIMEOUT_MS + 400, REQUEST_TIMEOUT_MS + 1000];

/** The reported case: 3 partitions, one producer at 2 records/ms. */
const base = {
  partitions: 3,
  producers: 1,
  ratePerSecond: 2000,
  durationMs: 6000,
};
const shortTimeouts = { 'request.timeout.ms': REQUEST_TIMEOUT_MS, 'delivery.timeout.ms': DELIVERY_TIMEOUT_MS };
const smallRequests = { ...shortTimeouts, 'batch.size': 300, 'max.request.size': 3000, 'max.in.flight.requests.per.connection': 5 };
const direct = (): Promise<FaultTarget> => startSingleBrokerTarget();
const proxied = (): Promise<FaultTarget> => startSingleBrokerTarget({ proxies: true });

const SCENARIOS: Scenario[] = [
  {
    spec: {
      ...base,
      name: 'no-faults',
      title: '2 producers through the proxy, nothing goes wrong (the checker passes a clean run)',
      producers: 2,
      producerSettings: shortTimeouts,
      durationMs: 2500,
      faults: undefined,
    },
    start: proxied,
  },
  {
    spec: {
      ...base,
      name: 'pause-default',
      title: 'default settings but request.timeout.ms 1500 (and delivery.timeout.ms 10000, to bound the run), SIGSTOP beyond it',
      producerSettings: shortTimeouts,
      faults: { kinds: ['pause'], maxFaults: 2, holdMs: BEYOND_REQUEST_TIMEOUT, downMs: [0, 0], gapMs: [250, 600] },
    },
    start: direct,
  },
  {
    spec: {
      ...base,
      name: 'pause-small-requests',
      title: 'batch.size 300, max.request.size 3000, 5 in flight, SIGSTOP beyond request.timeout.ms',
      producerSettings: smallRequests,
      faults: { kinds: ['pause'], maxFaults: 2, holdMs: BEYOND_REQUEST_TIMEOUT, downMs: [0, 0], gapMs: [250, 600] },
    },
    start: direct,
  },
  {
    spec: {
      ...base,
      name: 'pause-past-delivery-timeout',
      title: 'delivery.timeout.ms 3000, a SIGSTOP longer than it: records expire while their fate is unknown',
      producerSettings: { 'request.timeout.ms': REQUEST_TIMEOUT_MS, 'delivery.timeout.ms': 3000 },
      faults: { kinds: ['pause'], maxFaults: 1, holdMs: [3500, 4500], downMs: [0, 0], gapMs: [300, 800] },
    },
    start: direct,
  },
  {
    spec: {
      ...base,
      name: 'kill-restart',
      title: 'kill -9 and restart mid-stream, at a random moment or right after a pause',
      durationMs: 5000,
      producerSettings: shortTimeouts,
      faults: { kinds: ['kill', 'pause-kill'], maxFaults: 2, holdMs: [800, 1400], runMs: [20, 400], downMs: [0, 500], gapMs: [400, 1000] },
    },
    start: direct,
  },
  {
    spec: {
      ...base,
      name: 'connection-cuts',
      title: 'every connection cut through the proxy while requests are on the wire (alone, during a pause, into a blackhole)',
      durationMs: 5000,
      producerSettings: smallRequests,
      faults: { kinds: ['cut', 'pause-cut', 'blackhole'], maxFaults: 5, holdMs: [600, 1800], downMs: [0, 0], gapMs: [200, 700] },
    },
    start: proxied,
  },
  {
    spec: {
      ...base,
      name: 'two-producers-mixed',
      title: '2 producers, pauses, kill -9, cuts',
      producers: 2,
      durationMs: 5000,
      producerSettings: shortTimeouts,
      faults: { kinds: ['pause', 'kill', 'pause-kill', 'cut', 'pause-cut'], maxFaults: 3, holdMs: BEYOND_REQUEST_TIMEOUT, downMs: [0, 300], gapMs: [300, 900] },
    },
    start: proxied,
  },
  {
    spec: {
      ...base,
      name: 'cluster-3-nodes',
      title: '3 nodes each behind a proxy, 2 producers, pauses, cuts and kill -9 on any node (replication factor 1; replicated-faults.test.ts runs RF 3)',
      producers: 2,
      durationMs: 5000,
      producerSettings: shortTimeouts,
      faults: { kinds: ['pause', 'pause-cut', 'cut', 'kill'], maxFaults: 3, holdMs: BEYOND_REQUEST_TIMEOUT, downMs: [0, 300], gapMs: [300, 900] },
    },
    start: () => startClusterTarget(3, { proxies: true }),
  },
];

const settings = faultRunSettings(seedFromEnv());
process.stderr.write(`fault suite: FAULT_SEED=${settings.seed} FAULT_RUNS=${settings.runs}${settings.durationMs ? ` FAULT_DURATION_MS=${settings.durationMs}` : ''}\n`);

for (const scenario of SCENARIOS) {
  const { title, ...own } = scenario.spec;
  const spec = withDuration(own, settings.durationMs);
  for (let run = 0; run < settings.runs; run++) {
    const seed = runSeed(settings.seed, run);
    test(`${spec.name}: ${title} [FAULT_SEED=${seed}]`, async (t) => {
      const target = await scenario.start();
      t.after(() => target.stop());
      const result = await runScenario(target, spec, seed);
      const replay = `replay: FAULT_SEED=${seed}${settings.durationMs ? ` FAULT_DURATION_MS=${settings.durationMs}` : ''} node --test --test-name-pattern='^${spec.name}:' dist/test/faults/producer-faults.test.js`;
      const report = formatReport(result.report, `${result.summary}\n${replay}`);
      for (const line of report.split('\n')) t.diagnostic(line);
      if (spec.faults) assert.ok(result.events.length > 0, `no fault was carried out\n${report}`);
      assert.ok(result.report.counts.acked > 0, `nothing was acknowledged\n${report}`);
      assert.equal(result.report.violations.length, 0, report);
    });
  }
}
