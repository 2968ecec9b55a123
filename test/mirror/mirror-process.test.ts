// `strait mirror` as a process: a bad config, a file enabling no flow and an unknown --clusters alias
// stop start-up with exit 1 and one clear line; --clusters keeps the flows into those clusters; the
// metrics endpoint serves the mirror's metrics; SIGTERM drains (exit 0) with every forwarded
// partition's position written to mm2-offsets.<source>.internal on the target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePosition } from '../../mirror/flow/source-positions.js';
import { useMirrors } from '../helpers/mirror-launcher.js';
import { runStrait } from '../helpers/run-strait.js';
import { mirrorConfigText, produceNumbered, readAll, startClusters, waitForRecords, type TestCluster } from './helpers/mirror-clusters.js';

function tempFile(t: { after(fn: () => void): void }, name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('strait mirror refuses what it cannot run, with exit 1 and the reason', async (t) => {
  const base = 'clusters = A, B\nA.bootstrap.servers = 127.0.0.1:1\nB.bootstrap.servers = 127.0.0.1:2\n';
  const bad = await runStrait(['mirror', '--config', tempFile(t, 'bad.properties', `${base}A->B.enabled = true\nA->B.offset.lag.max = lots\n`)]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /offset\.lag\.max/);
  assert.match(bad.stderr, /bad\.properties:5 /);
  const none = await runStrait(['mirror', '--config', tempFile(t, 'none.properties', base)]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /enables no flow/);
  const unknown = await runStrait(['mirror', '--config', tempFile(t, 'ok.properties', `${base}A->B.enabled = true\n`), '--clusters', 'Z']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /--clusters names Z/);
});

test('strait mirror runs the flows asked for, serves metrics, and drains on SIGTERM', async (t) => {
  const { A, B } = (await startClusters(t, ['A', 'B'])) as Record<'A' | 'B', TestCluster>;
  await A.admin.createTopics([{ name: 'drained', numPartitions: 2, replicationFactor: 1 }]);
  await B.admin.createTopics([{ name: 'not-mirrored', numPartitions: 1, replicationFactor: 1 }]);
  await produceNumbered(A.producer, 'drained', 'd', 500);
  await produceNumbered(B.producer, 'not-mirrored', 'n', 10);
  // Both directions enabled, but this worker runs only the flow into B.
  const m = await useMirrors(t).start({ config: { text: mirrorConfigText([A, B], ['A->B', 'B->A'], { 'offset.flush.interval.ms': '60000' }) }, args: ['--clusters', 'B'] });
  assert.deepEqual(m.lines().find((l) => l['msg'] === 'mirror started')?.['flows'], ['A->B']);
  await waitForRecords(B.admin, 'A.drained', 500, 60_000, () => m.output());
  const metrics = await (await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`)).text();
  assert.match(metrics, /strait_mirror_records_total\{[^}]*source="A",target="B",topic="drained"[^}]*\} \d+/);
  assert.equal((await fetch(`http://127.0.0.1:${m.metricsPort}/readyz`)).status, 200);
  // With a 60 s flush interval nothing need be written yet; the drain writes every position.
  const exit = await m.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, m.output());
  const positions = new Map<number, number>();
  for (const r of (await readAll(B.bootstrap, 'mm2-offsets.A.internal', 5)).flat()) {
    const key = JSON.parse(r.key!.toString()) as { topic: string; partition: number };
    if (key.topic === 'drained') positions.set(key.partition, parsePosition(r.value!)!);
  }
  const ends = await A.admin.listOffsets([0, 1].map((partition) => ({ topic: 'drained', partition, timestamp: -1 })));
  assert.deepEqual([positions.get(0), positions.get(1)], ends.map((e) => e.offset));
  assert.equal((await A.admin.listTopics()).includes('B.not-mirrored'), false, 'the flow into A did not run');
});
