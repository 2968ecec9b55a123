// The consumer as a group member against real broker processes serving the Groups service: joining
// and consuming, commits and resuming, cooperative rebalances with awaited listeners, broken streams,
// a member stalled past its session, static membership, regex subscriptions, pause/resume, the
// coordinator's heartbeat interval, and the errors that stop a member or refuse its commit. One broker
// behind a fault proxy (every client connection goes through it, so a test can cut them) serves all
// but the coordinator failover, which stops the coordinator's broker in a 3-node cluster.
//
// Who owns what is read from the members' own listeners: an OwnershipLedger takes a partition when a
// member's onPartitionsAssigned is called and gives it back only once its onPartitionsRevoked (or
// onPartitionsLost) has returned, so a partition given to a second member while the first holds it,
// or before the first one's listener finished, is a violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, ErrorCode, StraitError, type ConsumerOptions, type RebalanceListener } from '../../../client/index.js';
import { randomTopic } from '../helpers/client-broker.js';
import { described, groupCluster, proxiedGroupBroker, waitFor } from '../../groups/group-env.js';
import { MemberRunner } from '../../groups/member-runner.js';
import { logDir, spawnMember, type MemberProcess } from '../../groups/processes.js';
import { OwnershipLedger, describeGroup, groupsClient } from '../../helpers/group-calls.js';

/** The coordinator's rules here: it asks for a heartbeat every 250 ms and drops a member after 3 s
 * without one (a member may ask for another session timeout within [1 s, 60 s]). */
const BROKER_GROUPS = { 'group.consumer.session.timeout.ms': '3000', 'group.consumer.heartbeat.interval.ms': '250' } as const;
const fast = { 'fetch.max.wait.ms': '100', 'auto.offset.reset': 'earliest', 'heartbeat.interval.ms': '200' } as const;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const range = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const tps = (topic: string, partitions: readonly number[]): string[] => partitions.map((p) => `${topic}-${p}`);

type Scope = { after(fn: () => Promise<void> | void): void };

/** The members of one group in a subtest, sharing a ledger; each is stopped when the subtest ends. */
function groupMembers(st: Scope, options: (extra: Record<string, string>) => ConsumerOptions) {
  const ledger = new OwnershipLedger();
  return {
    ledger,
    start(name: string, topics: readonly string[] | RegExp, extra: Record<string, string> = {}, hooks: RebalanceListener = {}): MemberRunner {
      const m = new MemberRunner(options(extra), topics, hooks, { ledger, name }).start();
      st.after(() => m.stop().catch(() => undefined));
      return m;
    },
  };
}

/** A member process's rebalance lines (A, R, L) with their partitions. */
const rebalanceLines = (m: MemberProcess): string[] => m.lines().filter((l) => /^[ARL] /.test(l));

