// Kafka's KRaft listener shape in real processes: listeners=PLAINTEXT://...,CONTROLLER://... with the
// voters on the CONTROLLER ports. The node's one gRPC server is bound on both listeners, the quorum
// forms over the CONTROLLER ports, and clients are told the PLAINTEXT addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Admin, type ClusterDescription } from '../../client/index.js';
import { stopChild, writeBrokerConfig, type SpawnedBroker } from '../../cli/local-broker.js';
import { pickFreePorts, randomClusterId } from '../../cli/local-cluster.js';
import { CLUSTER_TEST_CONFIG, spawnBroker } from '../helpers/launcher.js';

const HOST = '127.0.0.1';

test('three combined nodes from Kafka-shaped configs: quorum on CONTROLLER, clients on PLAINTEXT', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-kafka-listeners-'));
  const ports = await pickFreePorts(6);
  const clientPort = (i: number): number => ports[i]!;
  const controllerPort = (i: number): number => ports[3 + i]!;
  const ids = [1, 2, 3];
  const voters = ids.map((id, i) => `${id}@${HOST}:${controllerPort(i)}`).join(',');
  const clusterId = randomClusterId();
  const files = ids.map((id, i) => {
    const file = path.join(dir, `server-${id}.properties`);
    writeBrokerConfig(file, {
      ...CLUSTER_TEST_CONFIG,
      'process.roles': 'broker,controller',
      'node.id': String(id),
      'controller.quorum.voters': voters,
      listeners: `PLAINTEXT://${HOST}:${clientPort(i)},CONTROLLER://${HOST}:${controllerPort(i)}`,
      'inter.broker.listener.name': 'PLAINTEXT',
      'advertised.listeners': `PLAINTEXT://${HOST}:${clientPort(i)}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'log.dirs': path.join(dir, `data-${id}`),
      'cluster.id': clusterId,
      'metrics.listener': `http://${HOST}:0`,
    });
    return file;
  });
  const started = await Promise.allSettled(files.map((f) => spawnBroker(f, 30_000)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  t.after(async () => {
    await Promise.all(nodes.map((n: SpawnedBroker) => stopChild(n.child, n.exited, 2_000)));
    rmSync(dir, { recursive: true, force: true });
  });
  for (const s of started) if (s.status === 'rejected') throw s.reason;

  nodes.forEach((n, i) => {
    assert.equal(n.port, clientPort(i), 'the ready line reports the client listener');
    assert.match(n.output.join(''), new RegExp(`"listeners":\\{"PLAINTEXT":${clientPort(i)},"CONTROLLER":${controllerPort(i)}\\}`));
  });

  const admin = new Admin({ 'bootstrap.servers': `${HOST}:${clientPort(0)}`, retries: 2 });
  t.after(() => admin.close());
  let description: ClusterDescription | undefined;
  for (let attempt = 0; attempt < 100; attempt++) {
    description = await admin.describeCluster();
    if (description.controllerId >= 0 && description.brokers.length === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(description && description.controllerId >= 0, 'a controller was elected over the CONTROLLER listeners');
  assert.deepEqual([...description.voters].sort(), ids);
  assert.deepEqual(
    description.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).sort(),
    ids.map((id, i) => `${id}@${HOST}:${clientPort(i)}`),
    'clients are told the PLAINTEXT addresses',
  );

  // Every listener serves every service: an admin call on a CONTROLLER port is answered too.
  const direct = await admin.describeCluster({ node: `${HOST}:${controllerPort(1)}` });
  assert.equal(direct.clusterId, clusterId);
});
