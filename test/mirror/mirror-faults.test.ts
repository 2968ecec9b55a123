// The mirror under faults, with real clusters and processes: kill -9 of the worker mid-stream and a
// restart (nothing lost; each partition re-sent exactly from the position recorded before the kill:
// the duplicates are what had not been recorded), the target cluster down for a while (retried,
// caught up, nothing lost, order kept), and two workers sharing a flow, one killed -9 (the other takes
// its partitions over from their recorded positions). The kill times come from a seed, printed with
// every failure; rerun one with MIRROR_FAULT_SEED=<seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePosition } from '../../mirror/flow/source-positions.js';
import { useMirrors, type MirrorProcess } from '../helpers/mirror-launcher.js';
import {
  firstOccurrences, mirrorConfigText, readAll, startClusters, startLoad, valuesByPartition, waitCaughtUp, type TestCluster,
} from './helpers/mirror-clusters.js';

const SEED = Number(process.env['MIRROR_FAULT_SEED'] ?? Math.floor(Math.random() * 0xffff_ffff));
/** mulberry32: the same delays for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);
const between = (min: number, max: number): number => Math.round(min + rand() * (max - min));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PARTITIONS = 4;

/** The positions the workers recorded on the target for the source topic, by partition. */
async function recordedPositions(target: TestCluster, sourceAlias: string, topic: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const r of (await readAll(target.bootstrap, `mm2-offsets.${sourceAlias}.internal`, 5)).flat()) {
    const key = JSON.parse(r.key!.toString()) as { topic: string; partition: number };
    const next = r.value === null ? undefined : parsePosition(r.value);
    if (key.topic === topic && next !== undefined) out.set(key.partition, next);
  }
  return out;
}

async function createTopic(c: TestCluster, name: string, partitions = PARTITIONS): Promise<void> {
  await c.admin.createTopics([{ name, numPartitions: partitions, replicationFactor: 1 }]);
}

function waitForLine(m: MirrorProcess, msg: string, count: number, timeoutMs = 30_000): Promise<void> {
  return (async () => {
    const deadline = Date.now() + timeoutMs;
    while (m.lines().filter((l) => l['msg'] === msg).length < count) {
      if (Date.now() > deadline) assert.fail(`no ${count} "${msg}" lines after ${timeoutMs} ms [MIRROR_FAULT_SEED=${SEED}]\n${m.output()}`);
      await sleep(100);
    }
  })();
}

test(`mirror faults [MIRROR_FAULT_SEED=${SEED}]`, async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  const mirrors = useMirrors(t);
  const config = (topic: string): { text: string } => ({ text: mirrorConfigText([A, B], ['A->B'], { topics: topic }) });

  await t.test('kill -9 mid-stream, restart: nothing lost, each partition re-sent from its recorded position only', async () => {
    await createTopic(A, 'crash');
    const load = startLoad(A.producer, 'crash', 'crash', 3000);
    const first = await mirrors.start({ config: config('crash') });
    await sleep(between(800, 2500));
    first.kill('SIGKILL');
    await first.exited;
    const recorded = await recordedPositions(B, 'A', 'crash');
    await sleep(between(0, 1000));
    const second = await mirrors.start({ config: config('crash') });
    await sleep(500);
    await load.stop();
    await waitCaughtUp(A, 'crash', B, 'A.crash', PARTITIONS, 90_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${second.output()}`);
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
    await waitCaughtUp(A, 'outage', B, 'A.outage', PARTITIONS, 120_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${m.output()}`);
    const source = valuesByPartition(await readAll(A.bootstrap, 'outage', PARTITIONS));
    const got = valuesByPartition(await readAll(B.bootstrap, 'A.outage', PARTITIONS));
    for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(firstOccurrences(got[p]!), source[p], `partition ${p} [MIRROR_FAULT_SEED=${SEED}]`);
    t.diagnostic(`target outage [MIRROR_FAULT_SEED=${SEED}]: ${source.flat().length} records, ${got.flat().length - source.flat().length} duplicates`);
    await m.stop();
  });

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
    await waitCaughtUp(A, 'shared', B, 'A.shared', 6, 90_000, () => `[MIRROR_FAULT_SEED=${SEED}]\n${one.output()}`);
    const source = valuesByPartition(await readAll(A.bootstrap, 'shared', 6));
    const got = valuesByPartition(await readAll(B.bootstrap, 'A.shared', 6));
    for (let p = 0; p < 6; p++) assert.deepEqual(firstOccurrences(got[p]!), source[p], `partition ${p} [MIRROR_FAULT_SEED=${SEED}]`);
    t.diagnostic(`worker killed [MIRROR_FAULT_SEED=${SEED}]: ${source.flat().length} records, ${got.flat().length - source.flat().length} duplicates`);
    await one.stop();
  });
});
