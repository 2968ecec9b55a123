// The consumer-group scenarios (scenarios.ts) against the fake coordinator in front of a real broker:
// the client side proven before the broker side exists. When the broker side lands, the same
// scenarios run against it in consumer-groups.test.ts and this file can go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeGroupCluster } from './group-env.js';
import { SCENARIOS } from './scenarios.js';

test('consumer-group scenarios against the fake coordinator', async (t) => {
  const cluster = await fakeGroupCluster(t, { heartbeatIntervalMs: 200, sessionTimeoutMs: 6000 });
  t.after(() => assert.deepEqual(cluster.fake.groups.violations, [], 'a partition was held by two members'));
  for (const s of SCENARIOS) await t.test(s.name, (st) => s.run(st, cluster));
});
