// strait cluster --describe's text: ids, active controller, voters and one row per node with its state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClusterDescription } from '../../../cli/commands/cluster.js';
import type { ClusterNode } from '../../../client/index.js';

const node = (nodeId: number, extra: Partial<ClusterNode> = {}): ClusterNode => ({
  nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: '', roles: ['broker', 'controller'],
  fenced: false, inControlledShutdown: false, isVoter: true, brokerEpoch: 10 + nodeId, ...extra,
});

test('describe shows the controller, voters and each node active, fenced or in controlled shutdown', () => {
  const text = formatClusterDescription({
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
    controllerId: 2,
    brokers: [],
    nodes: [node(3, { fenced: true }), node(1, { rack: 'rack-a' }), node(2), node(4, { roles: ['broker'], isVoter: false, inControlledShutdown: true })],
    voters: [3, 1, 2],
    metadataOffset: 42,
  });
  const lines = text.split('\n');
  assert.equal(lines[0], 'ClusterId:        MkU3OEVBNTcwNTJENDM2Qk');
  assert.equal(lines[1], 'ActiveController: 2');
  assert.equal(lines[2], 'Voters:           1,2,3');
  assert.equal(lines[3], 'MetadataOffset:   42');
  assert.match(lines[5]!, /^NODE\s+ROLES\s+HOST:PORT\s+RACK\s+STATE$/);
  assert.match(lines[6]!, /^1\s+broker,controller\s+127\.0\.0\.1:9001\s+rack-a\s+active$/);
  assert.match(lines[7]!, /^2\*\s+broker,controller\s+127\.0\.0\.1:9002\s+-\s+active$/);
  assert.match(lines[8]!, /^3\s+broker,controller\s+127\.0\.0\.1:9003\s+-\s+fenced$/);
  assert.match(lines[9]!, /^4\s+broker\s+127\.0\.0\.1:9004\s+-\s+controlled-shutdown$/);
});

test('a controller-only node has no broker state', () => {
  const text = formatClusterDescription({
    clusterId: 'x', controllerId: 5, brokers: [], voters: [5], metadataOffset: 1,
    nodes: [node(5, { roles: ['controller'], fenced: false })],
  });
  assert.match(text, /^5\*\s+controller\s+127\.0\.0\.1:9005\s+-\s+-$/m);
});

test('no active controller is said plainly', () => {
  const text = formatClusterDescription({ clusterId: 'x', controllerId: -1, brokers: [], nodes: [], voters: [], metadataOffset: 0 });
  assert.match(text, /^ActiveController: none$/m);
});
