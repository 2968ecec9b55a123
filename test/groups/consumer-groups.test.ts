// The consumer-group scenarios of issue 8 on the client side (scenarios.ts) against real broker
// processes serving the Groups service: members in this process and in their own (killed with -9),
// the SDK, and the strait CLI as Kafka users type it.
import { test } from 'node:test';
import { groupCluster } from './group-env.js';
import { SCENARIOS } from './scenarios.js';

test('consumer-group scenarios against a broker', async (t) => {
  const cluster = await groupCluster(t);
  for (const s of SCENARIOS) await t.test(s.name, (st) => s.run(st, cluster));
});
