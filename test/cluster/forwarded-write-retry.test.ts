// A CreateTopics forwarded to the controller commits, but its answer never reaches the forwarding
// node; the node retries under the same request id and the client gets NONE for the topic it created
// (not TOPIC_ALREADY_EXISTS). Node 4 (a broker, not a voter) reaches each voter through a fault proxy
// that lets the write through and then drops every answer; once the controller has logged the
// commit, the link is cut (and, in the second case, the controller is killed first, so the retry
// goes to the next controller, which only has the committed log to answer from).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import type { ClusterNodeProcess } from '../helpers/launcher.js';
import { activeController, byId, clusterSuite, logLines, randomTopic, waitFor } from './cluster-kit.js';

const RETRY_ANSWERED = 'controller answered a retried request with the result of its committed original';

describe('a forwarded write whose answer is lost is answered for its own request on retry', () => {
  const proxies = new Map<number, FaultProxy>();
  before(async () => {
    for (const id of [1, 2, 3]) proxies.set(id, await FaultProxy.start());
  });
  after(async () => {
    await Promise.all([...proxies.values()].map((p) => p.close()));
  });
  // Node 4 knows the voters only by their proxies' addresses.
  const suite = clusterSuite(4, {
    controllers: 3,
    nodeConfig: (id, planned): Record<string, string> => {
      if (id !== 4) return {};
      const voters = planned['controller.quorum.voters']!.split(',').map((entry) => {
        const [voter, address] = entry.split('@') as [string, string];
        const proxy = proxies.get(Number(voter))!;
        proxy.setTarget(address);
        return `${voter}@${proxy.address}`;
      });
      return { 'controller.quorum.voters': voters.join(',') };
    },
  });

  /** Sends CreateTopics to node 4, holds the controller's answers until it has logged the commit,
   * then (after `beforeCut`) cuts the link; resolves with the client's result and the controller. */
  async function createWithLostAnswer(beforeCut: (controller: ClusterNodeProcess) => Promise<void>) {
    const { nodes, calls } = suite;
    const forwarder = byId(nodes, 4);
    const voters = nodes.filter((n) => n.nodeId !== 4);
    await waitFor('node 4 registered and unfenced', async () => (await calls.describeCluster(voters[0]!)).brokers.some((b) => b.nodeId === 4), 15_000);
    const controller = byId(nodes, await activeController(calls, voters));
    await waitFor('node 4 follows the controller', async () => (await calls.describeCluster(forwarder)).controllerId === controller.nodeId, 10_000);
    const topic = randomTopic('retried');
    const proxy = proxies.get(controller.nodeId)!;
    proxy.holdAnswersAfter(Buffer.from(topic));
    const pending = calls.createTopic(forwarder, topic, 1, 3, { timeoutMs: 20_000 });
    await waitFor(`node ${controller.nodeId} logs the commit of ${topic}`,
      () => logLines(controller, 'controller decision committed').some((l) => JSON.stringify(l.response).includes(topic)), 15_000, 20);
    assert.ok(proxy.answersHeld, 'the write went through the proxy');
    await beforeCut(controller);
    proxy.pass();
    proxy.cutAll();
    return { topic, result: await pending, controller };
  }

  it('the same controller answers the retry from its own record of the write', async () => {
    const { calls, nodes } = suite;
    const { topic, result, controller } = await createWithLostAnswer(async () => undefined);
    assert.equal(result.errorCode, ErrorCode.NONE, `${result.errorCode} ${result.errorMessage}`);
    const seen = await waitFor(`${topic} on node 4`, () => calls.topic(byId(nodes, 4), topic), 10_000);
    assert.equal(result.topicId, seen.topicId);
    const repeated = logLines(controller, RETRY_ANSWERED).filter((l) => JSON.stringify(l.response).includes(topic));
    assert.equal(repeated.length, 1, controller.output());
  });

  it('kill -9 the controller after its commit: the next controller answers the retry from the committed log', async () => {
    const { calls, nodes } = suite;
    const { topic, result, controller } = await createWithLostAnswer(async (c) => {
      c.kill('SIGKILL');
      await c.exited;
    });
    assert.equal(result.errorCode, ErrorCode.NONE, `${result.errorCode} ${result.errorMessage}`);
    const survivors = nodes.filter((n) => n.nodeId !== 4 && n !== controller);
    const next = byId(nodes, await activeController(calls, survivors));
    assert.notEqual(next.nodeId, controller.nodeId);
    const seen = await waitFor(`${topic} on node ${next.nodeId}`, () => calls.topic(next, topic), 10_000);
    assert.equal(result.topicId, seen.topicId);
    const repeated = logLines(next, RETRY_ANSWERED).filter((l) => JSON.stringify(l.response).includes(topic));
    assert.equal(repeated.length, 1, next.output());
    await controller.restart();
  });
});
