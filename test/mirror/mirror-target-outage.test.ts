// The target cluster killed -9 and restarted while mirroring, with real clusters and processes: the
// mirror retries, catches up, nothing is lost and order is kept. Timing from a seed printed with every
// failure; rerun one with MIRROR_FAULT_SEED=<seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { between, SEED, sleep } from './helpers/fault-kit.js';
import {
  firstOccurrences, mirrorConfigText, readAll, startClusters, startLoad, valuesByPartition, waitCaughtUp, type TestCluster,
} from './helpers/mirror-clusters.js';

const PARTITIONS = 4;

async function createTopic(c: TestCluster, name: string, partitions = PARTITIONS): Promise<void> {
  await c.admin.createTopics([{ name, numPartitions: partitions, replicationFactor: 1 }]);
}

test(`the target cluster down for a while [MIRROR_FAULT_SEED=${SEED}]`, async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const mirrors = useMirrors(t);
  const config = (topic: string): { text: string } => ({ text: mirrorConfigText([A, B], ['A->B'], { topics: topic }) });
  await t.test('the target down for a while: the mirror retries and catches up, nothing lost, order kept', async () => {
    await createTopic(A, 'outage');
    const m = await mirrors.start({ config: config('outage') });
    const load = startLoad(A.producer, 'outage', 'outage', 2000);
    await sleep(between(500, 1500));
    const target = B.nodes[0]!;
    target.kill('SIGKILL');
    await target.exited;
    await sleep(between(2000, 4000));
    await target.restart();
    await sleep(1000);
    await load.stop();
    await waitCaughtUp(A, 'outage', B, 'A.outage', PARTITIONS, 80_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${m.output()}`);
    const source = valuesByPartition(await readAll(A.bootstrap, 'outage', PARTITIONS));
    const got = valuesByPartition(await readAll(B.bootstrap, 'A.outage', PARTITIONS));
    for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(firstOccurrences(got[p]!), source[p], `partition ${p} [MIRROR_FAULT_SEED=${SEED}]`);
    t.diagnostic(`target outage [MIRROR_FAULT_SEED=${SEED}]: ${source.flat().length} records, ${got.flat().length - source.flat().length} duplicates`);
    await m.stop();
  });
});
