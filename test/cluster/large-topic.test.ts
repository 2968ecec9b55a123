// A topic is created whole or not at all, however many partitions it has: CreateTopics of a wide topic
// answers NONE once, and every node then shows all its partitions with leaders. (Such a topic was
// once committed cut at 499 partitions after a leader change, and answered TOPIC_ALREADY_EXISTS to
// the request that created it; 600 partitions keep the test fast and still cross that line.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/index.js';
import { clusterSuite, randomTopic, topicWithLeaders } from './cluster-kit.js';

const PARTITIONS = 600;

describe('a 600-partition topic on 3 nodes', () => {
  const suite = clusterSuite(3, { waitForController: true });

  it('is created atomically: one NONE answer, 600 partitions with leaders on every node', async () => {
    const { nodes, calls } = suite;
    const topic = randomTopic('wide');
    const r = await calls.createTopic(nodes[0]!, topic, PARTITIONS, 3, { timeoutMs: 30_000 });
    assert.equal(r.errorCode, ErrorCode.NONE, `${r.errorCode} ${r.errorMessage}`);
    for (const node of nodes) {
      const t = await topicWithLeaders(calls, node, topic, PARTITIONS, 30_000).catch(async (err: Error) => {
        const seen = await calls.topic(node, topic);
        throw new Error(`${err.message}; node ${node.nodeId} shows ${seen?.partitions.length ?? 'no'} partitions`);
      });
      assert.equal(t.partitions.length, PARTITIONS);
    }
  });
});
