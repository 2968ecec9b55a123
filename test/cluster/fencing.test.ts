// A broker that stops heartbeating is fenced after broker.session.timeout.ms and its leaderships
// move to other ISR members; restarted, it registers again and is unfenced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import { activeController, clusterSuite, randomTopic, topicWithLeaders, waitFor } from './cluster-kit.js';

const SESSION_TIMEOUT_MS = 2_000;

describe('fencing after broker.session.timeout.ms', () => {
  const suite = clusterSuite(3, { config: { 'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS) } });

  it('kill -9 a leading broker: fenced, its leaderships move to live ISR members; back unfenced after restart', async () => {
    const { nodes, calls } = suite;
    const controller = await activeController(calls, nodes);
    const topic = randomTopic('fenced');
    assert.equal((await calls.createTopic(nodes[0]!, topic, 6, 3)).errorCode, ErrorCode.NONE);
    // The victim leads partitions and is not the controller (a controller failover is another test).
    const victim = nodes.find((n) => n.nodeId !== controller)!;
    const observer = nodes.find((n) => n.nodeId === controller)!;
    const before = await topicWithLeaders(calls, observer, topic, 6);
    const led = before.partitions.filter((p) => p.leaderId === victim.nodeId);
    assert.ok(led.length > 0, `node ${victim.nodeId} leads partitions`);

    victim.kill('SIGKILL');
    await victim.exited;
    const t0 = Date.now();
    const moved = await waitFor(`leaderships of node ${victim.nodeId} moved`, async () => {
      const t = await calls.topic(observer, topic);
      return t && t.partitions.every((p) => p.leaderId !== victim.nodeId && p.leaderId >= 0) ? t : undefined;
    }, SESSION_TIMEOUT_MS + 8_000, 50);
    const movedAfterMs = Date.now() - t0;
    for (const p of moved.partitions.filter((x) => led.some((l) => l.partition === x.partition))) {
      const was = before.partitions.find((b) => b.partition === p.partition)!;
      assert.ok(was.isrNodes.includes(p.leaderId), `partition ${p.partition}: new leader ${p.leaderId} was in the ISR ${was.isrNodes}`);
      assert.ok(p.leaderEpoch > was.leaderEpoch, `partition ${p.partition}: leader epoch grew`);
      assert.ok(!p.isrNodes.includes(victim.nodeId), `partition ${p.partition}: the fenced broker left the ISR`);
    }
    const d = await calls.describeCluster(observer);
    assert.ok(d.nodes.find((n) => n.nodeId === victim.nodeId)?.fenced, `node ${victim.nodeId} is fenced (moved after ${movedAfterMs} ms)`);
    assert.ok(!d.brokers.some((b) => b.nodeId === victim.nodeId), 'a fenced broker is not offered to clients');

    await victim.restart();
    await waitFor(`node ${victim.nodeId} unfenced`, async () => {
      const now = await calls.describeCluster(observer);
      return now.brokers.some((b) => b.nodeId === victim.nodeId) && now.nodes.some((n) => n.nodeId === victim.nodeId && !n.fenced);
    }, 10_000);
  });
});
