// The metadata survives a full stop and restart of every node (topics, partition counts, configs,
// topic ids), and a node that belongs to another cluster is refused and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Admin, ErrorCode } from '../../client/index.js';
import { writeBrokerConfig } from '../../cli/local-broker.js';
import { randomClusterId } from '../../cli/local-cluster.js';
import { writeMetaProperties } from '../../broker/log/index.js';
import { bootstrapOf, spawnBroker } from '../helpers/launcher.js';
import { activeController, clusterSuite, randomTopic, restartStopped, topicWithLeaders, waitFor } from './cluster-kit.js';

describe('3 nodes: full restart and a stranger', () => {
  const suite = clusterSuite(3, { waitForController: true });

  it('stop every node and start them again: topics, partition counts, configs and topic ids are back', async () => {
    const { nodes, calls } = suite;
    const topics: { name: string; partitions: number; rf: number; configs: Record<string, string> }[] = [
      { name: randomTopic('kept'), partitions: 4, rf: 3, configs: { 'retention.ms': '123456', 'cleanup.policy': 'compact' } },
      { name: randomTopic('kept'), partitions: 2, rf: 2, configs: { 'max.message.bytes': '65536' } },
    ];
    for (const t of topics) {
      const r = await calls.createTopic(nodes[0]!, t.name, t.partitions, t.rf, { configs: t.configs });
      assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage);
    }
    const before = new Map<string, { id: string; replicas: number[][] }>();
    for (const t of topics) {
      const md = await topicWithLeaders(calls, nodes[0]!, t.name, t.partitions);
      before.set(t.name, { id: md.topicId, replicas: md.partitions.map((p) => [...p.replicaNodes]) });
    }

    const exits = await Promise.all(nodes.map((n) => n.halt()));
    assert.ok(exits.every((e) => e.code !== null || e.signal !== null));
    await Promise.all(nodes.map((n) => n.restart()));
    await activeController(calls, nodes, 15_000);

    const admin = new Admin({ 'bootstrap.servers': bootstrapOf(nodes) });
    try {
      for (const node of nodes) {
        for (const t of topics) {
          const md = await topicWithLeaders(calls, node, t.name, t.partitions, 15_000);
          assert.equal(md.topicId, before.get(t.name)!.id, `${t.name} keeps its topic id on node ${node.nodeId}`);
          assert.deepEqual(md.partitions.map((p) => [...p.replicaNodes]), before.get(t.name)!.replicas);
        }
      }
      for (const t of topics) {
        const configs = await admin.describeConfigs({ type: 'topic', name: t.name, keys: Object.keys(t.configs) });
        assert.deepEqual(Object.fromEntries(configs.map((c) => [c.name, c.value])), t.configs);
      }
    } finally {
      await admin.close();
    }
  });

  for (const how of ['cluster.id in its config', 'its own meta.properties'] as const) {
    it(`a node with another cluster's id (${how}) exits with code 1 naming both ids; the cluster is unaffected`, async (t) => {
      const { nodes, calls } = suite;
      await restartStopped(nodes);
      await activeController(calls, nodes);
      const quorumId = nodes[0]!.clusterId;
      const strangerId = randomClusterId();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-stranger-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const dataDir = path.join(dir, 'data');
      const { 'cluster.id': _quorumId, ...shared } = nodes[0]!.values;
      const values: Record<string, string> = {
        ...shared,
        'node.id': '9',
        'process.roles': 'broker',
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dataDir,
        'metrics.listener': 'http://127.0.0.1:0',
      };
      if (how === 'cluster.id in its config') values['cluster.id'] = strangerId;
      else writeMetaProperties(dataDir, { nodeId: 9, clusterId: strangerId, version: 1 });
      const configFile = path.join(dir, 'server.properties');
      writeBrokerConfig(configFile, values);

      const t0 = Date.now();
      const failure = await spawnBroker(configFile, 20_000).then(
        async (started) => {
          // It came up: wait for the exit the quorum's answer must cause.
          const exit = await Promise.race([started.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
          if (!exit) {
            started.child.kill('SIGKILL');
            return `still running after 15 s:\n${started.output.join('')}`;
          }
          return `exit code ${exit.code}\n${started.output.join('')}`;
        },
        (err: Error) => err.message,
      );
      assert.ok(Date.now() - t0 < 25_000);
      assert.match(failure, /code 1\b/, failure);
      assert.ok(failure.includes(strangerId) && failure.includes(quorumId), `the message names both ids:\n${failure}`);

      // Unaffected: same controller, same three brokers, node 9 unknown, and writes work.
      const d = await calls.describeCluster(nodes[0]!);
      assert.ok(d.controllerId >= 0);
      assert.equal(d.clusterId, quorumId);
      assert.deepEqual(d.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      assert.ok(!d.nodes.some((n) => n.nodeId === 9 && !n.fenced), 'node 9 never became an active broker');
      const topic = randomTopic('unaffected');
      await waitFor('CreateTopics works', async () => (await calls.createTopic(nodes[1]!, topic, 1, 3)).errorCode === ErrorCode.NONE, 10_000);
    });
  }
});
