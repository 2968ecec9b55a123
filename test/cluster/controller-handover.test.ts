// SIGTERM to the active controller hands the metadata quorum's leadership over before the process
// exits (Raft's leadership transfer), so the cluster does not wait out an election timeout. The
// survivors' election timeout is 20 s; node 1's is short only so that it is the first controller.
// Without a hand-over no survivor could start an election until 20 s after it last heard node 1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import { activeController, byId, clusterSuite, logLines, randomTopic, topicWithLeaders, waitFor } from './cluster-kit.js';

const SURVIVOR_ELECTION_TIMEOUT_MS = 20_000;

describe('SIGTERM to the active controller: Raft leadership moves before it exits', () => {
  const suite = clusterSuite(3, {
    nodeConfig: (id) => ({ 'controller.quorum.election.timeout.ms': id === 1 ? '1000' : String(SURVIVOR_ELECTION_TIMEOUT_MS) }),
  });

  it('a survivor is elected on TimeoutNow, not on its election timeout, and admin writes go on', async () => {
    const { nodes, calls } = suite;
    const first = await waitFor('node 1 as the active controller', async () => (await activeController(calls, nodes)) === 1, 15_000);
    assert.ok(first);
    const old = byId(nodes, 1);
    const survivors = nodes.filter((n) => n !== old);
    const termBefore = logLines(old, 'elected metadata quorum leader').at(-1)!.term as number;
    assert.equal((await calls.createTopic(survivors[0]!, randomTopic('before'), 1, 3)).errorCode, ErrorCode.NONE);

    const signalledAt = Date.now();
    const exit = await old.halt();
    assert.equal(exit.code, 0, old.output());

    // The old leader says whom it handed over to; that node says why it campaigned, and leads.
    const done = logLines(old, 'leadership transfer: done');
    assert.equal(done.length, 1, old.output());
    const next = byId(nodes, done[0]!.leader as number);
    assert.ok(survivors.includes(next));
    const asked = logLines(next, 'leadership transfer: asked to lead; campaigning at once');
    assert.equal(asked.length, 1, next.output());
    assert.equal(asked[0]!.from, 1);
    const elected = logLines(next, 'elected metadata quorum leader').at(-1)!;
    assert.equal(elected.term, termBefore + 1);
    // An election on timeout could not begin before 20 s after the survivor last heard node 1, which
    // heartbeats every 200 ms until the signal (a second of slack for delivery). The new term began
    // before that (the node's own clock stamped the line; the nodes share this machine's clock).
    const earliestTimeoutElection = signalledAt - 1_000 + SURVIVOR_ELECTION_TIMEOUT_MS;
    assert.ok(elected.time < earliestTimeoutElection, `elected at ${elected.time - signalledAt} ms after the signal`);
    assert.ok(elected.time >= signalledAt, 'elected after the signal');

    // Every survivor reports the new controller and a CreateTopics through either of them commits.
    for (const n of survivors) {
      await waitFor(`node ${n.nodeId} reports controller ${next.nodeId}`, async () => (await calls.describeCluster(n)).controllerId === next.nodeId, 10_000);
    }
    for (const via of survivors) {
      const topic = randomTopic('after');
      const result = await calls.createTopic(via, topic, 2, 2);
      assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage);
      await topicWithLeaders(calls, via, topic, 2);
    }
  });
});
