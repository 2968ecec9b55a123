// Replicated partitions under faults (issue 7, DESIGN §7 and §12): 3 nodes, all combined
// broker+controller voters, each behind a fault proxy; a topic of 3 partitions with
// replication factor 3, min.insync.replicas=2 and unclean leader election off; SDK producers with
// the default contract (acks=all, idempotent) sending unique values. The nemesis picks its victims
// from the live cluster's metadata when each fault comes due: the leader of a partition (kill -9,
// restarted after a seeded delay), a follower of a partition (SIGSTOP past replica.lag.time.max.ms,
// then SIGCONT), the active controller (kill -9 and restart), and cuts of the leader's connections.
// Faults come one after another, so at most one replica of any partition is down or frozen at once:
// replication.factor - min.insync.replicas = 1, the bound within which no acknowledged record may
// be lost. (Beyond it, losing acknowledged records is allowed; no scenario here goes there.)
//
// After the faults stop: every fault healed; every promise settled; the producers closed; a bounded
// wait until every partition's ISR is whole again and its replicas report the same log end; the
// topic read back through the SDK consumer and checked (delivery-checker.ts); then every node
// stopped cleanly and each node's copy of each partition read from its segment files and checked on
// its own (every acknowledged record once at its acknowledged offset, no value twice, nothing that
// failed as "not written") and against the other copies (same offsets, same batches byte for byte),
// replica-checker.ts.
//
//   FAULT_SEED=1234          replay a seed (default: a random one, printed)
//   FAULT_DURATION_MS=60000  load duration of every scenario (default 12 s); the fault count grows with it
//   FAULT_RUNS=10            runs per scenario, with seeds FAULT_SEED, FAULT_SEED+1, ...
//
//   npm run build && FAULT_RUNS=3 FAULT_DURATION_MS=40000 node --test dist/test/faults/replicated-faults.test.js
//   FAULT_SEED=1234 node --test --test-name-pattern='^replicated-leader-kills:' dist/test/faults/replicated-faults.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport } from './delivery-checker.js';
import { faultRunSettings, runScenario, withDuration, type ScenarioSpec } from './fault-scenario.js';
import { startClusterTarget } from './fault-target.js';
import { formatReplicaReport } from './replica-checker.js';
import { runSeed, seedFromEnv } from './seeded-random.js';

/** A follower that has not caught up for this long leaves the ISR (Kafka's default is 30 s). */
const REPLICA_LAG_TIME_MAX_MS = 1000;
/** Above the lag bound, so that a short freeze shrinks the ISR by lag and only a long one also fences the node. */
const BROKER_SESSION_TIMEOUT_MS = 3000;
const CLUSTER_CONFIG = {
  'replica.lag.time.max.ms': String(REPLICA_LAG_TIME_MAX_MS),
  'broker.session.timeout.ms': String(BROKER_SESSION_TIMEOUT_MS),
};
const TOPIC_CONFIGS = { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' };
const PRODUCER_SETTINGS = { 'request.timeout.ms': 2000, 'delivery.timeout.ms': 10_000 };

const base = {
  partitions: 3,
  replicationFactor: 3,
  topicConfigs: TOPIC_CONFIGS,
  checkReplicas: true,
  producers: 2,
  producerSettings: PRODUCER_SETTINGS,
  ratePerSecond: 2000,
  durationMs: 12_000,
};

const SCENARIOS: (ScenarioSpec & { title: string })[] = [
  {
    ...base,
    name: 'replicated-leader-kills',
    title: 'the leader of a partition killed with -9 every few seconds (restarted after 0.2-1.2 s), now and then its connections cut',
    faults: { kinds: ['kill-leader', 'kill-leader', 'kill-leader', 'cut-leader'], maxFaults: 6, holdMs: [0, 0], downMs: [200, 1200], gapMs: [1000, 2500] },
  },
  {
    ...base,
    name: 'replicated-follower-controller',
    title: `a follower frozen past replica.lag.time.max.ms ${REPLICA_LAG_TIME_MAX_MS} ms, the active controller killed with -9, a leader killed, connections cut`,
    faults: {
      kinds: ['pause-follower', 'kill-controller', 'cut-leader', 'kill-leader'], maxFaults: 5,
      holdMs: [REPLICA_LAG_TIME_MAX_MS + 500, BROKER_SESSION_TIMEOUT_MS + 1000], downMs: [200, 1000], gapMs: [800, 2000],
    },
  },
];

const settings = faultRunSettings(seedFromEnv());
process.stderr.write(`replicated fault suite: FAULT_SEED=${settings.seed} FAULT_RUNS=${settings.runs}${settings.durationMs ? ` FAULT_DURATION_MS=${settings.durationMs}` : ''}\n`);

for (const { title, ...own } of SCENARIOS) {
  const spec = withDuration(own, settings.durationMs);
  for (let run = 0; run < settings.runs; run++) {
    const seed = runSeed(settings.seed, run);
    test(`${spec.name}: ${title} [FAULT_SEED=${seed}]`, async (t) => {
      const target = await startClusterTarget(3, { proxies: true, config: CLUSTER_CONFIG });
      t.after(() => target.stop());
      const result = await runScenario(target, spec, seed);
      const replay = `replay: FAULT_SEED=${seed}${settings.durationMs ? ` FAULT_DURATION_MS=${settings.durationMs}` : ''} node --test --test-name-pattern='^${spec.name}:' dist/test/faults/replicated-faults.test.js`;
      const report = `${formatReport(result.report, `${result.summary}\n${replay}`)}\n${result.replicas ? formatReplicaReport(result.replicas) : 'replicas not checked'}`;
      for (const line of report.split('\n')) t.diagnostic(line);
      assert.ok(result.events.some((e) => e.victim !== undefined), `no fault found a victim\n${report}`);
      assert.ok(result.report.counts.acked > 0, `nothing was acknowledged\n${report}`);
      assert.equal(result.report.violations.length, 0, report);
      assert.ok(result.replicas, report);
      assert.equal(result.replicas.total, 0, report);
    });
  }
}
