import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DefaultReplicationPolicy, IdentityReplicationPolicy, isCycle } from '../../../mirror/index.js';
import { aliasArb, assertProperty, localTopicArb, separatorArb } from './policy-arbitraries.js';

test('isCycle: a topic that came from the target, over any number of hops, is a cycle (MM2\'s MirrorSourceConnectorTest)', () => {
  const policy = new DefaultReplicationPolicy();
  assert.equal(isCycle(policy, 'topic', 'B'), false, 'a local topic');
  assert.equal(isCycle(policy, 'B.topic', 'B'), true, 'one hop from the target');
  assert.equal(isCycle(policy, 'A.topic', 'B'), false);
  assert.equal(isCycle(policy, 'A.B.topic', 'B'), true, 'two hops, through A');
  assert.equal(isCycle(policy, 'C.A.B.topic', 'B'), true);
  assert.equal(isCycle(policy, 'C.A.topic', 'B'), false);
  assert.equal(isCycle(policy, 'B.heartbeats', 'B'), true);
  assert.equal(isCycle(new DefaultReplicationPolicy({ separator: '_' }), 'A_B_my.topic', 'B'), true);
  assert.equal(isCycle(new DefaultReplicationPolicy({ separator: '_' }), 'A_B.my.topic', 'B'), false, 'B.my.topic is one name under "_"');
});

test('isCycle under the Identity policy: names carry no source, so only heartbeats chains are traced', () => {
  const policy = new IdentityReplicationPolicy();
  assert.equal(isCycle(policy, 'topic', 'B'), false);
  assert.equal(isCycle(policy, 'B.topic', 'B'), false);
  assert.equal(isCycle(policy, 'A.B.heartbeats', 'B'), true);
  assert.equal(isCycle(policy, 'A.heartbeats', 'B'), false);
  // With MM2's source.cluster.alias every topic "comes from" the flow's source, which is never the target.
  assert.equal(isCycle(new IdentityReplicationPolicy({ sourceClusterAlias: 'A' }), 'topic', 'B'), false);
});

test('property: a topic mirrored along any chain of clusters is a cycle for a target exactly when the chain passed through it', () => {
  assertProperty(fc.property(
    separatorArb.chain((separator) => fc.tuple(
      fc.constant(separator),
      fc.array(aliasArb(separator), { minLength: 0, maxLength: 6 }),
      aliasArb(separator),
      localTopicArb(separator),
    )),
    ([separator, chain, target, topic]) => {
      const policy = new DefaultReplicationPolicy({ separator });
      const remote = chain.reduce((name, alias) => policy.formatRemoteTopic(alias, name), topic);
      assert.equal(isCycle(policy, remote, target), chain.includes(target));
      const identity = new IdentityReplicationPolicy({ separator });
      const identityRemote = chain.reduce((name, alias) => identity.formatRemoteTopic(alias, name), topic);
      assert.equal(identityRemote, topic);
      assert.equal(isCycle(identity, identityRemote, target), false);
      const heartbeats = chain.reduce((name, alias) => identity.formatRemoteTopic(alias, name), identity.heartbeatsTopic());
      assert.equal(isCycle(identity, heartbeats, target), chain.includes(target));
    },
  ), 2000);
});
