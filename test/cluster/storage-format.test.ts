// The kafka-storage workflow: format every node's dirs with one id from `strait storage random-uuid`,
// start them with no cluster.id in their configs, and they form that cluster. A multi-voter node with
// neither refuses to start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runStorage } from '../../cli/commands/storage.js';
import { writeBrokerConfig, stopChild, type SpawnedBroker } from '../../cli/local-broker.js';
import { planLocalCluster, randomClusterId } from '../../cli/local-cluster.js';
import { CLUSTER_TEST_CONFIG, spawnBroker } from '../helpers/launcher.js';
import { NodeCalls, waitFor } from './cluster-kit.js';

const quiet = (): Writable => new Writable({ write: (_c, _e, done) => done() });

test('3 nodes formatted with one cluster id and no cluster.id in their configs form that cluster', async (t) => {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'strait-formatted-'));
  const started: SpawnedBroker[] = [];
  t.after(async () => {
    await Promise.all(started.map((s) => stopChild(s.child, s.exited, 2_000)));
    rmSync(baseDir, { recursive: true, force: true });
  });
  const plan = await planLocalCluster({ nodes: 3, baseDir, config: { ...CLUSTER_TEST_CONFIG } });
  const clusterId = randomClusterId();
  for (const node of plan.nodes) {
    const { 'cluster.id': _planned, ...values } = node.values;
    writeBrokerConfig(node.configFile, values);
    assert.equal(await runStorage(['format', '--config', node.configFile, '--cluster-id', clusterId], quiet(), quiet()), 0);
  }
  const results = await Promise.allSettled(plan.nodes.map((n) => spawnBroker(n.configFile, 30_000)));
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  for (const r of results) if (r.status === 'rejected') throw r.reason;

  const calls = new NodeCalls(t);
  const d = await waitFor('a controller', async () => {
    const res = await calls.describeCluster(plan.nodes[2]!);
    return res.controllerId >= 0 && res.brokers.length === 3 ? res : undefined;
  }, 15_000);
  assert.equal(d.clusterId, clusterId);
});

test('a multi-voter node with no cluster.id and no meta.properties refuses to start', async (t) => {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'strait-unformatted-'));
  t.after(() => rmSync(baseDir, { recursive: true, force: true }));
  const plan = await planLocalCluster({ nodes: 3, baseDir });
  const { 'cluster.id': _planned, ...values } = plan.nodes[0]!.values;
  writeBrokerConfig(plan.nodes[0]!.configFile, values);
  await assert.rejects(spawnBroker(plan.nodes[0]!.configFile, 20_000), /code 1\b[\s\S]*cluster/i);
});
