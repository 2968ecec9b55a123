// Partition replication across three real broker processes (DESIGN §7): RF=3, min.insync.replicas=2.
// Node 1 is the only controller (the metadata quorum of one voter), nodes 2 and 3 are brokers only,
// so that followers and leaders can be killed without losing the controller; each scenario chooses
// its partition's leader by the replica order it creates the topic with. The scenarios share the
// cluster and run in order; the last one stops every node cleanly and compares each topic's
// segment files, byte for byte, on all three replicas.
//
// Settings: replica.lag.time.max.ms=1000 (a follower that does not catch up leaves the ISR within
// about 1.5 s, the leader's check running every 500 ms), broker.session.timeout.ms=4000 (a frozen or
// killed node is fenced well after it left the ISR for lagging).
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeRecordBatches, ErrorCode } from '../../client/index.js';
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import type { FetchablePartitionResponse__Output } from '../../client/wire/generated/strait/v1/FetchablePartitionResponse.js';
import { batchOf, fetchPartition, produce, readAll } from '../helpers/broker-calls.js';
import { brokerClient } from '../helpers/grpc-clients.js';
import { bootstrapOf, type ClusterNodeProcess } from '../helpers/launcher.js';
import { runTopics } from '../../cli/commands/topics.js';
import { checkDeliveries, formatReport } from '../faults/delivery-checker.js';
import { readTopic } from '../faults/topic-reader.js';
import { Workload } from '../faults/workload.js';
import { byId, clusterSuite, randomTopic, restartStopped, waitFor } from './cluster-kit.js';

const LAG_MS = 1000;
const SESSION_MS = 4000;

