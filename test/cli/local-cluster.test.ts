// The local cluster plan: distinct ports, one cluster id, voters over the first nodes, roles, racks,
// and an existing data dir's cluster id kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickFreePorts, planLocalCluster, isClusterId, randomClusterId } from '../../cli/local-cluster.js';
import { writeMetaProperties } from '../../broker/log/index.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('pickFreePorts gives distinct bindable ports', async () => {
  const ports = await pickFreePorts(5);
  assert.equal(new Set(ports).size, 5);
  for (const p of ports) assert.ok(p > 0 && p < 65_536);
});

test('5 nodes: the first 3 are combined voters, the rest brokers, one cluster id in every config', async (t) => {
  const baseDir = tempDir(t);
  const plan = await planLocalCluster({ nodes: 5, baseDir, rackAware: true, config: { 'broker.session.timeout.ms': '2000' } });
  assert.ok(isClusterId(plan.clusterId));
  assert.deepEqual(plan.nodes.map((n) => n.nodeId), [1, 2, 3, 4, 5]);
  assert.deepEqual(plan.nodes.map((n) => n.roles.join(',')), ['broker,controller', 'broker,controller', 'broker,controller', 'broker', 'broker']);
  assert.equal(new Set(plan.nodes.map((n) => n.port)).size, 5);
  assert.equal(plan.voters, plan.nodes.slice(0, 3).map((n) => `${n.nodeId}@127.0.0.1:${n.port}`).join(','));
  assert.equal(plan.bootstrap, plan.nodes.map((n) => n.address).join(','));
  assert.deepEqual(plan.nodes.map((n) => n.rack), ['rack-a', 'rack-b', 'rack-c', 'rack-a', 'rack-b']);
  for (const n of plan.nodes) {
    const text = readFileSync(n.configFile, 'utf8');
    assert.match(text, new RegExp(`^controller.quorum.voters=${plan.voters}$`, 'm'));
    assert.match(text, new RegExp(`^cluster.id=${plan.clusterId}$`, 'm'));
    assert.match(text, new RegExp(`^process.roles=${n.roles.join(',')}$`, 'm'));
    assert.match(text, /^broker.session.timeout.ms=2000$/m);
    assert.match(text, new RegExp(`^listeners=PLAINTEXT://127.0.0.1:${n.port}$`, 'm'));
  }
});

test('base port and controller count; an existing data dir keeps its cluster id', async (t) => {
  const baseDir = tempDir(t);
  writeMetaProperties(path.join(baseDir, 'node-1', 'data'), { nodeId: 1, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', version: 1 });
  const plan = await planLocalCluster({ nodes: 2, controllers: 1, baseDir, basePort: 40_100 });
  assert.equal(plan.clusterId, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.deepEqual(plan.nodes.map((n) => n.port), [40_100, 40_101]);
  assert.equal(plan.voters, '1@127.0.0.1:40100');
  assert.equal(plan.nodes[1]!.values['metrics.listener'], 'http://127.0.0.1:40201');
  await assert.rejects(planLocalCluster({ nodes: 2, controllers: 3, baseDir }), RangeError);
  await assert.rejects(planLocalCluster({ nodes: 0, baseDir }), RangeError);
  await assert.rejects(planLocalCluster({ nodes: 2, baseDir, basePort: 65_535 }), RangeError);
});

test('random cluster ids are valid and never start with a dash (they go on command lines)', () => {
  // One id in 64 would start with '-' without the rule; 2,000 draws miss that with odds of 1e-14.
  for (let i = 0; i < 2000; i++) {
    const id = randomClusterId();
    assert.ok(isClusterId(id), id);
    assert.ok(!id.startsWith('-'), id);
  }
});
