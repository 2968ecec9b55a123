// The ready configs in config/mirror load without a warning and describe the topology their names say,
// on the local addresses `strait cluster --base-port 9092 / 9292 / 9492` gives three clusters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowPolicy, loadMirrorConfigFile, type MirrorConfig } from '../../../mirror/index.js';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../config/mirror');
const load = (name: string): MirrorConfig => loadMirrorConfigFile(path.join(CONFIG_DIR, name));
const flowNames = (config: MirrorConfig): string[] => config.flows.map((f) => `${f.source}->${f.target}`);

/** `strait cluster --brokers 3 --base-port P`: gRPC on P, P+1, P+2. */
const LOCAL = {
  A: '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
  B: '127.0.0.1:9292,127.0.0.1:9293,127.0.0.1:9294',
  C: '127.0.0.1:9492,127.0.0.1:9493,127.0.0.1:9494',
};

function assertClean(config: MirrorConfig): void {
  assert.deepEqual(config.warnings, [], `${config.file} loads without a warning`);
  assert.deepEqual(config.unknownKeys, []);
  for (const alias of config.clusters) {
    assert.equal(config.clusterSettings[alias]!.bootstrapServers, LOCAL[alias as keyof typeof LOCAL], `${config.file}: ${alias}`);
  }
  for (const flow of config.flows) assert.equal(flow.replicationFactor, 3, 'remote topics get the 3-node clusters\' replication factor');
}

test('active-passive: A->B, with group offsets synced to B for failover', () => {
  const config = load('active-passive.properties');
  assertClean(config);
  assert.deepEqual(config.clusters, ['A', 'B']);
  assert.deepEqual(flowNames(config), ['A->B']);
  assert.equal(config.flows[0]!.syncGroupOffsets, true);
  assert.deepEqual(config.heartbeatOnlyFlows.map((f) => `${f.source}->${f.target}`), ['B->A']);
});

test('active-active: A->B and B->A, and neither sends the other\'s topics back', () => {
  const config = load('active-active.properties');
  assertClean(config);
  assert.deepEqual(flowNames(config), ['A->B', 'B->A']);
  const [ab, ba] = config.flows.map((f) => new FlowPolicy(f));
  assert.ok(!ba!.shouldReplicateTopic(ab!.remoteTopic('orders')));
  assert.ok(!ab!.shouldReplicateTopic(ba!.remoteTopic('orders')));
  assert.ok(config.flows.every((f) => f.syncGroupOffsets));
});

test('active-active.yaml is active-active.properties in YAML', () => {
  const yaml = load('active-active.yaml');
  assertClean(yaml);
  const props = load('active-active.properties');
  const comparable = (c: MirrorConfig): unknown => ({
    ...c, file: '', flows: c.flows.map((f) => ({ ...f, line: 0 })), heartbeatOnlyFlows: c.heartbeatOnlyFlows.map((f) => ({ ...f, line: 0 })),
  });
  assert.deepEqual(comparable(yaml), comparable(props));
});

test('fan-out: A->B and A->C', () => {
  const config = load('fan-out.properties');
  assertClean(config);
  assert.deepEqual(config.clusters, ['A', 'B', 'C']);
  assert.deepEqual(flowNames(config), ['A->B', 'A->C']);
});

test('aggregation: A->C and B->C, each source\'s topics side by side on C', () => {
  const config = load('aggregation.properties');
  assertClean(config);
  assert.deepEqual(flowNames(config), ['A->C', 'B->C']);
  const [ac, bc] = config.flows.map((f) => new FlowPolicy(f));
  assert.equal(ac!.remoteTopic('orders'), 'A.orders');
  assert.equal(bc!.remoteTopic('orders'), 'B.orders');
});
