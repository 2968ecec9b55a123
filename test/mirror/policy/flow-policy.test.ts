import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties } from '../../../client/index.js';
import { FlowPolicy, parseMirrorConfig, type MirrorConfig } from '../../../mirror/index.js';

const configOf = (...settings: string[]): MirrorConfig => parseMirrorConfig(parseProperties(
  ['clusters = A, B, C', 'A.bootstrap.servers = h:1', 'B.bootstrap.servers = h:2', 'C.bootstrap.servers = h:3', ...settings].join('\n'),
), 'mm2.properties');
const policyOf = (config: MirrorConfig, name: string): FlowPolicy =>
  new FlowPolicy(config.flows.find((f) => `${f.source}->${f.target}` === name)!);

test('which source topics a flow mirrors: selected, or a heartbeats topic, and neither internal nor a cycle', () => {
  // The filter sees the name on the source: C's orders is C.orders on A.
  const config = configOf('A->B.enabled = true', 'B->A.enabled = true', 'C->A.enabled = true', 'topics = .*orders.*');
  const ab = policyOf(config, 'A->B');
  assert.ok(ab.shouldReplicateTopic('orders'));
  assert.ok(ab.shouldReplicateTopic('C.orders'), 'a topic A got from C goes on to B');
  assert.ok(!ab.shouldReplicateTopic('audit'), 'not selected');
  assert.ok(!ab.shouldReplicateTopic('B.orders'), 'B\'s own topic, back from A: a cycle');
  assert.ok(!ab.shouldReplicateTopic('C.B.orders'), 'B\'s topic by way of C: a cycle over the whole chain');
  assert.ok(ab.shouldReplicateTopic('heartbeats'), 'heartbeats always, whatever topics says');
  assert.ok(ab.shouldReplicateTopic('C.heartbeats'));
  assert.ok(!ab.shouldReplicateTopic('B.heartbeats'), 'but never back to where they came from');
  for (const internal of ['__consumer_offsets', 'mm2-offset-syncs.B.internal', 'B.checkpoints.internal', 'mm2-offsets.C.internal', 'orders.internal']) {
    assert.ok(!ab.shouldReplicateTopic(internal), internal);
  }
});

test('active-active A<->B converges: each flow sends only the other\'s own topics, never A.B.* names', () => {
  const config = configOf('A->B.enabled = true', 'B->A.enabled = true');
  const ab = policyOf(config, 'A->B');
  const ba = policyOf(config, 'B->A');
  assert.equal(ab.remoteTopic('orders'), 'A.orders');
  assert.ok(!ba.shouldReplicateTopic(ab.remoteTopic('orders')), 'A.orders on B is not sent back to A');
  assert.ok(!ab.shouldReplicateTopic(ba.remoteTopic('orders')), 'B.orders on A is not sent back to B');
});

test('identity flows name remote topics as the source does; groups and configs as their filters say', () => {
  const config = configOf('A->B.enabled = true', 'A->B.replication.policy.class = identity', 'groups = app-.*', 'config.properties.exclude = retention\\\\.ms');
  const ab = policyOf(config, 'A->B');
  assert.equal(ab.remoteTopic('orders'), 'orders');
  assert.equal(ab.remoteTopic('heartbeats'), 'A.heartbeats');
  assert.ok(ab.shouldReplicateTopic('B.orders'), 'under identity a name says nothing of its source');
  assert.ok(ab.shouldReplicateGroup('app-1'));
  assert.ok(!ab.shouldReplicateGroup('other'));
  assert.ok(!ab.shouldReplicateConfigProperty('retention.ms'));
  assert.ok(ab.shouldReplicateConfigProperty('min.insync.replicas'), 'the flow\'s own list replaces MM2\'s default');
  assert.equal(ab.shouldReplicateSourceDefault(), false);
  assert.equal(policyOf(configOf('A->B.enabled = true', 'use.defaults.from = source'), 'A->B').shouldReplicateSourceDefault(), true);
});

test('the internal topics of a flow, by MM2\'s names', () => {
  const ab = policyOf(configOf('A->B.enabled = true'), 'A->B');
  assert.equal(ab.offsetSyncsCluster(), 'A');
  assert.equal(ab.offsetSyncsTopic(), 'mm2-offset-syncs.B.internal');
  assert.equal(ab.checkpointsTopic(), 'A.checkpoints.internal');
  assert.equal(ab.heartbeatsTopic(), 'heartbeats');
  assert.equal(ab.positionsTopic(), 'mm2-offsets.A.internal');
  const onTarget = policyOf(configOf('A->B.enabled = true', 'offset-syncs.topic.location = target', 'replication.policy.separator = _'), 'A->B');
  assert.equal(onTarget.offsetSyncsCluster(), 'B');
  assert.equal(onTarget.offsetSyncsTopic(), 'mm2-offset-syncs_A_internal');
  assert.equal(onTarget.checkpointsTopic(), 'A_checkpoints_internal');
  assert.equal(onTarget.positionsTopic(), 'mm2-offsets.A.internal');
  for (const name of [ab.offsetSyncsTopic(), ab.checkpointsTopic(), ab.positionsTopic(), onTarget.offsetSyncsTopic(), onTarget.checkpointsTopic()]) {
    assert.ok(ab.replication.isInternalTopic(name) || onTarget.replication.isInternalTopic(name), `${name} is internal`);
  }
});
