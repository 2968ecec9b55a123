// SDK group members on three broker processes while the group's coordinator dies: the broker that
// coordinates the group (and leads some of the topic's partitions) is killed with -9; the members
// find the new coordinator, rejoin with their member ids and keep their partitions (no revocation,
// nothing lost), consumption goes on from the new leaders, and every record is consumed exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomTopic } from '../client/helpers/client-broker.js';
import { groupCluster, waitFor } from './group-env.js';
import { MemberRunner } from './member-runner.js';
import { steadyProducer } from './processes.js';

test("SDK members ride out the coordinator's broker killed with -9", async (t) => {
  const cluster = await groupCluster(t, 3, { 'replica.lag.time.max.ms': '3000', 'group.consumer.session.timeout.ms': '20000' });
  const topic = randomTopic('failover');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 6, 3);
  const producer = steadyProducer(t, cluster.bootstrap, topic, 6, 50);
  const members = [0, 1, 2].map(() => {
    const m = new MemberRunner({
      'bootstrap.servers': cluster.bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '100',
      'auto.commit.interval.ms': '200', 'session.timeout.ms': '20000',
    }, [topic]).start();
    t.after(() => m.stop().catch(() => undefined));
    return m;
  });
  let coordinatorId = -1;
  await waitFor('a stable group of 3 with 2 partitions each', async () => {
    const d = (await cluster.admin.describeGroups([group]).catch(() => []))[0];
    coordinatorId = d?.coordinator?.nodeId ?? -1;
    return d?.state === 'Stable' && d.members.every((m) => m.assignment.length === 2) && d.members.length === 3;
  }, 60_000);
  const owned = members.map((m) => m.owned());
  const events = members.map((m) => m.listenerEvents.length);
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const victim = cluster.nodes.find((n) => n.nodeId === coordinatorId)!;
  const killedAt = Date.now();
  victim.kill('SIGKILL');
  await victim.exited;
  await waitFor('a new coordinator with the same 3 members', async () => {
    const d = (await cluster.admin.describeGroups([group]).catch(() => []))[0];
    return d !== undefined && d.coordinator?.nodeId !== coordinatorId && d.members.length === 3 && d.state === 'Stable';
  }, 60_000);
  t.diagnostic(`the group was served again ${Date.now() - killedAt} ms after node ${coordinatorId} was killed`);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const sent = await producer.stop();
  await waitFor(`all ${sent} records consumed`, () => new Set(members.flatMap((m) => m.values())).size >= sent, 60_000);

  assert.deepEqual(members.map((m) => m.owned()), owned, 'every member kept its partitions');
  assert.deepEqual(members.map((m, i) => m.listenerEvents.slice(events[i]).map((e) => e.kind)), [[], [], []], 'nothing revoked or lost');
  const values = members.flatMap((m) => m.values());
  assert.equal(values.length, new Set(values).size, 'no record consumed twice');
  for (const m of members) await m.consumer.commit();
  const committed = (await cluster.admin.listConsumerGroupOffsets(group)).reduce((n, c) => n + c.offset, 0);
  assert.equal(committed, sent, 'the commits after the failover reached the new coordinator');
});
