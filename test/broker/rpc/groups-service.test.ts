// The Groups service against a real broker process, over raw gRPC (no SDK): FindCoordinator and
// __consumer_offsets, membership on GroupStreams (cooperative moves, session timeout, closed
// streams, static members, regex subscriptions), offsets and their named refusals, the admin calls,
// the group metrics, and a restart that reloads groups and offsets from the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import type { CreatePartitionsResponse__Output } from '../../../client/wire/generated/strait/v1/CreatePartitionsResponse.js';
import type { DeleteGroupsResponse__Output } from '../../../client/wire/generated/strait/v1/DeleteGroupsResponse.js';
import type { DescribeConfigsResponse__Output } from '../../../client/wire/generated/strait/v1/DescribeConfigsResponse.js';
import type { ListGroupsResponse__Output } from '../../../client/wire/generated/strait/v1/ListGroupsResponse.js';
import type { MetadataResponse__Output } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { OffsetDeleteResponse__Output } from '../../../client/wire/generated/strait/v1/OffsetDeleteResponse.js';
import type { OffsetFetchResponse__Output } from '../../../client/wire/generated/strait/v1/OffsetFetchResponse.js';
import type { FindCoordinatorResponse__Output } from '../../../client/wire/generated/strait/v1/FindCoordinatorResponse.js';
import type { GroupsClient } from '../../../client/wire/generated/strait/v1/Groups.js';
import { ConfigResourceType } from '../../../client/wire/generated/strait/v1/ConfigResourceType.js';
import { useBrokers } from '../../helpers/launcher.js';
import { adminClient, brokerClient, rpc, within } from '../../helpers/grpc-clients.js';
import { batchOf, createTopic, produce, randomTopic } from '../../helpers/broker-calls.js';
import {
  OwnershipLedger, RawMember, commit, committedOffsets, describeGroup, findCoordinator, groupsClient, waitForStable,
} from '../../helpers/group-calls.js';

const CONFIG = {
  'group.consumer.min.session.timeout.ms': '500',
  'group.consumer.session.timeout.ms': '10000',
  'group.consumer.heartbeat.interval.ms': '300',
  'group.lag.refresh.interval.ms': '200',
  'auto.create.topics.enable': 'false',
};

