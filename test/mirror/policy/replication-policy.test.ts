import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DefaultReplicationPolicy, IdentityReplicationPolicy, replicationPolicyFor } from '../../../mirror/index.js';
import { aliasArb, assertProperty, localTopicArb, separatorArb, topicArb } from './policy-arbitraries.js';

test('Default: remote topics are <source><separator><topic>, traced back hop by hop (MM2\'s DefaultReplicationPolicyTest)', () => {
  const policy = new DefaultReplicationPolicy();
  assert.equal(policy.separator, '.');
  assert.equal(policy.formatRemoteTopic('A', 'topic'), 'A.topic');
  assert.equal(policy.formatRemoteTopic('B', 'A.topic'), 'B.A.topic');
  assert.equal(policy.topicSource('A.topic'), 'A');
  assert.equal(policy.topicSource('B.A.topic'), 'B');
  assert.equal(policy.topicSource('topic'), undefined);
  assert.equal(policy.upstreamTopic('B.A.topic'), 'A.topic');
  assert.equal(policy.upstreamTopic('A.topic'), 'topic');
  assert.equal(policy.upstreamTopic('topic'), undefined);
  assert.equal(policy.originalTopic('C.B.A.topic'), 'topic');
  assert.equal(policy.originalTopic('topic'), 'topic');
});

test('Default: a custom separator names remote topics, and dots are then part of the topic', () => {
  const policy = new DefaultReplicationPolicy({ separator: '_' });
  assert.equal(policy.formatRemoteTopic('A', 'my.topic'), 'A_my.topic');
  assert.equal(policy.topicSource('A_my.topic'), 'A');
  assert.equal(policy.upstreamTopic('B_A_my.topic'), 'A_my.topic');
  assert.equal(policy.originalTopic('B_A_my.topic'), 'my.topic');
  assert.equal(policy.topicSource('my.topic'), undefined);
  const double = new DefaultReplicationPolicy({ separator: '__' });
  assert.equal(double.formatRemoteTopic('A', 'x_y'), 'A__x_y');
  assert.equal(double.upstreamTopic('A__x_y'), 'x_y');
});

test('Default: names cut as Java\'s String.split cuts them (trailing empty parts dropped, a leading one kept)', () => {
  const policy = new DefaultReplicationPolicy();
  assert.equal(policy.topicSource('A.'), undefined);
  assert.equal(policy.topicSource('A..'), undefined);
  assert.equal(policy.topicSource('.x'), '');
  assert.equal(policy.upstreamTopic('.x'), 'x');
  assert.equal(policy.topicSource('A..b'), 'A');
  assert.equal(policy.upstreamTopic('A..b'), '.b');
  assert.equal(policy.topicSource(''), undefined);
});

test('Default: internal topic names follow the separator unless replication.policy.internal.topic.separator.enabled = false', () => {
  const dot = new DefaultReplicationPolicy();
  assert.equal(dot.heartbeatsTopic(), 'heartbeats');
  assert.equal(dot.offsetSyncsTopic('B'), 'mm2-offset-syncs.B.internal');
  assert.equal(dot.checkpointsTopic('A'), 'A.checkpoints.internal');
  const custom = new DefaultReplicationPolicy({ separator: '__' });
  assert.equal(custom.offsetSyncsTopic('B'), 'mm2-offset-syncs__B__internal');
  assert.equal(custom.checkpointsTopic('A'), 'A__checkpoints__internal');
  assert.ok(custom.isCheckpointsTopic('A__checkpoints__internal'));
  assert.ok(!custom.isCheckpointsTopic('A.checkpoints.internal'));
  assert.ok(custom.isMM2InternalTopic('mm2-offset-syncs__B__internal'));
  const legacy = new DefaultReplicationPolicy({ separator: '__', internalTopicSeparatorEnabled: false });
  assert.equal(legacy.offsetSyncsTopic('B'), 'mm2-offset-syncs.B.internal');
  assert.equal(legacy.checkpointsTopic('A'), 'A.checkpoints.internal');
  assert.equal(legacy.formatRemoteTopic('A', 't'), 'A__t');
  assert.throws(() => new DefaultReplicationPolicy({ separator: '' }), RangeError);
});

test('internal topics: the mirror\'s (.internal), Kafka\'s (__, .) and Connect\'s (-internal) are never mirrored', () => {
  const policy = new DefaultReplicationPolicy();
  for (const topic of ['__consumer_offsets', '__transaction_state', '.hidden', 'mm2-offset-syncs.B.internal', 'A.checkpoints.internal',
    'mm2-offsets.A.internal', 'connect-offsets-internal', 'connect-configs.internal']) {
    assert.ok(policy.isInternalTopic(topic), topic);
  }
  for (const topic of ['orders', 'A.orders', 'internal', 'orders.internal2', 'my_internal', 'heartbeats']) {
    assert.ok(!policy.isInternalTopic(topic), topic);
  }
  assert.ok(policy.isMM2InternalTopic('mm2-offset-syncs.B.internal'));
  assert.ok(!policy.isMM2InternalTopic('connect-offsets-internal'));
  assert.ok(policy.isCheckpointsTopic('B.A.checkpoints.internal'));
  assert.ok(!policy.isCheckpointsTopic('A.checkpoints'));
});