test('the consumer as a group member, on a broker reached through a fault proxy', async (t) => {
  const cluster = await proxiedGroupBroker(t, BROKER_GROUPS);
  const options = (group: string, extra: Record<string, string> = {}): ConsumerOptions => ({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...fast, ...extra });
  const members = (st: Scope, group: string) => groupMembers(st, (extra) => options(group, extra));
  const consumer = (st: Scope, opts: ConsumerOptions): Consumer => {
    const c = new Consumer(opts);
    st.after(() => c.close());
    return c;
  };
  const describe = async (group: string) => (await described(cluster.admin, group)) ?? assert.fail(`group ${group} is not described`);

  await t.test('one member gets every partition, consumes, commits and leaves on close; a successor resumes after the commit', async (st) => {
    const topic = randomTopic('one');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 3);
    await cluster.produce(topic, 30);
    const g = members(st, group);
    const a = g.start('a', [topic], { 'enable.auto.commit': 'false' });
    await waitFor('30 records', () => a.records.length >= 30);
    assert.deepEqual(a.owned(), tps(topic, [0, 1, 2]));
    assert.deepEqual(sorted(a.values()), sorted(range(30)));
    assert.deepEqual(a.listenerEvents.map((e) => [e.kind, e.partitions.length]), [['assigned', 3]]);
    await a.consumer.commit();
    const committed = await a.consumer.committed([0, 1, 2].map((partition) => ({ topic, partition })));
    assert.deepEqual(committed.map((c) => c?.offset), [10, 10, 10]);
    await a.stop();
    const left = await describe(group);
    assert.deepEqual([left.state, left.members.length], ['Empty', 0], 'close() left the group (and waited for the coordinator to say so)');
    await cluster.produce(topic, 6, 'later');
    const b = g.start('b', [topic]);
    // Each partition's records come in order: a successor that started before the commit would have
    // every old record of a partition before its new ones.
    await waitFor('the 6 later records', () => range(6, 'later').every((v) => b.values().includes(v)));
    assert.deepEqual(sorted(b.values()), sorted(range(6, 'later')), 'the successor starts at the commit');
    assert.deepEqual(g.ledger.violations, []);
  });

  await t.test('a second member: cooperative revocation, the revoke listener awaited and the commit done before the partitions move', async (st) => {
    const topic = randomTopic('coop');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 4);
    await cluster.produce(topic, 40);
    const g = members(st, group);
    // A slow revoke listener holds its partitions' move up (the ledger sees a release only once it
    // returned), not the rest of the group.
    const a = g.start('a', [topic], {}, { onPartitionsRevoked: () => sleep(300) });
    await waitFor('a consumed everything', () => a.records.length >= 40);
    const b = g.start('b', [topic]);
    await waitFor('the group balanced 2/2', () => a.owned().length === 2 && b.owned().length === 2);
    assert.deepEqual(g.ledger.violations, [], 'a partition went to b before a finished revoking it');
    await cluster.produce(topic, 40, 'after');
    const want = sorted([...range(40), ...range(40, 'after')]);
    await waitFor('both consumed the rest', () => new Set([...a.values(), ...b.values()]).size >= 80);
    // b starts a moved partition at a's commit: a commit missing or late would have b read that
    // partition's old records again, before its new ones.
    assert.deepEqual(sorted([...a.values(), ...b.values()]), want, 'nothing lost, nothing twice');
    const revoked = a.listenerEvents.filter((e) => e.kind === 'revoked');
    assert.equal(revoked.length, 1);
    const moved = sorted(revoked[0]!.partitions.map((tp) => `${tp.topic}-${tp.partition}`));
    assert.equal(moved.length, 2);
    assert.deepEqual(sorted(b.listenerEvents.flatMap((e) => e.partitions.map((tp) => `${tp.topic}-${tp.partition}`))), moved, 'b got what a gave up');
    assert.deepEqual(sorted(b.owned()), moved);
  });

  await t.test('broken streams: a static member rejoins with its member id; a dynamic one, whose membership ended with its stream, starts over', async (st) => {
    const topic = randomTopic('cut');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 4);
    // No ledger check here: a dynamic member's membership ends when its stream breaks, and it hears
    // so only once it reconnects, so its partitions may be another's before its onPartitionsLost.
    const g = members(st, group);
    const s = g.start('s', [topic], { 'group.instance.id': `${group}-static` });
    const d = g.start('d', [topic]);
    await waitFor('balanced', () => s.owned().length === 2 && d.owned().length === 2);
    const staticId = s.consumer.groupMetadata()!.memberId;
    const dynamicId = d.consumer.groupMetadata()!.memberId;
    const eventsBefore = s.listenerEvents.length;
    assert.ok(cluster.proxy.cutAll() >= 1, 'connections were cut');
    await cluster.produce(topic, 20);
    await waitFor('every record after the cut', () => new Set([...s.values(), ...d.values()]).size >= 20);
    await waitFor('both back in the group', async () => {
      const now = await described(cluster.admin, group);
      return now?.state === 'Stable' && now.members.length === 2 && d.consumer.groupMetadata()!.memberId !== dynamicId;
    });
    assert.equal(s.consumer.groupMetadata()!.memberId, staticId, 'the static member kept its member id');
    assert.deepEqual(s.listenerEvents.slice(eventsBefore).filter((e) => e.kind === 'lost'), [], 'the static member lost nothing');
    assert.equal(d.listenerEvents.filter((e) => e.kind === 'lost').length, 1, 'the dynamic member lost its partitions (UNKNOWN_MEMBER_ID) and joined again');
    assert.deepEqual([s.error, d.error], [undefined, undefined]);
  });

  await t.test('a member stalled past its session (SIGSTOP) is dropped; awake, it loses its partitions (onPartitionsLost, nothing committed) and rejoins under a new id', async (st) => {
    const topic = randomTopic('stalled');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 2);
    await cluster.produce(topic, 20);
    const m = spawnMember(st, 'm', { bootstrap: cluster.bootstrap, group, topic, options: { 'session.timeout.ms': '1500' } }, logDir(st));
    await m.ready;
    await waitFor('m processed and committed all 20', () => m.lines().includes('C 0 10') && m.lines().includes('C 1 10'));
    const stalledId = (await describe(group)).members[0]!.memberId;
    m.pause();
    // n joins only once the coordinator has dropped m, so that all m is told while stopped is that.
    await waitFor("the coordinator dropped m after its 1.5 s session", async () => (await describe(group)).members.length === 0);
    const g = members(st, group);
    const n = g.start('n', [topic]);
    await waitFor('n holds both partitions', () => n.owned().length === 2);
    await cluster.produce(topic, 20, 'later');
    await waitFor('n consumed the later records', () => n.values().length >= 20);
    assert.deepEqual(sorted(n.values()), sorted(range(20, 'later')), "n started at m's commits");
    const linesBefore = m.lines().length;
    m.resume();
    await waitFor('m lost its partitions and was given one back', () => rebalanceLines(m).length >= 3 && /^A \d+$/.test(rebalanceLines(m).at(-1)!));
    assert.deepEqual(rebalanceLines(m).slice(0, 2), ['A 0,1', 'L 0,1'], `lost, never revoked: its partitions were already gone; m: ${m.lines().join(' | ')}`);
    const awake = m.lines().slice(linesBefore);
    const reassigned = awake.findIndex((l) => /^A \d+$/.test(l));
    assert.deepEqual(awake.slice(0, reassigned).filter((l) => !l.startsWith('A')), ['L 0,1'], `nothing processed or committed between the loss and the new assignment: ${awake.join(' | ')}`);
    await waitFor('a stable group of m and n', async () => {
      const now = await described(cluster.admin, group);
      return now?.state === 'Stable' && now.members.length === 2;
    });
    assert.ok(!(await describe(group)).members.some((x) => x.memberId === stalledId), 'm came back under a new member id');
    await cluster.produce(topic, 10, 'last');
    const processed = (): string[] => [...m.lines().filter((l) => l.startsWith('P ')).map((l) => l.slice(2).replace(' ', ':')), ...n.records.map((r) => `${r.partition}:${r.offset}`)];
    await waitFor('all 50 records processed', () => new Set(processed()).size >= 50);
    assert.equal(processed().length, 50, 'no record processed twice');
    assert.equal(await m.stop(), 0);
    await n.stop();
    const committed = (await cluster.admin.listConsumerGroupOffsets(group)).sort((x, y) => x.partition - y.partition);
    assert.deepEqual(committed.map((c) => c.offset), [25, 25], 'everything committed on close');
    assert.deepEqual(g.ledger.violations, []);
  });

  await t.test('a static member restarted within its session gets its partitions back without a rebalance', async (st) => {
    const topic = randomTopic('static');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 4);
    const g = members(st, group);
    const staticOptions = (instance: string) => ({ 'group.instance.id': `${group}-${instance}`, 'session.timeout.ms': '10000' });
    const a = g.start('a', [topic], staticOptions('a'));
    const b = g.start('b', [topic], staticOptions('b'));
    await waitFor('balanced', () => a.owned().length === 2 && b.owned().length === 2);
    const aOwned = a.owned();
    const bOwned = b.owned();
    await a.stop();
    await sleep(1000);
    assert.deepEqual(b.owned(), bOwned, "b does not take a's partitions while a is away");
    const a2 = g.start('a2', [topic], staticOptions('a'));
    await waitFor('a2 assigned', () => a2.owned().length === 2);
    assert.deepEqual(a2.owned(), aOwned);
    assert.deepEqual(b.owned(), bOwned);
    assert.deepEqual(b.listenerEvents.filter((e) => e.kind !== 'assigned'), [], 'b was never revoked');
    assert.deepEqual(g.ledger.violations, []);
  });

  await t.test('a second live member with the same group.instance.id is refused (UNRELEASED_INSTANCE_ID from poll)', async (st) => {
    const topic = randomTopic('dup');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 1);
    const g = members(st, group);
    const instance = { 'group.instance.id': `${group}-same` };
    const a = g.start('a', [topic], instance);
    await waitFor('a assigned', () => a.owned().length === 1);
    const c = consumer(st, options(group, instance));
    c.subscribe([topic]);
    await assert.rejects(async () => {
      for (let i = 0; i < 100; i++) await c.poll(100);
    }, (e: StraitError) => e.code === ErrorCode.UNRELEASED_INSTANCE_ID);
    assert.deepEqual(a.owned(), tps(topic, [0]));
    assert.deepEqual(a.listenerEvents.map((e) => e.kind), ['assigned']);
    assert.deepEqual(g.ledger.violations, []);
  });

  await t.test('a regex subscription picks up a topic created later', async (st) => {
    const prefix = randomTopic('re');
    await cluster.createTopic(`${prefix}-a`, 1);
    const a = members(st, `g-${prefix}`).start('a', new RegExp(`^${prefix}-.*`));
    await waitFor('the first topic', () => a.owned().length === 1);
    await cluster.createTopic(`${prefix}-b`, 2);
    await waitFor('the new topic too', () => a.owned().length === 3);
    await cluster.produce(`${prefix}-b`, 4);
    await waitFor('its records', () => a.records.filter((r) => r.topic === `${prefix}-b`).length === 4);
  });

  await t.test('pause stops one partition while the others flow; resume picks up where it stopped', async (st) => {
    const topic = randomTopic('pause');
    const c = consumer(st, options(`g-${topic}`));
    await cluster.createTopic(topic, 2);
    c.subscribe([topic]);
    for (let i = 0; i < 100 && c.assignment().length < 2; i++) await c.poll(100);
    assert.equal(c.assignment().length, 2);
    c.pause([{ topic, partition: 0 }]);
    assert.deepEqual(c.paused(), [{ topic, partition: 0 }]);
    await cluster.produce(topic, 20);
    const got: { partition: number; offset: number }[] = [];
    const fromOne = (): number => got.filter((r) => r.partition === 1).length;
    for (let i = 0; i < 200 && fromOne() < 10; i++) got.push(...(await c.poll(100)).map((r) => ({ partition: r.partition, offset: r.offset })));
    // A few more polls: partition 0's records are there to fetch, and must not come.
    for (let i = 0; i < 5; i++) got.push(...(await c.poll(100)).map((r) => ({ partition: r.partition, offset: r.offset })));
    assert.ok(got.length === 10 && got.every((r) => r.partition === 1), `only partition 1 while 0 is paused: ${JSON.stringify(got)}`);
    c.resume([{ topic, partition: 0 }]);
    assert.deepEqual(c.paused(), []);
    const more: number[] = [];
    for (let i = 0; i < 200 && more.length < 10; i++) more.push(...(await c.poll(100)).filter((r) => r.partition === 0).map((r) => r.offset));
    assert.deepEqual(more, Array.from({ length: 10 }, (_, i) => i));
    assert.throws(() => c.pause([{ topic, partition: 7 }]), (e: StraitError) => e.code === ErrorCode.INVALID_REQUEST);
  });

  await t.test("the coordinator's heartbeat interval (group.consumer.heartbeat.interval.ms) wins over heartbeat.interval.ms", async (st) => {
    const topic = randomTopic('hb');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 1);
    // At its own 5 s interval the member would miss the coordinator's 3 s session and be dropped.
    const a = members(st, group).start('a', [topic], { 'heartbeat.interval.ms': '5000' });
    await waitFor('assigned', () => a.owned().length === 1);
    const id = a.consumer.groupMetadata()!.memberId;
    await sleep(4500);
    assert.deepEqual(a.listenerEvents.map((e) => e.kind), ['assigned'], 'never lost its partition');
    assert.equal(a.consumer.groupMetadata()!.memberId, id);
    assert.deepEqual((await describe(group)).members.map((x) => x.memberId), [id], 'still a member, under the same id');
  });

  await t.test('the record iterator commits only what it handed out; close() commits and leaves', async (st) => {
    const topic = randomTopic('iter');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 50);
    const c = new Consumer(options(group, { 'max.poll.records': '50' }));
    c.subscribe([topic]);
    let seen = 0;
    for await (const r of c) {
      seen++;
      if (r.offset === 9) break;
    }
    assert.equal(seen, 10);
    await c.close();
    assert.equal((await describe(group)).members.length, 0, 'close() left the group');
    const check = consumer(st, options(group));
    assert.deepEqual((await check.committed([{ topic, partition: 0 }])).map((x) => x?.offset), [10]);
  });

  await t.test('assign() with a group.id commits outside membership; subscribe and assign do not mix', async (st) => {
    const topic = randomTopic('assign');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 5);
    const c = consumer(st, options(group, { 'enable.auto.commit': 'false' }));
    c.assign([{ topic, partition: 0 }]);
    assert.throws(() => c.subscribe([topic]), /mutually exclusive/);
    const got = [];
    for (let i = 0; i < 200 && got.length < 5; i++) got.push(...(await c.poll(100)));
    assert.equal(got.length, 5);
    await c.commit();
    assert.deepEqual((await c.committed([{ topic, partition: 0 }])).map((x) => x?.offset), [5]);
    await c.commit([{ topic, partition: 0, offset: 2, metadata: 'replay' }]);
    const [again] = await c.committed([{ topic, partition: 0 }]);
    assert.deepEqual([again?.offset, again?.metadata], [2, 'replay']);
    const s = consumer(st, options(`${group}-subscribed`));
    s.subscribe([topic]);
    assert.throws(() => s.assign([{ topic, partition: 0 }]), /mutually exclusive/);
    const none = consumer(st, { 'bootstrap.servers': cluster.bootstrap });
    assert.throws(() => none.subscribe([topic]), (e: StraitError) => e.code === ErrorCode.INVALID_GROUP_ID);
    await assert.rejects(none.commit([{ topic, partition: 0, offset: 1 }]), (e: StraitError) => e.code === ErrorCode.INVALID_GROUP_ID);
  });

  await t.test('a commit from a member the coordinator no longer knows is refused with UNKNOWN_MEMBER_ID', async (st) => {
    const topic = randomTopic('zombie');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 3);
    // A long backoff keeps the member from rejoining (and learning its fate) for seconds after its
    // stream breaks.
    const c = consumer(st, options(group, { 'enable.auto.commit': 'false', 'retry.backoff.ms': '10000', 'retry.backoff.max.ms': '10000' }));
    c.subscribe([topic]);
    for (let i = 0; i < 100 && c.assignment().length === 0; i++) await c.poll(100);
    assert.equal(c.assignment().length, 1);
    const id = c.groupMetadata()!.memberId;
    // The cut closes the member's stream, which ends a dynamic membership at once; the broker is
    // asked directly (not through the proxy) until it has forgotten the member.
    assert.ok(cluster.proxy.cutAll() >= 1);
    const direct = groupsClient(cluster.broker.address);
    st.after(() => direct.close());
    await waitFor('the coordinator forgot the member', async () => (await describeGroup(direct, group)).members.length === 0);
    assert.equal(c.groupMetadata()!.memberId, id, 'the member has not heard yet');
    await assert.rejects(c.commit([{ topic, partition: 0, offset: 1 }]), (e: StraitError) => e.code === ErrorCode.UNKNOWN_MEMBER_ID);
    assert.deepEqual(await cluster.admin.listConsumerGroupOffsets(group), [], 'nothing committed');
  });
});

