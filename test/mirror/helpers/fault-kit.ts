// Seeded timing for the mirror's fault tests (the seed is printed in each test's name; rerun one with
// MIRROR_FAULT_SEED=<seed>), and what they read back: the positions workers recorded on the target,
// and a wait for a worker's log lines.
import assert from 'node:assert/strict';
import { seededRandom } from '../../../broker/controller/placement.js';
import { parsePosition } from '../../../mirror/flow/source-positions.js';
import type { MirrorProcess } from '../../helpers/mirror-launcher.js';
import { readAll, type TestCluster } from './mirror-clusters.js';

export const SEED = Number(process.env['MIRROR_FAULT_SEED'] ?? Math.floor(Math.random() * 0xffff_ffff));

// The same delays for the same seed.
const rand = seededRandom(SEED);

/** A seeded delay in [min, max] ms. */
export const between = (min: number, max: number): number => Math.round(min + rand() * (max - min));
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The positions the workers recorded on the target for the source topic, by partition. */
export async function recordedPositions(target: TestCluster, sourceAlias: string, topic: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const r of (await readAll(target.bootstrap, `mm2-offsets.${sourceAlias}.internal`, 5)).flat()) {
    const key = JSON.parse(r.key!.toString()) as { topic: string; partition: number };
    const next = r.value === null ? undefined : parsePosition(r.value);
    if (key.topic === topic && next !== undefined) out.set(key.partition, next);
  }
  return out;
}

/** Waits (bounded) until the worker logged `count` lines with this message. */
export async function waitForLine(m: MirrorProcess, msg: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (m.lines().filter((l) => l['msg'] === msg).length < count) {
    if (Date.now() > deadline) assert.fail(`no ${count} "${msg}" lines after ${timeoutMs} ms [MIRROR_FAULT_SEED=${SEED}]\n${m.output()}`);
    await sleep(100);
  }
}