describe('replicated partitions: 3 brokers, RF=3, min.insync.replicas=2', () => {
  const suite = clusterSuite(3, {
    controllers: 1,
    waitForController: true,
    config: {
      'replica.lag.time.max.ms': String(LAG_MS),
      'broker.session.timeout.ms': String(SESSION_MS),
      'replica.fetch.backoff.ms': '200',
      'min.insync.replicas': '2',
    },
  });
  const topics: string[] = [];
  const clients = new Map<string, BrokerClient>();
  const client = (node: ClusterNodeProcess): BrokerClient => {
    let c = clients.get(node.address);
    if (!c) clients.set(node.address, (c = brokerClient(node.address)));
    return c;
  };
  const node = (id: number): ClusterNodeProcess => byId(suite.nodes, id);

  /** Whatever an earlier scenario left stopped or frozen runs again, so that one failure does not
   * sink the next scenario. */
  async function recover(): Promise<void> {
    for (const n of suite.nodes) n.resume();
    await restartStopped(suite.nodes);
  }

  /** A topic of one partition with this replica order (the first replica leads). */
  async function createTopic(prefix: string, replicas: number[]): Promise<string> {
    await recover();
    const topic = randomTopic(prefix);
    const created = await suite.calls.createTopic(node(1), topic, -1, -1, { assignments: [replicas] });
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage);
    topics.push(topic);
    await waitFor(`${topic}: led by ${replicas[0]} with the full ISR on every node`, async () => {
      for (const n of suite.nodes) {
        const p = (await suite.calls.topic(n, topic))?.partitions[0];
        if (p?.leaderId !== replicas[0] || p.isrNodes.length !== 3) return false;
      }
      return true;
    }, 10_000);
    return topic;
  }

  /** The partition as `from` sees it (leader, epoch, ISR). */
  async function partitionAt(from: ClusterNodeProcess, topic: string) {
    const p = (await suite.calls.topic(from, topic))?.partitions[0];
    assert.ok(p, `${topic} on node ${from.nodeId}`);
    return p;
  }

  async function scrape(n: ClusterNodeProcess): Promise<string> {
    return (await fetch(`http://127.0.0.1:${n.metricsPort}/metrics`)).text();
  }

  function metric(text: string, name: string, labels = ''): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  /** strait_log_end_offset and strait_log_high_watermark of the topic's partition 0 on a node. */
  async function offsetsOn(n: ClusterNodeProcess, topic: string): Promise<{ end: number | undefined; hw: number | undefined }> {
    const text = await scrape(n);
    const labels = `topic="${topic}",partition="0"`;
    return { end: metric(text, 'strait_log_end_offset', labels), hw: metric(text, 'strait_log_high_watermark', labels) };
  }

  /** Every replica holds `end` records and knows them committed. */
  async function converged(topic: string, end: number, nodes: readonly ClusterNodeProcess[] = suite.nodes): Promise<void> {
    await waitFor(`${topic}: log end and high watermark ${end} on nodes ${nodes.map((n) => n.nodeId).join(',')}`, async () => {
      for (const n of nodes) {
        const o = await offsetsOn(n, topic);
        if (o.end !== end || o.hw !== end) return false;
      }
      return true;
    }, 15_000);
  }

  /** What `strait topics --describe --topic T [flags]` prints, asking `via`. */
  async function cliDescribe(via: ClusterNodeProcess, topic: string, ...flags: string[]): Promise<string> {
    let text = '';
    const out = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
    assert.equal(await runTopics(['--bootstrap-server', via.address, '--describe', '--topic', topic, ...flags], out), 0);
    return text;
  }

  async function produceValues(to: ClusterNodeProcess, topic: string, values: string[], acks: number) {
    return produce(client(to), topic, 0, batchOf(values), acks);
  }

  /** Whole-batch record offsets of a fetch answer, each checked to lie below its high watermark. */
  function offsetsBelowHighWatermark(p: FetchablePartitionResponse__Output): number[] {
    const offsets = decodeRecordBatches(p.records).flatMap((b) => b.records.map((r) => r.offset));
    for (const o of offsets) assert.ok(o < p.highWatermark, `a consumer got offset ${o}, at or above the high watermark ${p.highWatermark}`);
    return offsets;
  }

  it('acks=all: every acknowledged record is on all three replicas; a consumer never sees above the high watermark', async () => {
    const topic = await createTopic('all', [1, 2, 3]);
    const leader = node(1);
    let seen = 0;
    let producing = true;
    // A consumer long-polling the leader while records go in.
    const deadline = Date.now() + 30_000;
    const watching = (async () => {
      while ((producing || seen < 400) && Date.now() < deadline) {
        const p = await fetchPartition(client(leader), topic, 0, seen, { maxWaitMs: 200, minBytes: 1 });
        assert.equal(p.errorCode, ErrorCode.NONE);
        const offsets = offsetsBelowHighWatermark(p);
        if (offsets.length > 0) seen = offsets.at(-1)! + 1;
      }
    })();
    for (let i = 0; i < 40; i++) {
      const r = await produceValues(leader, topic, Array.from({ length: 10 }, (_, j) => `a-${i * 10 + j}`), -1);
      assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage);
      assert.equal(r.baseOffset, i * 10);
    }
    producing = false;
    await watching;
    assert.equal(seen, 400, 'the consumer saw every record');
    await converged(topic, 400);
  });

  it('a follower frozen with SIGSTOP leaves the ISR after replica.lag.time.max.ms, before it is fenced; consumers see only what the ISR holds; it rejoins after SIGCONT', async () => {
    const topic = await createTopic('freeze', [1, 2, 3]);
    const leader = node(1);
    const frozen = node(3);
    assert.equal((await produceValues(leader, topic, Array.from({ length: 50 }, (_, i) => `f-${i}`), -1)).errorCode, ErrorCode.NONE);
    await converged(topic, 50);
    const shrinksBefore = metric(await scrape(leader), 'strait_broker_isr_shrinks_total') ?? 0;
    const expandsBefore = metric(await scrape(leader), 'strait_broker_isr_expands_total') ?? 0;

    frozen.pause();
    try {
      const frozenAt = Date.now();
      // acks=1 is answered by the leader alone; the records are not committed while node 3 is in the ISR.
      const r = await produceValues(leader, topic, Array.from({ length: 20 }, (_, i) => `g-${i}`), 1);
      assert.deepEqual([r.errorCode, r.baseOffset], [ErrorCode.NONE, 50]);
      await waitFor('node 3 out of the ISR', async () => {
        // Fetch first, ISR second: node 3 in the ISR now means it was in it at the fetch, and its log
        // ends at 50 while it is frozen.
        const p = await fetchPartition(client(leader), topic, 0, 0);
        assert.equal(p.errorCode, ErrorCode.NONE);
        offsetsBelowHighWatermark(p);
        const isr = (await partitionAt(leader, topic)).isrNodes;
        if (isr.includes(3)) {
          assert.equal(p.highWatermark, 50, 'the high watermark passed a frozen member of the ISR');
          return false;
        }
        return true;
      }, SESSION_MS + 2_000, 50);
      const shrankAfterMs = Date.now() - frozenAt;
      const cluster = await suite.calls.describeCluster(leader);
      assert.equal(cluster.nodes.find((n) => n.nodeId === 3)?.fenced, false, `node 3 left the ISR by lagging (after ${shrankAfterMs} ms), not by fencing`);
      assert.equal(metric(await scrape(leader), 'strait_broker_isr_shrinks_total'), shrinksBefore + 1);
      assert.equal(metric(await scrape(leader), 'strait_broker_under_replicated_partitions'), 1);
      // The CLI shows the ISR as it now is, and lists the partition as under-replicated.
      assert.match(await cliDescribe(leader, topic), /\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\n/);
      assert.equal(await cliDescribe(leader, topic, '--under-replicated-partitions'), `\tTopic: ${topic}\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\n`);
      // With the ISR {1, 2} the records are committed and a consumer sees them.
      await waitFor('the acks=1 records visible', async () => (await fetchPartition(client(leader), topic, 0, 0)).highWatermark === 70, 5_000);
    } finally {
      frozen.resume();
    }
    await waitFor('node 3 back in the ISR', async () => (await partitionAt(leader, topic)).isrNodes.includes(3), 10_000);
    await converged(topic, 70);
    assert.equal(await cliDescribe(leader, topic, '--under-replicated-partitions'), '');
    const after = await scrape(leader);
    assert.equal(metric(after, 'strait_broker_isr_expands_total'), expandsBefore + 1);
    assert.equal(metric(after, 'strait_broker_under_replicated_partitions'), 0);
  });

  it('two of three replicas down: acks=all gets NOT_ENOUGH_REPLICAS, acks=1 still works; nothing committed is lost when they return', async () => {
    const topic = await createTopic('down', [1, 2, 3]);
    const leader = node(1);
    const committed = Array.from({ length: 30 }, (_, i) => `c-${i}`);
    assert.equal((await produceValues(leader, topic, committed, -1)).errorCode, ErrorCode.NONE);
    const down = [node(2), node(3)];
    for (const n of down) n.kill('SIGKILL');
    await Promise.all(down.map((n) => n.exited));
    try {
      await waitFor('the ISR down to the leader', async () => (await partitionAt(leader, topic)).isrNodes.join() === '1', 10_000);
      const refused = await produceValues(leader, topic, ['refused'], -1);
      assert.equal(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS, refused.errorMessage);
      const lone = await produceValues(leader, topic, ['one-1', 'one-2'], 1);
      assert.deepEqual([lone.errorCode, lone.baseOffset], [ErrorCode.NONE, 30]);
      assert.ok((metric(await scrape(leader), 'strait_broker_under_min_isr_partitions') ?? 0) >= 1, 'under min.insync.replicas');
    } finally {
      await Promise.all(down.map((n) => n.restart()));
    }
    await waitFor('both back in the ISR', async () => (await partitionAt(leader, topic)).isrNodes.length === 3, 15_000);
    await converged(topic, 32);
    const values = (await readAll(client(leader), topic)).map((r) => r.value);
    assert.deepEqual(values, [...committed, 'one-1', 'one-2'], 'the refused record was not written');
  });

  it('a former leader that comes back with records the others never got truncates them by leader epoch and converges', async () => {
    const topic = await createTopic('diverge', [2, 1, 3]);
    const old = node(2);
    assert.equal((await produceValues(old, topic, Array.from({ length: 30 }, (_, i) => `d-${i}`), -1)).errorCode, ErrorCode.NONE);
    await converged(topic, 30);
    const { leaderEpoch } = await partitionAt(node(1), topic);
    // Both followers frozen (node 1, the controller, cannot commit an ISR change meanwhile): the
    // leader alone takes acks=1 records. First their fetches parked at the leader run out
    // (replica.fetch.wait.max.ms): a parked fetch would still carry the new records to them.
    const followers = [node(1), node(3)];
    for (const n of followers) n.pause();
    let orphaned;
    try {
      await new Promise((resolve) => setTimeout(resolve, 800));
      orphaned = await produceValues(old, topic, Array.from({ length: 10 }, (_, i) => `orphan-${i}`), 1);
      old.kill('SIGKILL');
      await old.exited;
    } finally {
      for (const n of followers) n.resume();
    }
    assert.deepEqual([orphaned.errorCode, orphaned.baseOffset], [ErrorCode.NONE, 30]);
    // Fenced after its session, node 2's leadership moves to node 1 (first in replica order of the ISR).
    await waitFor('node 1 leads after node 2 is fenced', async () => {
      const p = await partitionAt(node(1), topic);
      return p.leaderId === 1 && p.leaderEpoch > leaderEpoch;
    }, SESSION_MS + 10_000);
    // Until node 1 acts as leader it refuses with NOT_LEADER_OR_FOLLOWER, which writes nothing.
    const next = await waitFor('node 1 takes records as leader', async () => {
      const r = await produceValues(node(1), topic, Array.from({ length: 5 }, (_, i) => `e-${i}`), -1);
      return r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? false : r;
    }, 5_000);
    assert.deepEqual([next.errorCode, next.baseOffset], [ErrorCode.NONE, 30], next.errorMessage);

    await old.restart();
    await waitFor('node 2 back in the ISR', async () => (await partitionAt(node(1), topic)).isrNodes.includes(2), 15_000);
    await converged(topic, 35);
    assert.match(old.output(), /truncating by leader epoch/, 'node 2 truncated by leader epoch');
    const values = (await readAll(client(node(1)), topic)).map((r) => r.value);
    assert.deepEqual(values, [...Array.from({ length: 30 }, (_, i) => `d-${i}`), ...Array.from({ length: 5 }, (_, i) => `e-${i}`)]);
  });

  it('an idempotent acks=all producer follows a leader killed with -9: every acknowledged record once, at its offset', async () => {
    const topic = await createTopic('idem', [3, 1, 2]);
    const victim = node(3);
    const workload = new Workload({
      bootstrap: bootstrapOf(suite.nodes), topic, producers: 1, ratePerSecond: 300, durationMs: 3_000 + SESSION_MS,
      producerSettings: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'retry.backoff.ms': 100, 'request.timeout.ms': 5_000, 'delivery.timeout.ms': 60_000 },
    });
    const load = workload.run();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    victim.kill('SIGKILL');
    await victim.exited;
    const killedAtMs = Date.now() - workload.startedAt;
    await load;
    assert.ok(await workload.settled(30_000), 'every send settled');
    const closes = await workload.close(5_000);
    await victim.restart();
    await waitFor('node 3 back in the ISR', async () => (await partitionAt(node(1), topic)).isrNodes.includes(3), 15_000);
    const logs = await readTopic(bootstrapOf(suite.nodes), topic, 1);
    const report = checkDeliveries({ topic, deliveries: workload.deliveries, logs, closes });
    assert.equal(report.violations.length, 0, formatReport(report, `${topic}: leader killed at ${killedAtMs} ms`));
    const acked = workload.deliveries.filter((d) => d.outcome.kind === 'acked');
    assert.ok(acked.some((d) => d.settledAtMs! < killedAtMs), 'records acknowledged before the kill');
    assert.ok(acked.some((d) => d.sentAtMs > killedAtMs), 'records sent after the kill acknowledged by the new leader');
    await converged(topic, logs[0]!.endOffset);
  });

  it('after a clean stop, every topic\'s segment files are the same bytes on all three replicas', async () => {
    // Brokers first, the controller last, each stopped cleanly (leaderships move away as it goes).
    for (const id of [2, 3, 1]) {
      const exit = await node(id).halt();
      assert.equal(exit.code, 0, `node ${id} stopped cleanly:\n${node(id).output().slice(-2000)}`);
    }
    for (const c of clients.values()) c.close();
    assert.ok(topics.length >= 5);
    for (const topic of topics) {
      const copies = suite.nodes.map((n) => segmentBytes(n.dataDir, topic));
      assert.ok(copies[0]!.length > 0, `${topic} holds records`);
      for (const [i, copy] of copies.entries()) {
        assert.ok(copy.equals(copies[0]!), `${topic}: node ${suite.nodes[i]!.nodeId} holds ${copy.length} bytes that differ from node ${suite.nodes[0]!.nodeId}'s ${copies[0]!.length}`);
      }
    }
  });
});

/** The partition's segment files (partition 0), oldest first, as one run of bytes from offset 0. */
function segmentBytes(dataDir: string, topic: string): Buffer {
  const dir = path.join(dataDir, `${topic}-0`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  assert.equal(files[0], '00000000000000000000.log', `${dir} starts at offset 0`);
  return Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
}
