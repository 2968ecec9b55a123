// Two mirror workers sharing a flow through the target's group, one killed -9: the other takes its
// partitions over from their recorded positions; nothing is lost. Timing from a seed printed with every
// failure; rerun one with MIRROR_FAULT_SEED=<seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useMirrors, type MirrorProcess } from '../helpers/mirror-launcher.js';
import { between, SEED, sleep, waitForLine } from './helpers/fault-kit.js';
import {
  firstOccurrences, mirrorConfigText, readAll, startClusters, startLoad, valuesByPartition, waitCaughtUp, type TestCluster,
} from './helpers/mirror-clusters.js';

const PARTITIONS = 4;

async function createTopic(c: TestCluster, name: string, partitions = PARTITIONS): Promise<void> {
  await c.admin.createTopics([{ name, numPartitions: partitions, replicationFactor: 1 }]);
}

test(`two workers share a flow, one is killed -9 [MIRROR_FAULT_SEED=${SEED}]`, async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const mirrors = useMirrors(t);
  const config = (topic: string): { text: string } => ({ text: mirrorConfigText([A, B], ['A->B'], { topics: topic }) });
  await t.test('two workers share a flow; one is killed -9 and the other takes its partitions over', async () => {
    await createTopic(A, 'shared', 6);
    const load = startLoad(A.producer, 'shared', 'shared', 2000);
    const one = await mirrors.start({ config: config('shared') });
    const two = await mirrors.start({ config: config('shared') });
    // Both own partitions before the kill (cooperative moves after the second joined).
    const owns = (m: MirrorProcess): boolean => m.lines().some((l) => l['msg'] === 'forwarding partition');
    const deadline = Date.now() + 30_000;
    while (!(owns(one) && owns(two)) && Date.now() < deadline) await sleep(100);
    assert.ok(owns(one) && owns(two), `both workers forward [MIRROR_FAULT_SEED=${SEED}]\n${one.output()}\n${two.output()}`);
    await sleep(between(300, 1500));
    two.kill('SIGKILL');
    await two.exited;
    const before = one.lines().filter((l) => l['msg'] === 'forwarding partition').length;
    await waitForLine(one, 'forwarding partition', before + 1);
    await sleep(500);
    await load.stop();
    await waitCaughtUp(A, 'shared', B, 'A.shared', 6, 80_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${one.output()}`);
    const source = valuesByPartition(await readAll(A.bootstrap, 'shared', 6));
    const got = valuesByPartition(await readAll(B.bootstrap, 'A.shared', 6));
    for (let p = 0; p < 6; p++) assert.deepEqual(firstOccurrences(got[p]!), source[p], `partition ${p} [MIRROR_FAULT_SEED=${SEED}]`);
    t.diagnostic(`worker killed [MIRROR_FAULT_SEED=${SEED}]: ${source.flat().length} records, ${got.flat().length - source.flat().length} duplicates`);
    await one.stop();
  });
});
