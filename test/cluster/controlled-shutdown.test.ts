// SIGTERM makes a broker hand its leaderships away before it exits (controlled shutdown): right after
// the exit no partition is led by it, long before fencing could have moved them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import { activeController, byId, clusterSuite, randomTopic, topicWithLeaders, waitFor } from './cluster-kit.js';

// Long enough that fencing cannot explain leaders moving within the test's window.
const SESSION_TIMEOUT_MS = 20_000;

describe('controlled shutdown on SIGTERM', () => {
  const suite = clusterSuite(3, { config: { 'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS) } });

  it('leaders have moved away by the time the process has exited', async () => {
    const { nodes, calls } = suite;
    const controller = await activeController(calls, nodes);
    const topic = randomTopic('handover');
    assert.equal((await calls.createTopic(nodes[0]!, topic, 6, 3)).errorCode, ErrorCode.NONE);
    const observer = byId(nodes, controller);
    const victim = nodes.find((n) => n.nodeId !== controller)!;
    const before = await topicWithLeaders(calls, observer, topic, 6);
    assert.ok(before.partitions.some((p) => p.leaderId === victim.nodeId), `node ${victim.nodeId} leads partitions`);

    const t0 = Date.now();
    const exit = await victim.halt();
    const shutdownMs = Date.now() - t0;
    assert.equal(exit.code, 0, `clean exit:\n${victim.output()}`);
    assert.ok(shutdownMs < SESSION_TIMEOUT_MS, `shutdown took ${shutdownMs} ms`);
    // Asked right after the exit, the active controller's image already shows them moved.
    const after = await calls.topic(observer, topic);
    assert.ok(after);
    const stillLed = after.partitions.filter((p) => p.leaderId === victim.nodeId).map((p) => p.partition);
    assert.deepEqual(stillLed, [], `partitions still led by node ${victim.nodeId} right after its exit`);
    for (const p of after.partitions) assert.ok(p.leaderId >= 0, `partition ${p.partition} has a leader`);

    await victim.restart();
    await waitFor(`node ${victim.nodeId} active again`, async () => (await calls.describeCluster(observer)).brokers.some((b) => b.nodeId === victim.nodeId), 10_000);
  });
});