test('heartbeats topics: heartbeats and every remote name of it, nothing else', () => {
  const policy = new DefaultReplicationPolicy();
  for (const topic of ['heartbeats', 'A.heartbeats', 'B.A.heartbeats']) assert.ok(policy.isHeartbeatsTopic(topic), topic);
  for (const topic of ['heartbeats2', 'A.heartbeats.x', 'myheartbeats', 'A.myheartbeats']) assert.ok(!policy.isHeartbeatsTopic(topic), topic);
});

test('Identity: remote topics keep their names, so their source is unknown; heartbeats are named as by the Default policy', () => {
  const policy = new IdentityReplicationPolicy();
  assert.equal(policy.formatRemoteTopic('A', 'topic'), 'topic');
  assert.equal(policy.formatRemoteTopic('A', 'A.topic'), 'A.topic');
  assert.equal(policy.topicSource('topic'), undefined);
  assert.equal(policy.topicSource('A.topic'), undefined);
  assert.equal(policy.upstreamTopic('topic'), 'topic');
  assert.equal(policy.originalTopic('A.topic'), 'A.topic');
  assert.equal(policy.formatRemoteTopic('A', 'heartbeats'), 'A.heartbeats');
  assert.equal(policy.formatRemoteTopic('B', 'A.heartbeats'), 'B.A.heartbeats');
  assert.equal(policy.topicSource('B.A.heartbeats'), 'B');
  assert.equal(policy.upstreamTopic('B.A.heartbeats'), 'A.heartbeats');
  assert.equal(policy.originalTopic('B.A.heartbeats'), 'heartbeats');
  assert.ok(policy.isHeartbeatsTopic('A.heartbeats'));
  assert.equal(policy.checkpointsTopic('A'), 'A.checkpoints.internal');
  assert.equal(policy.offsetSyncsTopic('B'), 'mm2-offset-syncs.B.internal');
  // MM2's source.cluster.alias: the one source a one-way flow's topics can have.
  const withSource = new IdentityReplicationPolicy({ sourceClusterAlias: 'A' });
  assert.equal(withSource.topicSource('topic'), 'A');
  assert.equal(withSource.topicSource('B.heartbeats'), 'B');
});

test('replicationPolicyFor builds the policy a flow names, with its separators', () => {
  const flow = { replicationPolicy: 'default' as const, separator: '-', internalTopicSeparatorEnabled: true };
  const policy = replicationPolicyFor(flow);
  assert.ok(policy instanceof DefaultReplicationPolicy && !(policy instanceof IdentityReplicationPolicy));
  assert.equal(policy.formatRemoteTopic('A', 't'), 'A-t');
  assert.equal(policy.checkpointsTopic('A'), 'A-checkpoints-internal');
  const identity = replicationPolicyFor({ ...flow, replicationPolicy: 'identity', internalTopicSeparatorEnabled: false });
  assert.ok(identity instanceof IdentityReplicationPolicy);
  assert.equal(identity.formatRemoteTopic('A', 't'), 't');
  assert.equal(identity.checkpointsTopic('A'), 'A.checkpoints.internal');
});

test('property: for any separator, alias and topic, formatRemoteTopic then topicSource / upstreamTopic give them back', () => {
  assertProperty(fc.property(
    separatorArb.chain((separator) => fc.tuple(fc.constant(separator), aliasArb(separator), topicArb(separator))),
    ([separator, alias, topic]) => {
      const policy = new DefaultReplicationPolicy({ separator });
      const remote = policy.formatRemoteTopic(alias, topic);
      assert.equal(policy.topicSource(remote), alias);
      assert.equal(policy.upstreamTopic(remote), topic);
    },
  ), 2000);
});

test('property: a topic mirrored over any chain of clusters is traced back through every hop to its original name', () => {
  assertProperty(fc.property(
    separatorArb.chain((separator) => fc.tuple(
      fc.constant(separator), fc.array(aliasArb(separator), { minLength: 1, maxLength: 6 }), localTopicArb(separator),
    )),
    ([separator, hops, topic]) => {
      const policy = new DefaultReplicationPolicy({ separator });
      const remote = hops.reduce((name, alias) => policy.formatRemoteTopic(alias, name), topic);
      assert.equal(policy.originalTopic(remote), topic);
      const traced: string[] = [];
      for (let name: string | undefined = remote; policy.topicSource(name!) !== undefined; name = policy.upstreamTopic(name!)) {
        traced.push(policy.topicSource(name!)!);
      }
      assert.deepEqual(traced, [...hops].reverse());
      const heartbeats = hops.reduce((name, alias) => policy.formatRemoteTopic(alias, name), policy.heartbeatsTopic());
      assert.ok(policy.isHeartbeatsTopic(heartbeats));
      assert.equal(policy.isHeartbeatsTopic(remote), topic === 'heartbeats');
    },
  ), 1000);
});

test('property: the Identity policy keeps every name that is not a heartbeats topic, and its original is itself', () => {
  assertProperty(fc.property(
    separatorArb.chain((separator) => fc.tuple(fc.constant(separator), aliasArb(separator), topicArb(separator))),
    ([separator, alias, topic]) => {
      fc.pre(!topic.endsWith('heartbeats'));
      const policy = new IdentityReplicationPolicy({ separator });
      assert.equal(policy.formatRemoteTopic(alias, topic), topic);
      assert.equal(policy.topicSource(topic), undefined);
      assert.equal(policy.originalTopic(topic), topic);
      assert.equal(policy.formatRemoteTopic(alias, 'heartbeats'), `${alias}${separator}heartbeats`);
    },
  ), 1000);
});
