// The consumer as a group member, against the in-process fake coordinator (test/groups/fake-coordinator,
// which keeps the design's rules) and a real broker process for the data: joining and consuming,
// commits and resuming, cooperative rebalances with awaited listeners, coordinator failover, broken
// streams, fencing, static membership, regex subscriptions, pause/resume, and the errors that stop a
// member. The fake records every assignment, release and commit, and every breach of the one-owner
// rule; the run ends by checking there was none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, ErrorCode, StraitError, type ConsumerOptions } from '../../../client/index.js';
import { randomTopic } from '../helpers/client-broker.js';
import { fakeGroupCluster, waitFor } from '../../groups/group-env.js';
import { MemberRunner } from '../../groups/member-runner.js';

const fast = { 'fetch.max.wait.ms': '100', 'auto.offset.reset': 'earliest', 'heartbeat.interval.ms': '200' } as const;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const range = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

test('consumer groups against the fake coordinator', async (t) => {
  const cluster = await fakeGroupCluster(t, { heartbeatIntervalMs: 200 });
  const { fake } = cluster;
  const options = (group: string, extra: Record<string, string> = {}): ConsumerOptions => ({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...fast, ...extra });
  // Members and consumers are closed when their subtest ends, while the coordinator is still up.
  type Scope = { after(fn: () => Promise<void> | void): void };
  const member = (st: Scope, group: string, topics: readonly string[] | RegExp, extra: Record<string, string> = {}, hooks = {}): MemberRunner => {
    const m = new MemberRunner(options(group, extra), topics, hooks);
    st.after(() => m.stop().catch(() => undefined));
    return m;
  };
  const consumer = (st: Scope, opts: ConsumerOptions): Consumer => {
    const c = new Consumer(opts);
    st.after(() => c.close());
    return c;
  };
  t.after(() => assert.deepEqual(fake.groups.violations, [], 'a partition was held by two members'));

  await t.test('one member gets every partition, consumes, commits, and a successor resumes after the commit', async (st) => {
    const topic = randomTopic('one');
    await cluster.createTopic(topic, 3);
    await cluster.produce(topic, 30);
    const a = member(st, 'g-one', [topic], { 'enable.auto.commit': 'false' }).start();
    await waitFor('30 records', () => a.records.length >= 30);
    assert.deepEqual(a.owned(), [`${topic}-0`, `${topic}-1`, `${topic}-2`]);
    assert.deepEqual(sorted(a.values()), sorted(range(30)));
    assert.deepEqual(a.listenerEvents.map((e) => [e.kind, e.partitions.length]), [['assigned', 3]]);
    await a.consumer.commit();
    const committed = await a.consumer.committed([0, 1, 2].map((partition) => ({ topic, partition })));
    assert.deepEqual(committed.map((c) => c?.offset), [10, 10, 10]);
    await a.stop();
    assert.deepEqual([...fake.groups.assignments('g-one')], [], 'close() left the group');
    await cluster.produce(topic, 6, 'later');
    const b = member(st, 'g-one', [topic]).start();
    await waitFor('6 more records', () => b.records.length >= 6);
    await sleep(300);
    assert.deepEqual(sorted(b.values()), sorted(range(6, 'later')), 'the successor starts after the commit');
  });

  await t.test('a second member: cooperative revocation, listener awaited, commit before release before reassignment', async (st) => {
    const topic = randomTopic('coop');
    await cluster.createTopic(topic, 4);
    await cluster.produce(topic, 40);
    const a = member(st, 'g-coop', [topic], {}, {
      onPartitionsRevoked: async () => {
        await sleep(300); // a slow listener holds the revocation up, not the rest of the group
      },
    }).start();
    await waitFor('a consumes all', () => a.records.length >= 40);
    const b = member(st, 'g-coop', [topic]).start();
    await waitFor('the group balanced 2/2', () => a.owned().length === 2 && b.owned().length === 2);
    await cluster.produce(topic, 40, 'after');
    await waitFor('both consumed the rest', () => a.records.length + b.records.length >= 80);
    await sleep(300);
    assert.deepEqual(sorted([...a.values(), ...b.values()]), sorted([...range(40), ...range(40, 'after')]), 'nothing lost, nothing twice');
    const revoked = a.listenerEvents.find((e) => e.kind === 'revoked')!;
    assert.equal(revoked.partitions.length, 2);
    // For each partition that moved: a's commit, then a's release, then b's assignment.
    for (const tp of revoked.partitions) {
      const k = `${tp.topic}\u0000${tp.partition}`;
      const history = fake.groups.events.filter((e) => e.group === 'g-coop' && 'partition' in e && e.partition === k);
      const commitAt = history.findIndex((e) => e.kind === 'commit');
      const releaseAt = history.findIndex((e) => e.kind === 'released');
      const assignB = history.findIndex((e, i) => e.kind === 'assigned' && i > releaseAt);
      assert.ok(commitAt >= 0 && commitAt < releaseAt && releaseAt < assignB, `${tp.partition}: ${JSON.stringify(history.map((e) => e.kind))}`);
    }
  });

  await t.test('the coordinator fails over: members rejoin the new one with their member id and keep their partitions', async (st) => {
    const topic = randomTopic('failover');
    await cluster.createTopic(topic, 4);
    const a = member(st, 'g-failover', [topic]).start();
    const b = member(st, 'g-failover', [topic]).start();
    await waitFor('balanced and stable', () => a.owned().length === 2 && b.owned().length === 2 && fake.groups.stateOf('g-failover') === 'Stable');
    const before = { a: a.consumer.groupMetadata()!.memberId, b: b.consumer.groupMetadata()!.memberId, owned: [a.owned(), b.owned()] };
    await cluster.produce(topic, 20);
    const eventsBefore = [a.listenerEvents.length, b.listenerEvents.length];
    fake.failover(300);
    await cluster.produce(topic, 20, 'during');
    await waitFor('every record', () => a.records.length + b.records.length >= 40);
    await waitFor('both rejoined the new coordinator', () => {
      const heard = fake.groups.assignments('g-failover');
      return heard.size === 2;
    });
    assert.equal(a.consumer.groupMetadata()!.memberId, before.a);
    assert.equal(b.consumer.groupMetadata()!.memberId, before.b);
    assert.deepEqual([a.owned(), b.owned()], before.owned);
    assert.deepEqual([a.listenerEvents.length, b.listenerEvents.length], eventsBefore, 'no partition was revoked, lost or assigned');
    await a.consumer.commit();
    assert.ok((await a.consumer.committed(a.consumer.assignment())).every((c) => c !== null), 'commits reach the new coordinator');
  });

  await t.test('broken streams: a static member rejoins as it was; a dynamic one, whose membership ended with its stream, starts over', async (st) => {
    const topic = randomTopic('cut');
    await cluster.createTopic(topic, 4);
    const s = member(st, 'g-cut', [topic], { 'group.instance.id': 'cut-static' }).start();
    const d = member(st, 'g-cut', [topic]).start();
    await waitFor('balanced', () => s.owned().length === 2 && d.owned().length === 2);
    const staticId = s.consumer.groupMetadata()!.memberId;
    const dynamicId = d.consumer.groupMetadata()!.memberId;
    fake.breakStreams();
    await cluster.produce(topic, 20);
    await waitFor('every record after the cut', () => s.records.length + d.records.length >= 20);
    await waitFor('both back in the group', () => fake.groups.assignments('g-cut').size === 2 && d.consumer.groupMetadata()!.memberId !== dynamicId);
    assert.equal(s.consumer.groupMetadata()!.memberId, staticId, 'the static member kept its member id');
    assert.equal(s.listenerEvents.filter((e) => e.kind === 'lost').length, 0);
    assert.equal(d.listenerEvents.filter((e) => e.kind === 'lost').length, 1, 'the dynamic member lost its partitions (UNKNOWN_MEMBER_ID) and joined again');
  });

  await t.test('a fenced member loses its partitions (onPartitionsLost, no commit) and rejoins', async (st) => {
    const topic = randomTopic('fenced');
    await cluster.createTopic(topic, 2);
    const a = member(st, 'g-fenced', [topic]).start();
    await waitFor('assigned', () => a.owned().length === 2);
    const id = a.consumer.groupMetadata()!.memberId;
    const commitsBefore = fake.groups.events.filter((e) => e.kind === 'commit' && e.group === 'g-fenced').length;
    fake.groups.fence('g-fenced', id);
    await waitFor('lost and assigned again', () => a.listenerEvents.some((e) => e.kind === 'lost') && a.owned().length === 2);
    assert.notEqual(a.consumer.groupMetadata()!.memberId, id, 'the coordinator forgot the fenced member: a new id');
    assert.equal(fake.groups.events.filter((e) => e.kind === 'commit' && e.group === 'g-fenced').length, commitsBefore, 'nothing committed for lost partitions');
  });

  await t.test('a static member restarted within its session gets its partitions back without a rebalance', async (st) => {
    const topic = randomTopic('static');
    await cluster.createTopic(topic, 4);
    const a = member(st, 'g-static', [topic], { 'group.instance.id': 'worker-a' }).start();
    const b = member(st, 'g-static', [topic], { 'group.instance.id': 'worker-b' }).start();
    await waitFor('balanced', () => a.owned().length === 2 && b.owned().length === 2);
    const aOwned = a.owned();
    await a.stop();
    await sleep(500);
    assert.deepEqual(b.owned().length, 2, "b does not take a's partitions while a is away");
    const a2 = member(st, 'g-static', [topic], { 'group.instance.id': 'worker-a' }).start();
    await waitFor('a2 assigned', () => a2.owned().length === 2);
    assert.deepEqual(a2.owned(), aOwned);
    assert.equal(b.listenerEvents.filter((e) => e.kind === 'revoked').length, 0);
  });

  await t.test('a second live member with the same group.instance.id is refused (UNRELEASED_INSTANCE_ID from poll)', async (st) => {
    const topic = randomTopic('dup');
    await cluster.createTopic(topic, 1);
    const a = member(st, 'g-dup', [topic], { 'group.instance.id': 'same' }).start();
    await waitFor('a assigned', () => a.owned().length === 1);
    const c = consumer(st, options('g-dup', { 'group.instance.id': 'same' }));
    c.subscribe([topic]);
    await assert.rejects(async () => {
      for (let i = 0; i < 50; i++) await c.poll(100);
    }, (e: StraitError) => e.code === ErrorCode.UNRELEASED_INSTANCE_ID);
    assert.deepEqual(a.owned(), [`${topic}-0`]);
  });

  await t.test('a regex subscription picks up a topic created later', async (st) => {
    const prefix = randomTopic('re');
    await cluster.createTopic(`${prefix}-a`, 1);
    const a = member(st, 'g-re', new RegExp(`${prefix}-.*`)).start();
    await waitFor('the first topic', () => a.owned().length === 1);
    await cluster.createTopic(`${prefix}-b`, 2);
    await waitFor('the new topic too', () => a.owned().length === 3);
    await cluster.produce(`${prefix}-b`, 4);
    await waitFor('its records', () => a.records.filter((r) => r.topic === `${prefix}-b`).length === 4);
  });

  await t.test('pause stops one partition while the others flow; resume picks up where it stopped', async (st) => {
    const topic = randomTopic('pause');
    await cluster.createTopic(topic, 2);
    const c = consumer(st, options('g-pause'));
    c.subscribe([topic]);
    for (let i = 0; i < 50 && c.assignment().length < 2; i++) await c.poll(100);
    assert.equal(c.assignment().length, 2);
    c.pause([{ topic, partition: 0 }]);
    assert.deepEqual(c.paused(), [{ topic, partition: 0 }]);
    await cluster.produce(topic, 20);
    const got: { partition: number; offset: number }[] = [];
    for (let i = 0; i < 15; i++) got.push(...(await c.poll(100)).map((r) => ({ partition: r.partition, offset: r.offset })));
    assert.ok(got.length === 10 && got.every((r) => r.partition === 1), `only partition 1 while 0 is paused: ${JSON.stringify(got)}`);
    c.resume([{ topic, partition: 0 }]);
    assert.deepEqual(c.paused(), []);
    const more: number[] = [];
    for (let i = 0; i < 30 && more.length < 10; i++) more.push(...(await c.poll(100)).filter((r) => r.partition === 0).map((r) => r.offset));
    assert.deepEqual(more, Array.from({ length: 10 }, (_, i) => i));
    assert.throws(() => c.pause([{ topic, partition: 7 }]), (e: StraitError) => e.code === ErrorCode.INVALID_REQUEST);
  });

  await t.test("the coordinator's heartbeat interval wins over heartbeat.interval.ms", async (st) => {
    const topic = randomTopic('hb');
    await cluster.createTopic(topic, 1);
    const a = member(st, 'g-hb', [topic], { 'heartbeat.interval.ms': '5000' }).start();
    await waitFor('assigned', () => a.owned().length === 1);
    const id = a.consumer.groupMetadata()!.memberId;
    const before = fake.groups.heartbeats.get(id) ?? 0;
    await sleep(1500);
    // 200 ms from the coordinator: about 7 in 1.5 s; with the client's 5 s there would be none.
    assert.ok((fake.groups.heartbeats.get(id) ?? 0) - before >= 3);
  });

  await t.test('the record iterator commits only what it handed out; close() commits and leaves', async (st) => {
    const topic = randomTopic('iter');
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 50);
    const c = new Consumer(options('g-iter', { 'max.poll.records': '50' }));
    c.subscribe([topic]);
    let seen = 0;
    for await (const r of c) {
      seen++;
      if (r.offset === 9) break;
    }
    assert.equal(seen, 10);
    await c.close();
    const check = consumer(st, options('g-iter'));
    assert.deepEqual((await check.committed([{ topic, partition: 0 }])).map((x) => x?.offset), [10]);
  });

  await t.test('assign() with a group.id commits outside membership; subscribe and assign do not mix', async (st) => {
    const topic = randomTopic('assign');
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 5);
    const c = consumer(st, options('g-assign', { 'enable.auto.commit': 'false' }));
    c.assign([{ topic, partition: 0 }]);
    assert.throws(() => c.subscribe([topic]), /mutually exclusive/);
    const got = [];
    for (let i = 0; i < 20 && got.length < 5; i++) got.push(...(await c.poll(100)));
    await c.commit();
    assert.deepEqual((await c.committed([{ topic, partition: 0 }])).map((x) => x?.offset), [5]);
    await c.commit([{ topic, partition: 0, offset: 2, metadata: 'replay' }]);
    const [again] = await c.committed([{ topic, partition: 0 }]);
    assert.deepEqual([again?.offset, again?.metadata], [2, 'replay']);
    const s = consumer(st, options('g-assign2'));
    s.subscribe([topic]);
    assert.throws(() => s.assign([{ topic, partition: 0 }]), /mutually exclusive/);
    const none = consumer(st, { 'bootstrap.servers': cluster.bootstrap });
    assert.throws(() => none.subscribe([topic]), (e: StraitError) => e.code === ErrorCode.INVALID_GROUP_ID);
    await assert.rejects(none.commit([{ topic, partition: 0, offset: 1 }]), (e: StraitError) => e.code === ErrorCode.INVALID_GROUP_ID);
  });

  await t.test('a commit from a member the coordinator no longer knows is refused with UNKNOWN_MEMBER_ID', async (st) => {
    const topic = randomTopic('zombie');
    await cluster.createTopic(topic, 1);
    await cluster.produce(topic, 3);
    const c = consumer(st, options('g-zombie', { 'enable.auto.commit': 'false' }));
    c.subscribe([topic]);
    for (let i = 0; i < 30 && c.assignment().length === 0; i++) await c.poll(100);
    // Fenced and forgotten; before the consumer hears of it, a commit goes out with the old id.
    const id = c.groupMetadata()!.memberId;
    const groupState = fake.groups.groups.get('g-zombie')!;
    groupState.members.delete(id);
    await assert.rejects(c.commit([{ topic, partition: 0, offset: 1 }]), (e: StraitError) => e.code === ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
