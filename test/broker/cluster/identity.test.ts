// The cluster id at start: generated only for a quorum of one, refused when a multi-voter node has
// none, refused when config and meta.properties disagree (naming both), kept in meta.properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfigFromMap } from '../../../broker/config/broker-config.js';
import { ConfigError } from '../../../client/index.js';
import { readMetaProperties, writeMetaProperties } from '../../../broker/log/meta-properties.js';
import { startBroker } from '../../../broker/server.js';
import { silent } from '../quorum/quorum-harness.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const voters = '1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3';

test('a node of a multi-voter quorum without a cluster id refuses to start and says how to get one', async (t) => {
  const dir = tempDir(t);
  const { config } = brokerConfigFromMap({ 'node.id': '1', 'controller.quorum.voters': voters, 'log.dirs': dir, 'listeners': 'PLAINTEXT://127.0.0.1:0' });
  await assert.rejects(startBroker(config, { logger: silent }), (err: unknown) =>
    err instanceof ConfigError && err.key === 'cluster.id' && /strait storage format/.test(err.message));
  assert.equal(readMetaProperties(dir), undefined, 'nothing written');
});

test('config and meta.properties disagreeing on the cluster id stops the start naming both', async (t) => {
  const dir = tempDir(t);
  writeMetaProperties(dir, { nodeId: 1, clusterId: 'formatted-id', version: 1 });
  const { config } = brokerConfigFromMap({
    'node.id': '1', 'controller.quorum.voters': voters, 'cluster.id': 'configured-id', 'log.dirs': dir, 'listeners': 'PLAINTEXT://127.0.0.1:0',
  });
  await assert.rejects(startBroker(config, { logger: silent }), (err: unknown) =>
    err instanceof ConfigError && /formatted-id/.test(err.message) && /configured-id/.test(err.message));
  assert.equal(readMetaProperties(dir)?.clusterId, 'formatted-id', 'unchanged');
});

test('a quorum of one generates its cluster id once and keeps it across restarts', async (t) => {
  const dir = tempDir(t);
  const { config } = brokerConfigFromMap({ 'log.dirs': dir, 'listeners': 'PLAINTEXT://127.0.0.1:0', 'metrics.port': '0' });
  const first = await startBroker(config, { logger: silent });
  await first.stop();
  assert.equal(readMetaProperties(dir)?.clusterId, first.clusterId);
  const second = await startBroker(config, { logger: silent });
  await second.stop();
  assert.equal(second.clusterId, first.clusterId);
  // A formatted node takes its id from meta.properties instead of generating one.
  const formatted = tempDir(t);
  writeMetaProperties(formatted, { nodeId: 1, clusterId: 'from-format', version: 1 });
  const node = await startBroker(brokerConfigFromMap({ 'log.dirs': formatted, 'listeners': 'PLAINTEXT://127.0.0.1:0', 'metrics.port': '0' }).config, { logger: silent });
  await node.stop();
  assert.equal(node.clusterId, 'from-format');
});
