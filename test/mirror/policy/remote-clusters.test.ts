import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countHopsForTopic, DefaultReplicationPolicy, IdentityReplicationPolicy, replicationHops, upstreamClusters } from '../../../mirror/index.js';

test('replication hops and upstream clusters from the heartbeats topics a cluster holds (MM2\'s MirrorClientTest)', () => {
  const policy = new DefaultReplicationPolicy();
  const topics = ['topic1', 'topic2', 'heartbeats', 'source1.heartbeats', 'source1.source2.heartbeats', 'source3.source4.source5.heartbeats'];
  assert.equal(replicationHops(policy, topics, 'source1'), 1);
  assert.equal(replicationHops(policy, topics, 'source2'), 2);
  assert.equal(replicationHops(policy, topics, 'source5'), 3);
  assert.equal(replicationHops(policy, topics, 'source6'), -1);
  assert.deepEqual([...upstreamClusters(policy, topics)].sort(), ['source1', 'source2', 'source3', 'source4', 'source5']);
  assert.equal(countHopsForTopic(policy, 'source1.source2.heartbeats', 'source2'), 2);
  assert.equal(countHopsForTopic(policy, 'heartbeats', 'source1'), -1);
  assert.deepEqual([...upstreamClusters(policy, ['topic1', 'source1.topic2'])], [], 'only heartbeats topics count');
});

test('the fewest hops win when a cluster is reached by several ways', () => {
  const policy = new DefaultReplicationPolicy({ separator: '_' });
  assert.equal(replicationHops(policy, ['B_A_heartbeats', 'A_heartbeats', 'C_B_A_heartbeats'], 'A'), 1);
});

test('under the Identity policy a chain that repeats a source ends instead of looping', () => {
  const policy = new IdentityReplicationPolicy({ sourceClusterAlias: 'A' });
  assert.equal(countHopsForTopic(policy, 'orders', 'B'), -1);
  assert.equal(countHopsForTopic(policy, 'orders', 'A'), 1);
  assert.deepEqual([...upstreamClusters(policy, ['B.A.heartbeats'])].sort(), ['A', 'B']);
});
