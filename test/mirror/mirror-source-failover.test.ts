// A source leader failover while mirroring: the source is a 3-node cluster with the topic on 3
// replicas; the node leading most of its partitions is killed -9 mid-stream and restarted later. The
// mirror's fetches move to the new leaders and the target ends with every source record, in order
// (duplicates allowed: at least once). The kill time comes from a seed printed with every failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterNodeProcess } from '../helpers/launcher.js';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { firstOccurrences, mirrorConfigText, readAll, startClusters, startLoad, valuesByPartition, waitCaughtUp, type TestCluster } from './helpers/mirror-clusters.js';

const SEED = Number(process.env['MIRROR_FAULT_SEED'] ?? Math.floor(Math.random() * 0xffff_ffff));
const PARTITIONS = 3;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test(`source leader failover while mirroring [MIRROR_FAULT_SEED=${SEED}]`, async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'], { A: 3 })) as Record<'A' | 'B', TestCluster>;
  await A.admin.createTopics([{ name: 'led', numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }]);
  const m = await useMirrors(t).start({ config: { text: mirrorConfigText([A, B], ['A->B'], { topics: 'led' }) } });
  const load = startLoad(A.producer, 'led', 'led', 2000);
  await sleep(1000 + (SEED % 1500));
  const [described] = await A.admin.describeTopics(['led']);
  const leaders = described!.partitions.map((p) => p.leaderId);
  const busiest = [...new Set(leaders)].sort((x, y) => leaders.filter((l) => l === y).length - leaders.filter((l) => l === x).length)[0]!;
  const victim = A.nodes.find((n) => (n as ClusterNodeProcess).nodeId === busiest) as ClusterNodeProcess;
  assert.ok(victim, `the leader ${busiest} is one of A's nodes`);
  victim.kill('SIGKILL');
  await victim.exited;
  await sleep(3000);
  await victim.restart();
  await sleep(1000);
  const written = await load.stop();
  await waitCaughtUp(A, 'led', B, 'A.led', PARTITIONS, 80_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${m.output()}`);
  const source = valuesByPartition(await readAll(A.bootstrap, 'led', PARTITIONS));
  const got = valuesByPartition(await readAll(B.bootstrap, 'A.led', PARTITIONS));
  assert.equal(source.flat().length, written, 'the source holds every acknowledged record once');
  for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(firstOccurrences(got[p]!), source[p], `partition ${p} [MIRROR_FAULT_SEED=${SEED}]`);
  t.diagnostic(`leader ${busiest} killed [MIRROR_FAULT_SEED=${SEED}]: ${written} records, ${got.flat().length - written} duplicates on the target`);
  await m.stop();
});
