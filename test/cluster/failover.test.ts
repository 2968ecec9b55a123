// The metadata quorum of 3 voters: kill -9 the active controller and another takes over within
// seconds; with 2 of 3 voters down nothing commits and CreateTopics answers with a clear error
// instead of hanging; once the voters are back, it works again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import type { ClusterNodeProcess } from '../helpers/launcher.js';
import { activeController, byId, clusterSuite, randomTopic, restartStopped, topicWithLeaders, waitFor } from './cluster-kit.js';

describe('3 voters: controller failover and loss of quorum', () => {
  const suite = clusterSuite(3);

  /** Creates a topic through `via`, retrying while the quorum settles; resolves when it exists with leaders. */
  async function createWorks(via: ClusterNodeProcess, timeoutMs: number): Promise<void> {
    const topic = randomTopic('after');
    await waitFor(`CreateTopics ${topic} through node ${via.nodeId} succeeds`, async () => {
      const r = await suite.calls.createTopic(via, topic, 3, 3, { timeoutMs: 3_000 });
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return true;
      throw new Error(`error ${r.errorCode}: ${r.errorMessage}`);
    }, timeoutMs, 200);
    await topicWithLeaders(suite.calls, via, topic, 3);
  }

  it('kill -9 the active controller: another node is active within 10 s and topic creation works again', async () => {
    const { nodes, calls } = suite;
    const old = await activeController(calls, nodes);
    const victim = byId(nodes, old);
    const survivors = nodes.filter((n) => n !== victim);
    victim.kill('SIGKILL');
    await victim.exited;
    const t0 = Date.now();
    const next = await waitFor('a new active controller reported by a survivor', async () => {
      for (const n of survivors) {
        const d = await calls.describeCluster(n).catch(() => undefined);
        if (d && d.controllerId >= 0 && d.controllerId !== old) return d.controllerId;
      }
      return undefined;
    }, 10_000, 50);
    const failoverMs = Date.now() - t0;
    assert.ok(survivors.some((n) => n.nodeId === next));
    assert.ok(failoverMs < 10_000, `failover took ${failoverMs} ms`);
    await createWorks(survivors[0]!, 10_000);
    // strait_broker_active_controller is 1 on the new controller only.
    await waitFor('strait_broker_active_controller 1 on the new controller only', async () => {
      const values = await Promise.all(survivors.map(async (n) => {
        const text = await (await fetch(`http://127.0.0.1:${n.metricsPort}/metrics`)).text();
        return Number(/^strait_broker_active_controller(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]);
      }));
      return survivors.every((n, i) => values[i] === (n.nodeId === next ? 1 : 0));
    }, 5_000);
    await victim.restart();
    // The restarted node learns the new controller and serves metadata again.
    await waitFor(`node ${victim.nodeId} reports controller ${next}`, async () => (await calls.describeCluster(victim)).controllerId >= 0, 10_000);
  });

  it('2 of 3 voters down: CreateTopics answers REQUEST_TIMED_OUT or NOT_CONTROLLER within bounds, then works after restart', async () => {
    const { nodes, calls } = suite;
    await restartStopped(nodes);
    await activeController(calls, nodes);
    const survivor = nodes[0]!;
    const down = nodes.slice(1);
    for (const n of down) n.kill('SIGKILL');
    await Promise.all(down.map((n) => n.exited));

    const topic = randomTopic('nocommit');
    const t0 = Date.now();
    const r = await calls.createTopic(survivor, topic, 1, 1, { timeoutMs: 3_000 });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 20_000, `CreateTopics returned after ${elapsed} ms`);
    assert.ok(
      r.errorCode === ErrorCode.REQUEST_TIMED_OUT || r.errorCode === ErrorCode.NOT_CONTROLLER,
      `expected REQUEST_TIMED_OUT or NOT_CONTROLLER, got ${r.errorCode} ${r.errorMessage}`,
    );
    // Nothing was committed: the topic does not exist.
    assert.equal(await calls.topic(survivor, topic), undefined);

    await Promise.all(down.map((n) => n.restart()));
    await activeController(calls, nodes, 15_000);
    await createWorks(survivor, 20_000);
  });
});
