// offsets.retention.minutes against a real broker process, at its smallest (1 minute, checked every
// 500 ms): the offsets of a group that never had members and of a group whose last member left
// expire and the groups go; a group with a live member keeps its offsets however old. Takes a
// little over a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import { useBrokers } from '../../helpers/launcher.js';
import { adminClient } from '../../helpers/grpc-clients.js';
import { createTopic, randomTopic } from '../../helpers/broker-calls.js';
import { RawMember, commit, committedOffsets, describeGroup, findCoordinator, groupsClient } from '../../helpers/group-calls.js';

const RETENTION_MS = 60_000;

test('an empty group\'s offsets expire after offsets.retention.minutes; a group with members keeps them', { timeout: 120_000 }, async (t) => {
  const broker = await useBrokers(t).start({
    config: {
      'offsets.retention.minutes': '1',
      'offsets.retention.check.interval.ms': '500',
      'group.consumer.min.session.timeout.ms': '500',
      'group.consumer.heartbeat.interval.ms': '300',
    },
  });
  const groups = groupsClient(broker.address);
  const admin = adminClient(broker.address);
  const members: RawMember[] = [];
  t.after(() => {
    for (const m of members) m.close();
    groups.close();
    admin.close();
  });
  const topic = randomTopic('expiry');
  await createTopic(admin, topic, 2);
  const simple = randomTopic('simple');
  const left = randomTopic('left');
  const live = randomTopic('live');
  for (const g of [simple, left, live]) {
    for (let i = 0; i < 200; i++) {
      const found = await findCoordinator(groups, g);
      const d = found.errorCode === ErrorCode.NONE ? await describeGroup(groups, g) : undefined;
      if (d?.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const committedAt = Date.now();
  assert.equal((await commit(groups, simple, '', -1, { [topic]: { 0: 3 } })).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  const leaving = new RawMember(groups, { groupId: left, subscribedTopics: [topic] }, { heartbeatMs: 300, name: 'leaving' });
  const staying = new RawMember(groups, { groupId: live, subscribedTopics: [topic], sessionTimeoutMs: 10_000 }, { heartbeatMs: 300, name: 'staying' });
  members.push(leaving, staying);
  await leaving.waitFor('2 partitions', () => leaving.owned.size === 2 && staying.owned.size === 2);
  assert.equal((await commit(groups, left, leaving.memberId, leaving.memberEpoch, { [topic]: { 0: 4, 1: 5 } })).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  assert.equal((await commit(groups, live, staying.memberId, staying.memberEpoch, { [topic]: { 0: 6 } })).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  // Taken before the leave is sent: the group becomes empty no sooner.
  const emptyAt = Date.now();
  leaving.leave();
  await leaving.waitFor('the leave answer', () => leaving.responses.some((r) => r.memberEpoch === -1));

  // Well before the retention has passed, everything is still there (checked only when this check
  // itself runs that early, so a slow machine cannot turn it into a false failure).
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  const lookedAt = Date.now();
  const simpleMid = await committedOffsets(groups, simple);
  const leftMid = await committedOffsets(groups, left);
  if (Date.now() - committedAt < RETENTION_MS - 5_000) {
    assert.deepEqual(simpleMid, { [`${topic}-0`]: 3 });
    assert.deepEqual(leftMid, { [`${topic}-0`]: 4, [`${topic}-1`]: 5 });
  } else {
    t.diagnostic(`the mid-way check ran ${lookedAt - committedAt} ms after the commit: too late to tell`);
  }

  const deadline = Date.now() + 75_000;
  for (;;) {
    const [a, b] = [await describeGroup(groups, simple), await describeGroup(groups, left)];
    if (a.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && b.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) break;
    if (Date.now() > deadline) throw new Error(`the empty groups did not expire: ${JSON.stringify([a, b])}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // Expired no sooner than the retention after the commit (the group that never had members) and
  // after the group became empty (the one whose member left).
  assert.ok(Date.now() - committedAt >= RETENTION_MS);
  assert.ok(Date.now() - emptyAt >= RETENTION_MS);
  assert.deepEqual(await committedOffsets(groups, simple), {});
  assert.deepEqual(await committedOffsets(groups, left), {});
  assert.deepEqual(await committedOffsets(groups, live), { [`${topic}-0`]: 6 }, 'a group with a member keeps its offsets');
  assert.equal((await describeGroup(groups, live)).members.length, 1);
  assert.match(broker.output(), /removed expired offsets and groups/);
});
