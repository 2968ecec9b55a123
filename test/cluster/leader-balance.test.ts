// Preferred leaders across three real broker processes (node 1 is the only controller, so that nodes
// 2 and 3 can leave and come back without a controller election): a preferred replica that left
// (controlled shutdown) and came back does not lead again by itself while auto.leader.rebalance.enable
// is off; `strait leader-election --election-type preferred` gives it its leaderships back, with
// kafka-leader-election.sh's lines; with auto.leader.rebalance.enable and a short
// leader.imbalance.check.interval.seconds, the controller does it by itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ErrorCode } from '../../client/index.js';
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import { runLeaderElection } from '../../cli/commands/leader-election.js';
import { batchOf, produce } from '../helpers/broker-calls.js';
import { brokerClient } from '../helpers/grpc-clients.js';
import { bootstrapOf, type ClusterNodeProcess } from '../helpers/launcher.js';
import { byId, clusterSuite, logLines, randomTopic, waitFor, type NodeCalls } from './cluster-kit.js';

function writable(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } }), text: () => text };
}

/** The leader of each partition as `from` sees it. */
async function leaders(calls: NodeCalls, from: ClusterNodeProcess, topic: string): Promise<number[]> {
  const t = await calls.topic(from, topic);
  return t ? [...t.partitions].sort((a, b) => a.partition - b.partition).map((p) => p.leaderId) : [];
}

/** Creates a topic with these replica lists; node 2 leaves cleanly (its leaderships move to the next
 * ISR member) and comes back; resolves once it is back in every ISR. */
async function preferredReplicaComesBack(suite: { nodes: ClusterNodeProcess[]; calls: NodeCalls }, prefix: string, assignments: number[][]) {
  const node = (id: number) => byId(suite.nodes, id);
  const topic = randomTopic(prefix);
  const created = await suite.calls.createTopic(node(1), topic, -1, -1, { assignments });
  assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage);
  const preferred = assignments.map((r) => r[0]!);
  await waitFor(`${topic} led by its preferred replicas`, async () => (await leaders(suite.calls, node(1), topic)).join() === preferred.join(), 10_000);
  assert.equal((await node(2).halt()).code, 0);
  await waitFor(`${topic}: node 2 leads nothing`, async () => !(await leaders(suite.calls, node(1), topic)).includes(2), 10_000);
  await node(2).restart();
  await waitFor(`${topic}: node 2 back in every ISR`, async () => {
    const t = await suite.calls.topic(node(1), topic);
    return t !== undefined && t.partitions.every((p) => p.isrNodes.includes(2));
  }, 15_000);
  return topic;
}

describe('preferred leader election with strait leader-election', () => {
  const suite = clusterSuite(3, { controllers: 1, waitForController: true, config: { 'auto.leader.rebalance.enable': 'false' } });
  const node = (id: number) => byId(suite.nodes, id);

  it('a preferred replica that came back leads again once elected; the CLI says what it elected, what needed nothing, and what failed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-elect-'));
    const clients: BrokerClient[] = [];
    const client = (n: ClusterNodeProcess): BrokerClient => {
      const c = brokerClient(n.address);
      clients.push(c);
      return c;
    };
    try {
      const topic = await preferredReplicaComesBack(suite, 'elect', [[2, 1, 3], [3, 2, 1], [2, 3, 1]]);
      // Records written while node 2 was away are on it now (it is back in the ISR).
      const before = await produce(client(node(1)), topic, 0, batchOf(['w-1', 'w-2']), -1);
      assert.equal(before.errorCode, ErrorCode.NONE, before.errorMessage);
      assert.deepEqual(await leaders(suite.calls, node(1), topic), [1, 3, 3], 'nothing moves leaderships back by itself');

      const elect = async (...argv: string[]) => {
        const out = writable();
        const err = writable();
        const code = await runLeaderElection(['--bootstrap-server', bootstrapOf(suite.nodes), '--election-type', 'preferred', ...argv], out.stream, err.stream);
        return { code, out: out.text(), err: err.text() };
      };
      assert.deepEqual(await elect('--topic', topic, '--partition', '1'), { code: 0, out: `Valid replica already elected for partitions ${topic}-1\n`, err: '' });

      const file = path.join(dir, 'partitions.json');
      writeFileSync(file, JSON.stringify({ partitions: [{ topic, partition: 0 }, { topic, partition: 9 }] }));
      assert.deepEqual(await elect('--path-to-json-file', file), {
        code: 1,
        out: `Successfully completed leader election (PREFERRED) for partitions ${topic}-0\n`
          + `Error completing leader election (PREFERRED) for partition: ${topic}-9: UNKNOWN_TOPIC_OR_PARTITION: Partition ${topic}-9 does not exist.\n`,
        err: 'strait leader-election: 1 replica(s) could not be elected\n',
      });
      assert.deepEqual(await elect('--all-topic-partitions'), { code: 0, out: `Successfully completed leader election (PREFERRED) for partitions ${topic}-2\n`, err: '' });
      // Over every partition again: nothing needed an election, so nothing is reported.
      assert.deepEqual(await elect('--all-topic-partitions'), { code: 0, out: '', err: '' });

      for (const n of suite.nodes) {
        await waitFor(`node ${n.nodeId} sees the preferred leaders`, async () => (await leaders(suite.calls, n, topic)).join() === '2,3,2', 10_000);
      }
      // Node 2 leads partition 0 with the whole log: the next record follows the ones written while it was away.
      const next = await waitFor('node 2 takes records as leader of partition 0', async () => {
        const r = await produce(client(node(2)), topic, 0, batchOf(['after']), -1);
        return r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? false : r;
      }, 5_000);
      assert.deepEqual([next.errorCode, next.baseOffset], [ErrorCode.NONE, before.baseOffset + 2]);
    } finally {
      for (const c of clients) c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('auto.leader.rebalance.enable with leader.imbalance.check.interval.seconds=1', () => {
  const suite = clusterSuite(3, {
    controllers: 1, waitForController: true,
    config: { 'auto.leader.rebalance.enable': 'true', 'leader.imbalance.check.interval.seconds': '1', 'leader.imbalance.per.broker.percentage': '10' },
  });

  it('the controller moves leadership back to the preferred replica by itself once it is back in the ISR', async () => {
    const topic = await preferredReplicaComesBack(suite, 'auto', [[2, 1, 3], [3, 2, 1], [2, 3, 1]]);
    const controller = byId(suite.nodes, 1);
    await waitFor(`${topic}: leaders back on their preferred replicas`, async () => (await leaders(suite.calls, controller, topic)).join() === '2,3,2', 15_000);
    const rebalances = logLines(controller, 'auto leader rebalance: preferred replicas elected');
    const moved = rebalances.flatMap((l) => l.partitions as string[]);
    assert.deepEqual(moved.filter((p) => p.startsWith(topic)).sort(), [`${topic}-0`, `${topic}-2`], JSON.stringify(rebalances));
  });
});
