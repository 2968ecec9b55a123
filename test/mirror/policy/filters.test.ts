import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties } from '../../../client/index.js';
import { configPropertyFilterAccepts, groupFilterAccepts, matchesAny, parseMirrorConfig, topicFilterAccepts, type FlowConfig } from '../../../mirror/index.js';

const flowOf = (...settings: string[]): FlowConfig => parseMirrorConfig(parseProperties(
  ['clusters = A, B', 'A.bootstrap.servers = h:1', 'B.bootstrap.servers = h:2', 'A->B.enabled = true', ...settings].join('\n'),
), 'mm2.properties').flows[0]!;

test('MM2\'s default topic filter: every topic but the internal-looking ones (.*[-.]internal, .*.replica, __.*)', () => {
  const flow = flowOf();
  for (const topic of ['orders', 'A.orders', 'orders-internal2', 'internal', 'heartbeats']) assert.ok(topicFilterAccepts(flow, topic), topic);
  for (const topic of ['orders-internal', 'orders.internal', 'orders.replica', '__consumer_offsets', '__x']) assert.ok(!topicFilterAccepts(flow, topic), topic);
});

test('MM2\'s default group filter: every group but console consumers, Connect\'s and __*', () => {
  const flow = flowOf();
  for (const group of ['billing', 'console-consumer', 'my-connect-x']) assert.ok(groupFilterAccepts(flow, group), group);
  for (const group of ['console-consumer-1234', 'connect-mirror', '__internal']) assert.ok(!groupFilterAccepts(flow, group), group);
});

test('includes match whole names; excludes win over includes', () => {
  const flow = flowOf('topics = orders.*, audit', 'topics.exclude = orders-test', 'groups = billing-.*', 'groups.exclude = billing-old');
  assert.ok(topicFilterAccepts(flow, 'orders'));
  assert.ok(topicFilterAccepts(flow, 'orders-eu'));
  assert.ok(topicFilterAccepts(flow, 'audit'));
  assert.ok(!topicFilterAccepts(flow, 'audit-log'), 'a pattern matches the whole name');
  assert.ok(!topicFilterAccepts(flow, 'xorders'));
  assert.ok(!topicFilterAccepts(flow, 'orders-test'), 'excluded');
  assert.ok(groupFilterAccepts(flow, 'billing-eu'));
  assert.ok(!groupFilterAccepts(flow, 'billing-old'));
  assert.ok(!groupFilterAccepts(flow, 'reports'));
});

test('an empty include list selects nothing, an empty exclude list excludes nothing (MM2)', () => {
  const flow = flowOf('topics =', 'groups.exclude =', 'config.properties.exclude =');
  assert.ok(!topicFilterAccepts(flow, 'orders'));
  assert.ok(groupFilterAccepts(flow, 'console-consumer-1'));
  assert.ok(configPropertyFilterAccepts(flow, 'min.insync.replicas'));
  assert.equal(matchesAny([], 'x'), false);
});

test('config sync: MM2\'s default excludes, and a list of one\'s own', () => {
  const flow = flowOf();
  for (const name of ['retention.ms', 'cleanup.policy', 'segment.bytes', 'max.message.bytes', 'compression.type']) {
    assert.ok(configPropertyFilterAccepts(flow, name), name);
  }
  for (const name of ['follower.replication.throttled.replicas', 'leader.replication.throttled.replicas', 'message.timestamp.difference.max.ms',
    'message.timestamp.type', 'unclean.leader.election.enable', 'min.insync.replicas']) {
    assert.ok(!configPropertyFilterAccepts(flow, name), name);
  }
  const own = flowOf('config.properties.exclude = retention\\\\..*, segment.bytes');
  assert.ok(!configPropertyFilterAccepts(own, 'retention.ms'));
  assert.ok(!configPropertyFilterAccepts(own, 'segment.bytes'));
  assert.ok(configPropertyFilterAccepts(own, 'min.insync.replicas'), 'a list of one\'s own replaces MM2\'s');
  assert.ok(configPropertyFilterAccepts(own, 'retentionXms'), 'the dot is escaped');
});
