// kill -9 of a mirror worker mid-stream and a restart, with real clusters and processes: nothing lost,
// and each partition re-sent from exactly the position recorded before the kill (the duplicates are
// what had not been recorded). The kill time comes from a seed printed with every failure; rerun one
// with MIRROR_FAULT_SEED=<seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { between, recordedPositions, SEED, sleep } from './helpers/fault-kit.js';
import {
  mirrorConfigText, readAll, startClusters, startLoad, valuesByPartition, waitCaughtUp, type TestCluster,
} from './helpers/mirror-clusters.js';

const PARTITIONS = 4;

async function createTopic(c: TestCluster, name: string, partitions = PARTITIONS): Promise<void> {
  await c.admin.createTopics([{ name, numPartitions: partitions, replicationFactor: 1 }]);
}

test(`mirror worker killed -9 and restarted [MIRROR_FAULT_SEED=${SEED}]`, async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const mirrors = useMirrors(t);
  const config = (topic: string): { text: string } => ({ text: mirrorConfigText([A, B], ['A->B'], { topics: topic }) });
  await t.test('kill -9 mid-stream, restart: nothing lost, each partition re-sent from its recorded position only', async () => {
    await createTopic(A, 'crash');
    const load = startLoad(A.producer, 'crash', 'crash', 2000);
    const first = await mirrors.start({ config: config('crash') });
    await sleep(between(800, 2500));
    first.kill('SIGKILL');
    await first.exited;
    const recorded = await recordedPositions(B, 'A', 'crash');
    await sleep(between(0, 1000));
    const second = await mirrors.start({ config: config('crash') });
    await sleep(500);
    await load.stop();
    await waitCaughtUp(A, 'crash', B, 'A.crash', PARTITIONS, 80_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${second.output()}`);
    const source = valuesByPartition(await readAll(A.bootstrap, 'crash', PARTITIONS));
    const target = valuesByPartition(await readAll(B.bootstrap, 'A.crash', PARTITIONS));
    let duplicates = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const s = source[p]!;
      const tgt = target[p]!;
      // The target is the source up to where the first worker got (a), then the source again from the
      // position it had recorded (r <= a): one rewind, to exactly that position.
      let a = 0;
      while (a < tgt.length && a < s.length && tgt[a] === s[a]) a++;
      const r = recorded.get(p) ?? 0;
      assert.ok(r <= a, `partition ${p}: recorded ${r} is past what the target held (${a}) [MIRROR_FAULT_SEED=${SEED}]`);
      assert.deepEqual(tgt, [...s.slice(0, a), ...s.slice(a === tgt.length ? s.length : r)], `partition ${p}: target = source[0, ${a}) + source[${r}, end) [MIRROR_FAULT_SEED=${SEED}]`);
      duplicates += tgt.length - s.length;
    }
    t.diagnostic(`kill -9 [MIRROR_FAULT_SEED=${SEED}]: ${source.flat().length} records, ${duplicates} re-sent after the restart, positions recorded ${JSON.stringify([...recorded])}`);
    await second.stop();
  });
});