test('consumer groups on a 3-node cluster', async (t) => {
  const cluster = await groupCluster(t, 3, { ...BROKER_GROUPS, 'group.consumer.session.timeout.ms': '10000', 'replica.lag.time.max.ms': '3000' });

  // In a subtest, so that its members close before the cluster stops.
  await t.test("the coordinator's broker stops (SIGTERM): members move to the new coordinator with their member ids and partitions", async (st) => {
    const topic = randomTopic('failover');
    const group = `g-${topic}`;
    await cluster.createTopic(topic, 4, 3);
    const g = groupMembers(st, (extra) => ({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...fast, ...extra }));
    const a = g.start('a', [topic]);
    const b = g.start('b', [topic]);
    let coordinatorId = -1;
    await waitFor('a stable group with 2 partitions each', async () => {
      const d = await described(cluster.admin, group);
      coordinatorId = d?.coordinator?.nodeId ?? -1;
      return d?.state === 'Stable' && d.members.length === 2 && a.owned().length === 2 && b.owned().length === 2;
    }, 60_000);
    const ids = [a, b].map((m) => m.consumer.groupMetadata()!.memberId);
    const owned = [a.owned(), b.owned()];
    const eventsBefore = [a.listenerEvents.length, b.listenerEvents.length];
    await cluster.produce(topic, 20);

    const victim = cluster.nodes.find((n) => n.nodeId === coordinatorId) ?? assert.fail(`no node ${coordinatorId}`);
    const halted = victim.halt();
    await cluster.produce(topic, 20, 'during');
    await halted;
    await waitFor('every record', () => new Set([...a.values(), ...b.values()]).size >= 40, 60_000);
    await waitFor('a new coordinator serving both members', async () => {
      const d = await described(cluster.admin, group);
      return d !== undefined && d.coordinator?.nodeId !== coordinatorId && d.state === 'Stable' && d.members.length === 2;
    }, 60_000);
    assert.deepEqual([a, b].map((m) => m.consumer.groupMetadata()!.memberId), ids, 'both kept their member ids');
    assert.deepEqual([a.owned(), b.owned()], owned, 'both kept their partitions');
    assert.deepEqual([a.listenerEvents.length, b.listenerEvents.length], eventsBefore, 'no partition was revoked, lost or assigned');
    assert.deepEqual(sorted([...a.values(), ...b.values()]), sorted([...range(20), ...range(20, 'during')]), 'nothing lost, nothing twice');
    await a.consumer.commit();
    assert.ok((await a.consumer.committed(a.consumer.assignment())).every((c) => c !== null), 'commits reach the new coordinator');
    assert.deepEqual(g.ledger.violations, []);
  });
});