/** Until the group's coordinator serves it (its __consumer_offsets partition loaded). */
async function coordinatorReady(groups: GroupsClient, groupId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = await findCoordinator(groups, groupId).catch(() => undefined);
    if (found?.errorCode === ErrorCode.NONE) {
      const d = await describeGroup(groups, groupId);
      if (d.errorCode === ErrorCode.NONE || d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return;
    }
    if (Date.now() > deadline) throw new Error(`the coordinator of ${groupId} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function metric(port: number, line: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

test('the Groups service on one broker', async (t) => {
  const broker = await useBrokers(t).start({ config: CONFIG });
  const groups = groupsClient(broker.address);
  const admin = adminClient(broker.address);
  const client = brokerClient(broker.address);
  const members: RawMember[] = [];
  const member = (...args: ConstructorParameters<typeof RawMember>): RawMember => {
    const m = new RawMember(...args);
    members.push(m);
    return m;
  };
  t.after(() => {
    for (const m of members) m.close();
    groups.close();
    admin.close();
    client.close();
  });

  await t.test('FindCoordinator creates __consumer_offsets: 50 partitions, compacted, internal, closed to producers', async () => {
    const found = await findCoordinator(groups, 'first-group');
    assert.equal(found.errorCode, ErrorCode.NONE, found.errorMessage);
    assert.equal(found.nodeId, 1);
    assert.equal(found.port, broker.port);
    const md = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ topics: ['__consumer_offsets'] }, within(5000), cb));
    assert.equal(md.topics[0]!.partitions.length, 50);
    assert.equal(md.topics[0]!.isInternal, true);
    const configs = await rpc<DescribeConfigsResponse__Output>((cb) => admin.DescribeConfigs({
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: '__consumer_offsets', configurationKeys: ['cleanup.policy', 'segment.bytes'] }],
    }, within(5000), cb));
    const byName = new Map(configs.results[0]!.configs.map((c) => [c.name, c.value]));
    assert.equal(byName.get('cleanup.policy'), 'compact');
    assert.equal(byName.get('segment.bytes'), '104857600');
    assert.equal((await produce(client, '__consumer_offsets', 0, batchOf(['x']))).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const empty = await rpc<FindCoordinatorResponse__Output>((cb) => groups.FindCoordinator({ groupId: '' }, within(5000), cb));
    assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  await t.test('3 members over 12 partitions get 4 each; a 4th joins and only the moved partitions are revoked', async (t) => {
    const topic = randomTopic('rebalance');
    await createTopic(admin, topic, 12);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const ledger = new OwnershipLedger();
    const old = [0, 1, 2].map((i) => member(groups, { groupId, subscribedTopics: [topic], clientId: `c${i}` }, { ledger, heartbeatMs: 300, name: `m${i}` }));
    for (const m of old) await m.waitFor('4 partitions', () => m.owned.size === 4 && !old.some((o) => o.owned.size !== 4));
    const before = new Map(old.map((m) => [m, new Set(m.owned)]));
    const releasedBefore = new Map(old.map((m) => [m, m.released.length]));
    const joinedAt = Date.now();
    const newcomer = member(groups, { groupId, subscribedTopics: [topic], clientId: 'c3' }, { ledger, heartbeatMs: 300, name: 'm3' });
    await newcomer.waitFor('3 partitions', () => newcomer.owned.size === 3 && old.every((m) => m.owned.size === 3));
    t.diagnostic(`the 4th member owned its 3 partitions ${Date.now() - joinedAt} ms after it joined`);
    for (const m of old) {
      const gaveUp = m.released.slice(releasedBefore.get(m)!).map((r) => r.tp);
      assert.equal(gaveUp.length, 1, `${m.name} gave up ${gaveUp.join(',')}`);
      assert.ok(newcomer.owned.has(gaveUp[0]!), `${m.name} gave up ${gaveUp[0]}, which went to the newcomer`);
      // Everything else it had, it never stopped owning.
      for (const tp of before.get(m)!) if (tp !== gaveUp[0]) assert.ok(m.owned.has(tp));
    }
    assert.deepEqual(ledger.violations, []);
    const d = await waitForStable(groups, groupId, [...old, newcomer]);
    assert.equal(d.members.length, 4);
    for (const x of d.members) assert.equal(x.memberEpoch, d.assignmentEpoch);
    assert.equal(d.assignor, 'uniform');
    assert.equal(await metric(broker.metricsPort, `strait_group_members{group="${groupId}"}`), 4);
    assert.ok((await metric(broker.metricsPort, `strait_group_rebalances_total{group="${groupId}"}`))! >= 2);
    const listed = await rpc<ListGroupsResponse__Output>((cb) => groups.ListGroups({ statesFilter: ['stable'] }, within(5000), cb));
    assert.ok(listed.groups.some((g) => g.groupId === groupId && g.state === 'Stable' && g.groupType === 'consumer'));
    for (const m of [...old, newcomer]) m.close();
  });

  await t.test('a member that stops heartbeating loses its partitions after its session timeout; a closed stream ends a member at once', async () => {
    const topic = randomTopic('session');
    await createTopic(admin, topic, 6);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const join = (i: number, sessionTimeoutMs: number) => ({ groupId, subscribedTopics: [topic], clientId: `c${i}`, sessionTimeoutMs });
    const a = member(groups, join(0, 1500), { heartbeatMs: 200, name: 'a' });
    const b = member(groups, join(1, 60_000), { heartbeatMs: 200, name: 'b' });
    const c = member(groups, join(2, 60_000), { heartbeatMs: 200, name: 'c' });
    await c.waitFor('2 each', () => [a, b, c].every((m) => m.owned.size === 2));
    a.pause();
    await b.waitFor('a\'s partitions', () => b.owned.size + c.owned.size === 6);
    // The coordinator last heard from a no sooner than it last sent: its session ran out after that.
    const silent = Date.now() - a.lastSentAt;
    assert.ok(silent >= 1490, `a's partitions moved ${silent} ms after it last spoke, before its 1500 ms session ended`);
    await a.waitFor('UNKNOWN_MEMBER_ID', () => a.responses.some((r) => r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID));
    // c's session is 60 s: only its closed stream can end it within this wait.
    c.close();
    await b.waitFor('all 6', () => b.owned.size === 6);
    const d = await describeGroup(groups, groupId);
    assert.deepEqual(d.members.map((m) => m.memberId), [b.memberId]);
    b.close();
  });

  await t.test('a member that does not give partitions up within its rebalance timeout leaves; the other gets them', async () => {
    const topic = randomTopic('stuck');
    await createTopic(admin, topic, 4);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const stuck = member(groups, { groupId, subscribedTopics: [topic], sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 1000 }, { heartbeatMs: 200, holdRevoked: true, name: 'stuck' });
    await stuck.waitFor('4 partitions', () => stuck.owned.size === 4);
    // Taken before the join is sent: the revocation it starts begins no sooner.
    const joinedAt = Date.now();
    const other = member(groups, { groupId, subscribedTopics: [topic], sessionTimeoutMs: 60_000 }, { heartbeatMs: 200, name: 'other' });
    // It heartbeats all along, so only the rebalance timeout can end it.
    await other.waitFor('all 4 partitions', () => other.owned.size === 4);
    assert.ok(Date.now() - joinedAt >= 1000, `the partitions moved ${Date.now() - joinedAt} ms after the rebalance began, before the 1000 ms rebalance timeout`);
    await stuck.waitFor('UNKNOWN_MEMBER_ID', () => stuck.responses.some((r) => r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID));
    other.close();
  });

  await t.test('static members: -2 keeps the assignment for a restart; a live instance id is not taken; the old instance is fenced', async () => {
    const topic = randomTopic('static');
    await createTopic(admin, topic, 4);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const join = (instanceId: string) => ({ groupId, instanceId, subscribedTopics: [topic], sessionTimeoutMs: 20_000 });
    const s1 = member(groups, join('i-1'), { heartbeatMs: 200, name: 's1' });
    const s2 = member(groups, join('i-2'), { heartbeatMs: 200, name: 's2' });
    await s2.waitFor('2 each', () => s1.owned.size === 2 && s2.owned.size === 2);
    const had = s1.ownedList();
    const oldId = s1.memberId;
    const oldEpoch = s1.memberEpoch;
    s1.leave(-2);
    await s1.waitFor('the leave answer', () => s1.responses.some((r) => r.memberEpoch === -2));
    s1.close();
    const away = await describeGroup(groups, groupId);
    const held = away.members.find((m) => m.memberId === oldId)!;
    assert.equal(held.memberEpoch, -2);
    assert.deepEqual(held.assignment.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).sort(), had);
    assert.equal(s2.owned.size, 2, 'the other member does not get them');
    const twin = member(groups, join('i-2'), { name: 'twin' });
    await twin.waitFor('UNRELEASED_INSTANCE_ID', () => twin.lastError() === ErrorCode.UNRELEASED_INSTANCE_ID);
    const back = member(groups, join('i-1'), { heartbeatMs: 200, name: 's1-restarted' });
    await back.waitFor('its partitions back', () => back.owned.size === 2);
    assert.deepEqual(back.ownedList(), had);
    const zombie = member(groups, { ...join('i-1'), memberId: oldId, memberEpoch: oldEpoch }, { name: 'zombie' });
    await zombie.waitFor('FENCED_INSTANCE_ID', () => zombie.lastError() === ErrorCode.FENCED_INSTANCE_ID);
    for (const m of [back, s2, twin, zombie]) m.close();
  });

  await t.test('a regex subscription picks up new matching topics and added partitions', async () => {
    const prefix = randomTopic('re');
    await createTopic(admin, `${prefix}-a`, 2);
    await createTopic(admin, randomTopic('other'), 1);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const m = member(groups, { groupId, subscribedTopicRegex: `${prefix}-.*` }, { heartbeatMs: 200, name: 'regex' });
    await m.waitFor('2 partitions', () => m.owned.size === 2);
    await createTopic(admin, `${prefix}-b`, 1);
    await m.waitFor('the new topic', () => m.owned.has(`${prefix}-b-0`));
    const grown = await rpc<CreatePartitionsResponse__Output>((cb) => admin.CreatePartitions({ topics: [{ name: `${prefix}-a`, count: 4 }] }, within(10_000), cb));
    assert.equal(grown.topics[0]!.errorCode, ErrorCode.NONE);
    await m.waitFor('the added partitions', () => m.owned.size === 5);
    m.close();
  });

  await t.test('offsets: commits and fetches, and every refusal with its named error', async () => {
    const topic = randomTopic('offsets');
    await createTopic(admin, topic, 2);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const code = (res: { topics: { partitions: { errorCode: number }[] }[] }): number => res.topics[0]!.partitions[0]!.errorCode;
    // A member commit to a group that does not exist; a simple commit creates it.
    assert.equal(code(await commit(groups, groupId, 'nobody', 3, { [topic]: { 0: 1 } })), ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(code(await commit(groups, groupId, '', -1, { [topic]: { 0: 7 } }, 'simple')), ErrorCode.NONE);
    const m = member(groups, { groupId, subscribedTopics: [topic] }, { heartbeatMs: 200, name: 'committer' });
    await m.waitFor('2 partitions', () => m.owned.size === 2);
    assert.equal(code(await commit(groups, groupId, m.memberId, m.memberEpoch, { [topic]: { 0: 10, 1: 20 } }, 'meta')), ErrorCode.NONE);
    assert.equal(code(await commit(groups, groupId, m.memberId, m.memberEpoch - 1, { [topic]: { 0: 11 } })), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(code(await commit(groups, groupId, m.memberId, m.memberEpoch + 1, { [topic]: { 0: 11 } })), ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(code(await commit(groups, groupId, 'not-a-member', m.memberEpoch, { [topic]: { 0: 11 } })), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(code(await commit(groups, groupId, '', -1, { [topic]: { 0: 11 } })), ErrorCode.UNKNOWN_MEMBER_ID, 'no simple commits while the group has members');
    assert.equal(code(await commit(groups, groupId, m.memberId, m.memberEpoch, { [topic]: { 9: 1 } })), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(code(await commit(groups, groupId, m.memberId, m.memberEpoch, { [topic]: { 0: 1 } }, 'x'.repeat(5000))), ErrorCode.OFFSET_METADATA_TOO_LARGE);
    assert.deepEqual(await committedOffsets(groups, groupId), { [`${topic}-0`]: 10, [`${topic}-1`]: 20 });
    const fetched = await rpc<OffsetFetchResponse__Output>((cb) => groups.OffsetFetch({ groupId, topics: [{ topic, partitions: [0, 1] }, { topic: 'unknown', partitions: [0] }] }, within(5000), cb));
    assert.deepEqual(fetched.topics.map((t) => t.partitions.map((p) => [p.offset, p.metadata])), [[[10, 'meta'], [20, 'meta']], [[-1, '']]]);
    const stale = await rpc<OffsetFetchResponse__Output>((cb) => groups.OffsetFetch({ groupId, memberId: m.memberId, memberEpoch: m.memberEpoch - 1, topics: [] }, within(5000), cb));
    assert.equal(stale.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    // OffsetDelete and DeleteGroups refuse while the member subscribes; then they go through.
    const subscribed = await rpc<OffsetDeleteResponse__Output>((cb) => groups.OffsetDelete({ groupId, topics: [{ topic, partitions: [0] }] }, within(5000), cb));
    assert.equal(code(subscribed), ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const busy = await rpc<DeleteGroupsResponse__Output>((cb) => groups.DeleteGroups({ groupIds: [groupId] }, within(5000), cb));
    assert.equal(busy.groups[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP);
    m.leave();
    await m.waitFor('the leave answer', () => m.responses.some((r) => r.memberEpoch === -1));
    assert.equal((await describeGroup(groups, groupId)).state, 'Empty');
    const deleted = await rpc<OffsetDeleteResponse__Output>((cb) => groups.OffsetDelete({ groupId, topics: [{ topic, partitions: [0] }] }, within(5000), cb));
    assert.equal(code(deleted), ErrorCode.NONE);
    assert.deepEqual(await committedOffsets(groups, groupId), { [`${topic}-1`]: 20 });
    const gone = await rpc<DeleteGroupsResponse__Output>((cb) => groups.DeleteGroups({ groupIds: [groupId, randomTopic('never')] }, within(5000), cb));
    assert.deepEqual(gone.groups.map((g) => g.errorCode), [ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
    const dead = await describeGroup(groups, groupId);
    assert.equal(dead.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(dead.state, 'Dead');
    m.close();
  });

  await t.test('stream refusals: a heartbeat before a join, a second member on one stream', async () => {
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const topic = randomTopic('stream');
    await createTopic(admin, topic, 1);
    const m = member(groups, { groupId, subscribedTopics: [topic] }, { name: 'one' });
    await m.waitFor('joined', () => m.memberId !== '');
    m.send({ join: { groupId, subscribedTopics: [topic] } });
    await m.waitFor('INVALID_REQUEST', () => m.lastError() === ErrorCode.INVALID_REQUEST);
    m.leave();
    await m.waitFor('left', () => m.responses.some((r) => r.memberEpoch === -1));
    m.heartbeat();
    await m.waitFor('UNKNOWN_MEMBER_ID', () => m.lastError() === ErrorCode.UNKNOWN_MEMBER_ID);
    m.close();
    // A fenced member (a heartbeat with an epoch it cannot have) gives everything up; closing its
    // stream then does not end it, and it comes back under its id with epoch 0 on another stream.
    const fenced = member(groups, { groupId, subscribedTopics: [topic] }, { name: 'fenced' });
    await fenced.waitFor('its partition', () => fenced.owned.size === 1);
    fenced.heartbeat(fenced.memberEpoch + 5);
    await fenced.waitFor('FENCED_MEMBER_EPOCH', () => fenced.lastError() === ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(fenced.owned.size, 0);
    fenced.cancel();
    // Time for the coordinator to see the stream go (it would end a member still on it at once).
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok((await describeGroup(groups, groupId)).members.some((x) => x.memberId === fenced.memberId));
    const returning = member(groups, { groupId, subscribedTopics: [topic], memberId: fenced.memberId, memberEpoch: 0 }, { name: 'returning' });
    await returning.waitFor('its partition again', () => returning.owned.size === 1);
    assert.equal(returning.memberId, fenced.memberId);
    returning.close();
    // A member that sends its leave and half-closes at once still gets the answer, then the end.
    const quick = member(groups, { groupId, subscribedTopics: [topic] }, { name: 'quick' });
    await quick.waitFor('joined', () => quick.memberId !== '');
    quick.leave();
    quick.close();
    await quick.waitFor('the leave answer after its half-close', () => quick.responses.some((r) => r.memberEpoch === -1));
  });

  await t.test('lag metrics: log end minus committed, per partition and summed per group', async () => {
    const topic = randomTopic('lag');
    await createTopic(admin, topic, 2);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    for (let i = 0; i < 3; i++) assert.equal((await produce(client, topic, 0, batchOf(['a', 'b', 'c', 'd']))).errorCode, ErrorCode.NONE);
    assert.equal((await produce(client, topic, 1, batchOf(['a', 'b']))).errorCode, ErrorCode.NONE);
    assert.equal((await commit(groups, groupId, '', -1, { [topic]: { 0: 5, 1: 2 } })).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const lag0 = `strait_group_lag{group="${groupId}",topic="${topic}",partition="0"}`;
    const deadline = Date.now() + 15_000;
    while ((await metric(broker.metricsPort, lag0)) !== 7) {
      if (Date.now() > deadline) throw new Error(`${lag0} never reached 7`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await metric(broker.metricsPort, `strait_group_lag{group="${groupId}",topic="${topic}",partition="1"}`), 0);
    assert.equal(await metric(broker.metricsPort, `strait_group_lag_sum{group="${groupId}"}`), 7);
  });

  await t.test('a restart reloads groups and committed offsets from __consumer_offsets', async () => {
    const topic = randomTopic('reload');
    await createTopic(admin, topic, 3);
    const groupId = randomTopic('g');
    await coordinatorReady(groups, groupId);
    const m = member(groups, { groupId, subscribedTopics: [topic], sessionTimeoutMs: 30_000 }, { name: 'before' });
    await m.waitFor('3 partitions', () => m.owned.size === 3);
    assert.equal((await commit(groups, groupId, m.memberId, m.memberEpoch, { [topic]: { 0: 1, 1: 2, 2: 3 } })).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const described = await describeGroup(groups, groupId);
    broker.kill('SIGKILL');
    await broker.exited;
    await broker.restart();
    await coordinatorReady(groups, groupId);
    assert.deepEqual(await committedOffsets(groups, groupId), { [`${topic}-0`]: 1, [`${topic}-1`]: 2, [`${topic}-2`]: 3 });
    const after = await describeGroup(groups, groupId);
    assert.equal(after.groupEpoch, described.groupEpoch);
    assert.deepEqual(after.members.map((x) => [x.memberId, x.memberEpoch, x.assignment]), described.members.map((x) => [x.memberId, x.memberEpoch, x.assignment]));
    // The member rejoins on a new stream with its id and epoch and keeps what it had.
    const again = member(groups, { groupId, subscribedTopics: [topic], memberId: m.memberId, memberEpoch: m.memberEpoch, owned: m.ownedWire() }, { name: 'after' });
    await again.waitFor('its partitions', () => again.owned.size === 3);
    assert.equal(again.memberId, m.memberId);
    again.close();
  });
});
