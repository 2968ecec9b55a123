// Consumer groups across three broker processes (three combined voters), __consumer_offsets with
// RF=3: the coordinator's broker killed with -9 loses no committed offset, a new coordinator takes
// the group over and its members carry on there with what they had; then a full cluster restart
// keeps the offsets and the group.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import type { GroupsClient } from '../../client/wire/generated/strait/v1/Groups.js';
import type { ClusterNodeProcess } from '../helpers/launcher.js';
import {
  OwnershipLedger, RawMember, commit, committedOffsets, describeGroup, findCoordinator, groupsClient, waitForMembers, waitForStable,
} from '../helpers/group-calls.js';
import { byId, clusterSuite, randomTopic, restartStopped, topicWithLeaders, waitFor } from './cluster-kit.js';

describe('consumer groups on 3 brokers, __consumer_offsets RF=3', () => {
  const suite = clusterSuite(3, {
    waitForController: true,
    config: {
      'group.consumer.min.session.timeout.ms': '500',
      'group.consumer.session.timeout.ms': '20000',
      'group.consumer.heartbeat.interval.ms': '300',
      'replica.lag.time.max.ms': '3000',
    },
  });
  const clients = new Map<string, GroupsClient>();
  const groups = (node: ClusterNodeProcess): GroupsClient => {
    let c = clients.get(node.address);
    if (!c) clients.set(node.address, (c = groupsClient(node.address)));
    return c;
  };
  after(() => {
    for (const c of clients.values()) c.close();
  });
  const members: RawMember[] = [];
  const groupId = randomTopic('g');
  const topic = randomTopic('orders');
  let committed: Record<string, number> = {};

  /** The coordinator as the live nodes see it, once it serves the group (loaded, and not `not`). */
  async function coordinator(not?: number): Promise<ClusterNodeProcess> {
    return waitFor(`a coordinator of ${groupId}${not === undefined ? '' : ` other than ${not}`}`, async () => {
      for (const node of suite.nodes) {
        const found = await findCoordinator(groups(node), groupId).catch(() => undefined);
        if (found?.errorCode !== ErrorCode.NONE || found.nodeId === not) continue;
        const at = byId(suite.nodes, found.nodeId);
        const d = await describeGroup(groups(at), groupId).catch(() => undefined);
        if (d && (d.errorCode === ErrorCode.NONE || d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND)) return at;
      }
      return undefined;
    }, 40_000, 200);
  }

  it('the coordinator\'s broker killed with -9 loses no committed offset; a new coordinator serves the group', async (t) => {
    t.after(() => { for (const m of members) m.close(); });
    const created = await suite.calls.createTopic(suite.nodes[0]!, topic, 12, 3);
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage);
    await topicWithLeaders(suite.calls, suite.nodes[0]!, topic, 12);
    const first = await coordinator();
    const offsets = await suite.calls.topic(first, '__consumer_offsets');
    assert.ok(offsets?.partitions.every((p) => p.replicaNodes.length === 3), '__consumer_offsets has 3 replicas per partition');

    const ledger = new OwnershipLedger();
    for (let i = 0; i < 3; i++) {
      members.push(new RawMember(groups(first), { groupId, subscribedTopics: [topic], clientId: `c${i}` }, { ledger, heartbeatMs: 300, name: `m${i}` }));
    }
    await waitForMembers(members, '4 partitions each', () => members.every((m) => m.owned.size === 4));
    await waitForStable(groups(first), groupId, members);
    // Each member commits its partitions, twice (the second commit must be the one that stays).
    for (const round of [1, 2]) {
      for (const m of members) {
        const mine: Record<number, number> = {};
        for (const tp of m.owned) mine[Number(tp.slice(tp.lastIndexOf('-') + 1))] = round * 100 + Number(tp.slice(tp.lastIndexOf('-') + 1));
        const res = await commit(groups(first), groupId, m.memberId, m.memberEpoch, { [topic]: mine });
        assert.ok(res.topics[0]!.partitions.every((p) => p.errorCode === ErrorCode.NONE), JSON.stringify(res));
      }
    }
    committed = await committedOffsets(groups(first), groupId);
    assert.equal(Object.keys(committed).length, 12);
    const before = new Map(members.map((m) => [m.name, m.ownedList()]));

    const killedAt = Date.now();
    first.kill('SIGKILL');
    await first.exited;
    const next = await coordinator(first.nodeId);
    t.diagnostic(`a new coordinator (node ${next.nodeId}) served the group ${Date.now() - killedAt} ms after node ${first.nodeId} was killed`);
    assert.notEqual(next.nodeId, first.nodeId);
    assert.deepEqual(await committedOffsets(groups(next), groupId), committed, 'every committed offset is on the new coordinator');

    // The members find the new coordinator and rejoin with their ids and epochs: they keep what they had.
    for (const m of members) m.reconnect(groups(next));
    await waitForMembers(members, 'the rejoins answered', () => members.every((m) => m.responses[m.responses.length - 1]?.errorCode === ErrorCode.NONE && !m.ended));
    for (const m of members) assert.deepEqual(m.ownedList(), before.get(m.name), `${m.name} kept its partitions`);
    const d = await describeGroup(groups(next), groupId);
    assert.equal(d.members.length, 3);
    assert.equal(d.coordinatorId, next.nodeId);
    // The group carries on: a fourth member joins and the partitions move cooperatively there.
    members.push(new RawMember(groups(next), { groupId, subscribedTopics: [topic], clientId: 'c3' }, { ledger, heartbeatMs: 300, name: 'm3' }));
    await waitForMembers(members, '3 each', () => members.every((m) => m.owned.size === 3));
    await waitForStable(groups(next), groupId, members);
    assert.deepEqual(ledger.violations, []);
    const m0 = members[0]!;
    const tp0 = Number([...m0.owned][0]!.slice(topic.length + 1));
    const res = await commit(groups(next), groupId, m0.memberId, m0.memberEpoch, { [topic]: { [tp0]: 999 } });
    assert.equal(res.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    committed[`${topic}-${tp0}`] = 999;
    // Each leaves and half-closes at once: the answer comes once the leave is on the in-sync replicas.
    for (const m of members) {
      m.leave();
      m.close();
    }
    await waitForMembers(members, 'every leave answered', () => members.every((m) => m.responses.some((r) => r.memberEpoch === -1)));
    await waitFor('the members gone', async () => (await describeGroup(groups(next), groupId)).members.length === 0, 15_000);
    await first.restart();
  });

  it('committed offsets and the group survive a full cluster restart', async () => {
    await restartStopped(suite.nodes);
    const at = await coordinator();
    assert.deepEqual(await committedOffsets(groups(at), groupId), committed);
    const epoch = (await describeGroup(groups(at), groupId)).groupEpoch;
    for (const c of clients.values()) c.close();
    clients.clear();
    await Promise.all(suite.nodes.map((n) => n.halt()));
    await Promise.all(suite.nodes.map((n) => n.restart()));
    const again = await coordinator();
    assert.deepEqual(await committedOffsets(groups(again), groupId), committed);
    const d = await describeGroup(groups(again), groupId);
    assert.equal(d.state, 'Empty');
    assert.equal(d.groupEpoch, epoch);
  });
});
