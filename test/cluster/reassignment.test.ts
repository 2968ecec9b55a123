// Partition reassignment across four real broker processes (nodes 1-3 are the metadata quorum, node 4
// a broker only), through the CLI as an operator runs it: strait reassign-partitions --execute /
// --verify / --cancel, strait topics --describe, strait log-dirs, strait leader-election.
// - a throttled move: the new replica's copy grows at about the throttle (at most 3x over a window
//   of seconds) and is still behind when the window ends; --verify shows how far; lifting the
//   throttle lets it finish; --verify then says completed and clears every throttle;
// - a cancelled move: back to the original replica, the added replica's directory gone;
// - moving under load: all leaders piled on node 1, a plan that spreads them and moves one partition
//   off node 1 onto node 4, executed while an idempotent acks=all producer runs; the reassignment
//   completes, a preferred election spreads the leaders, nothing acknowledged is lost or duplicated,
//   node 1's directory of the moved partition is gone, and after a clean stop every replica on disk
//   holds the same batches as the others.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Admin, ConfigSource, ErrorCode } from '../../client/index.js';
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import { runLeaderElection } from '../../cli/commands/leader-election.js';
import { runReassignPartitions } from '../../cli/commands/reassign-partitions.js';
import { runTopics } from '../../cli/commands/topics.js';
import { batchOf, produce } from '../helpers/broker-calls.js';
import { brokerClient } from '../helpers/grpc-clients.js';
import { bootstrapOf, type ClusterNodeProcess } from '../helpers/launcher.js';
import { checkDeliveries, formatReport } from '../faults/delivery-checker.js';
import { readNodeReplicas } from '../faults/replica-files.js';
import { checkReplicas, formatReplicaReport } from '../faults/replica-checker.js';
import { readTopic } from '../faults/topic-reader.js';
import { Workload } from '../faults/workload.js';
import { byId, clusterSuite, partitionDirs, randomTopic, waitFor } from './cluster-kit.js';

const THROTTLE_BYTES_PER_S = 200_000;

/** Runs a CLI command's function and returns its exit code and output. */
async function cli(run: (argv: string[], out: NodeJS.WritableStream) => Promise<number>, argv: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const out = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
  const code = await run(argv, out);
  return { code, text };
}

describe('partition reassignment: 4 brokers, through the CLI', () => {
  const suite = clusterSuite(4, {
    controllers: 3,
    waitForController: true,
    // Leaders move only when an operator (or this test) asks.
    config: { 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '200', 'min.insync.replicas': '2' },
  });
  const node = (id: number): ClusterNodeProcess => byId(suite.nodes, id);
  const bootstrap = (): string => bootstrapOf(suite.nodes);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-reassign-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const clients = new Map<string, BrokerClient>();
  const client = (n: ClusterNodeProcess): BrokerClient => {
    let c = clients.get(n.address);
    if (!c) clients.set(n.address, (c = brokerClient(n.address)));
    return c;
  };
  let files = 0;
  const planFile = (partitions: { topic: string; partition: number; replicas: number[] }[]): string => {
    const file = path.join(dir, `plan-${++files}.json`);
    writeFileSync(file, JSON.stringify({ version: 1, partitions }));
    return file;
  };
  const reassign = (...argv: string[]) => cli(runReassignPartitions, ['--bootstrap-server', bootstrap(), ...argv]);
  const describeTopic = async (topic: string): Promise<string> => (await cli(runTopics, ['--bootstrap-server', bootstrap(), '--describe', '--topic', topic])).text;
  /** strait topics --describe once it matches: each node answers Metadata from its own image, and the
   * one asked may apply a change a moment after the node that decided it. */
  const describedAs = (topic: string, pattern: RegExp): Promise<string> =>
    waitFor(`strait topics --describe --topic ${topic} matching ${pattern}`, async () => {
      const text = await describeTopic(topic);
      return pattern.test(text) ? text : false;
    }, 10_000);

  async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Admin({ 'bootstrap.servers': bootstrap() });
    try {
      return await work(admin);
    } finally {
      await admin.close();
    }
  }

  /** A topic with these replica lists, and every node knowing it with its leaders. */
  async function createTopic(prefix: string, assignments: number[][]): Promise<string> {
    const topic = randomTopic(prefix);
    const created = await suite.calls.createTopic(node(1), topic, -1, -1, { assignments });
    assert.equal(created.errorCode, ErrorCode.NONE, created.errorMessage);
    await waitFor(`${topic} led as created on every node`, async () => {
      for (const n of suite.nodes) {
        const t = await suite.calls.topic(n, topic);
        if (!t || !t.partitions.every((p) => p.leaderId === assignments[p.partition]![0])) return false;
      }
      return true;
    }, 10_000);
    return topic;
  }

  /** About `bytes` of records in partition 0, in batches of 64 records of 1000 bytes (acks=1: the
   * partition has one replica, below min.insync.replicas). */
  async function fill(topic: string, leader: ClusterNodeProcess, bytes: number): Promise<void> {
    const value = 'v'.repeat(1000);
    for (let written = 0; written < bytes; written += 64 * 1000) {
      const r = await produce(client(leader), topic, 0, batchOf(Array.from({ length: 64 }, () => value)), 1);
      assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage);
    }
  }

  /** The size and lag of a node's replica of topic-0, from that node's DescribeLogDirs. */
  async function replicaOn(admin: Admin, nodeId: number, topic: string) {
    const [broker] = await admin.describeLogDirs([nodeId], [topic]);
    return broker!.logDirs.flatMap((d) => d.replicas).find((r) => r.topic === topic && r.partition === 0);
  }

  /** --verify until every partition of the plan is done (bounded); its last output. */
  async function verifiedDone(file: string, timeoutMs: number): Promise<string> {
    return waitFor(`${file}: --verify reports every partition completed`, async () => {
      const r = await reassign('--verify', '--reassignment-json-file', file);
      assert.equal(r.code, 0);
      return r.text.includes('still in progress') ? false : r.text;
    }, timeoutMs, 500);
  }

  async function metric(n: ClusterNodeProcess, name: string, labels: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${n.metricsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  it('a throttled move copies at about the throttle, shows its progress, and finishes once the throttle is lifted; --verify then clears the throttles', async (t) => {
    const topic = await createTopic('slow', [[2]]);
    await fill(topic, node(2), 3_000_000);
    const file = planFile([{ topic, partition: 0, replicas: [2, 4] }]);
    const started = await reassign('--execute', '--reassignment-json-file', file, '--throttle', String(THROTTLE_BYTES_PER_S));
    assert.equal(started.code, 0);
    assert.match(started.text, /^Current partition replica assignment\n\n\{"version":1,"partitions":\[\{"topic":"[^"]+","partition":0,"replicas":\[2\],"log_dirs":\["any"\]\}\]\}\n\nSave this to use as the --reassignment-json-file option during rollback\n/);
    assert.match(started.text, /Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed\.\n/);
    assert.match(started.text, new RegExp(`The inter-broker throttle limit was set to ${THROTTLE_BYTES_PER_S} B/s\\nSuccessfully started partition reassignment for ${topic}-0\\n$`));
    await describedAs(topic,
      new RegExp(`Configs: leader\\.replication\\.throttled\\.replicas=0:2,follower\\.replication\\.throttled\\.replicas=0:4\\n\\tTopic: ${topic}\\tPartition: 0\\tLeader: 2\\tReplicas: 2,4\\tIsr: 2\\tAdding Replicas: 4\\tRemoving Replicas: \\n`));

    await withAdmin(async (admin) => {
      // Past the first second (the bucket's burst), measure how fast node 4's copy grows.
      await waitFor('node 4 copying', async () => ((await replicaOn(admin, 4, topic))?.size ?? 0) > 0, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const first = (await replicaOn(admin, 4, topic))!;
      const t0 = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const second = (await replicaOn(admin, 4, topic))!;
      const seconds = (Date.now() - t0) / 1000;
      const rate = (second.size - first.size) / seconds;
      assert.ok(second.size > first.size, `node 4 made progress (${first.size} -> ${second.size} bytes)`);
      assert.ok(rate < 3 * THROTTLE_BYTES_PER_S, `node 4 copied ${Math.round(rate)} B/s under a throttle of ${THROTTLE_BYTES_PER_S} B/s`);
      assert.ok(second.offsetLag > 0, `node 4 is still behind after ${seconds} s (lag ${second.offsetLag}): the copy was held back`);
      t.diagnostic(`throttled copy: ${Math.round(rate)} B/s over ${seconds.toFixed(1)} s under a throttle of ${THROTTLE_BYTES_PER_S} B/s`);
    });
    // Both sides of the throttle counted the bytes they held back.
    assert.ok(await metric(node(4), 'strait_replica_throttled_bytes_total', 'side="follower"') > 0, 'the follower throttle counted bytes on node 4');
    assert.ok(await metric(node(2), 'strait_replica_throttled_bytes_total', 'side="leader"') > 0, 'the leader throttle counted bytes on node 2');

    const progress = await reassign('--verify', '--reassignment-json-file', file);
    assert.match(progress.text, new RegExp(`^Status of partition reassignment:\\nReassignment of partition ${topic}-0 is still in progress\\.\\n`
      + `  Replica 4 of ${topic}-0 is [1-9]\\d* records behind the leader \\(log end offset \\d+, \\d+ bytes\\)\\.\\n$`));
    assert.doesNotMatch(progress.text, /Clearing/, 'throttles stay while the move runs');

    // Lifting the throttle: the same plan again with --additional and a high rate (Kafka's way).
    const lifted = await reassign('--execute', '--reassignment-json-file', file, '--additional', '--throttle', '1000000000');
    assert.equal(lifted.code, 0);
    const done = await verifiedDone(file, 30_000);
    assert.equal(done, `Status of partition reassignment:\nReassignment of partition ${topic}-0 is completed.\n\n`
      + `Clearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic ${topic}\n`);
    await withAdmin(async (admin) => {
      const configs = await admin.describeConfigs([
        { type: 'topic', name: topic }, ...[1, 2, 3, 4].map((id) => ({ type: 'broker' as const, name: String(id) })),
      ]);
      const dynamic: number[] = [ConfigSource.DYNAMIC_TOPIC_CONFIG, ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG];
      const throttles = configs.flatMap((r) => r.configs.filter((c) => c.name.includes('replication.throttled') && dynamic.includes(c.source))
        .map((c) => `${r.type} ${r.name}: ${c.name}=${c.value}`));
      assert.deepEqual(throttles, [], 'every throttle cleared');
    });
    await describedAs(topic, /\tReplicas: 2,4\tIsr: 2,4\n$/);
  });

  it('a cancelled move goes back to the original replica, and the replica it was adding is deleted', async () => {
    const topic = await createTopic('cancel', [[3]]);
    await fill(topic, node(3), 1_000_000);
    const file = planFile([{ topic, partition: 0, replicas: [3, 4] }]);
    assert.equal((await reassign('--execute', '--reassignment-json-file', file, '--throttle', '50000')).code, 0);
    await waitFor('node 4 holds a directory for the new replica', () => partitionDirs(node(4).dataDir, topic).length === 1, 10_000);
    assert.equal((await reassign('--list')).text, `Current partition reassignments:\n${topic}-0: replicas: 3,4. adding: 4.\n`);
    const cancelled = await reassign('--cancel', '--reassignment-json-file', file);
    assert.equal(cancelled.text, `Clearing broker-level throttles on brokers 1,2,3,4\nClearing topic-level throttles on topic ${topic}\n`
      + `Successfully cancelled partition reassignment for: ${topic}-0\n`);
    await describedAs(topic, /\tReplicas: 3\tIsr: 3\n$/);
    await waitFor('node 4 deleted the replica it no longer holds', () => partitionDirs(node(4).dataDir, topic).length === 0, 10_000);
    assert.equal((await reassign('--cancel', '--reassignment-json-file', file, '--preserve-throttles')).text, 'None of the specified partition reassignments are active.\n');
    assert.equal((await reassign('--list')).text, 'No partition reassignments found.\n');
  });

  it('moving under load: leaders piled on node 1 are spread and a partition moves to node 4 while an idempotent acks=all producer runs; nothing acknowledged is lost or duplicated', async (t) => {
    const topic = await createTopic('load', [[1, 2, 3], [1, 3, 2], [1, 2, 3], [1, 3, 2]]);
    const workload = new Workload({
      bootstrap: bootstrap(), topic, producers: 2, ratePerSecond: 400, durationMs: 12_000,
      producerSettings: {
        acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'retry.backoff.ms': 100, 'request.timeout.ms': 5_000,
        'delivery.timeout.ms': 60_000, partitioner: 'round-robin',
      },
    });
    const load = workload.run();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Partitions 1 and 2 change only their order (preferred leaders 2 and 3); partition 3 moves off
    // node 1 onto node 4, which will lead it once the move completes.
    const moves = [
      { topic, partition: 1, replicas: [2, 3, 1] }, { topic, partition: 2, replicas: [3, 1, 2] }, { topic, partition: 3, replicas: [4, 3, 2] },
    ];
    const file = planFile(moves);
    const executedAtMs = Date.now() - workload.startedAt;
    const executed = await reassign('--execute', '--reassignment-json-file', file);
    assert.equal(executed.code, 0, executed.text);
    assert.match(executed.text, new RegExp(`Successfully started partition reassignments for ${topic}-1,${topic}-2,${topic}-3\\n$`));
    const done = await verifiedDone(file, 30_000);
    const completedAtMs = Date.now() - workload.startedAt;
    assert.match(done, new RegExp(`Reassignment of partition ${topic}-1 is completed\\.\\nReassignment of partition ${topic}-2 is completed\\.\\n`
      + `Reassignment of partition ${topic}-3 is completed\\.\\n`));
    // Kafka moves leadership only off a removed replica; a preferred election spreads the rest.
    const elected = await cli(runLeaderElection, ['--bootstrap-server', bootstrap(), '--election-type', 'preferred', '--all-topic-partitions']);
    assert.equal(elected.code, 0, elected.text);
    assert.equal(elected.text, `Successfully completed leader election (PREFERRED) for partitions ${topic}-1, ${topic}-2\n`);
    await load;
    assert.ok(await workload.settled(30_000), 'every send settled');
    const closes = await workload.close(5_000);

    // Balanced: each node leads one partition, with the replicas of the plan.
    const described = await describedAs(topic, new RegExp([[0, 1, '1,2,3'], [1, 2, '2,3,1'], [2, 3, '3,1,2'], [3, 4, '4,3,2']]
      .map(([partition, leader, replicas]) => `\\tPartition: ${partition}\\tLeader: ${leader}\\tReplicas: ${replicas}\\tIsr: [0-9,]+\\n`).join('\\tTopic: [^\\t]+')));
    assert.doesNotMatch(described, /Adding Replicas/);
    await waitFor('node 1 deleted the replica it no longer holds', () => !partitionDirs(node(1).dataDir, topic).includes(`${topic}-3`), 10_000);
    assert.ok(partitionDirs(node(4).dataDir, topic).includes(`${topic}-3`), 'node 4 holds the moved partition');

    const logs = await readTopic(bootstrap(), topic, 4);
    const report = checkDeliveries({ topic, deliveries: workload.deliveries, logs, closes });
    assert.equal(report.violations.length, 0, formatReport(report, `${topic}: reassigned under load`));
    assert.ok(report.counts.acked > 2_000, `records acknowledged: ${report.counts.acked}`);
    assert.ok(workload.deliveries.some((d) => d.outcome.kind === 'acked' && d.sentAtMs > executedAtMs), 'records sent after --execute were acknowledged');
    t.diagnostic(`executed at ${executedAtMs} ms of the load, --verify saw it completed at ${completedAtMs} ms; ${report.counts.acked} acknowledged, `
      + `${workload.stats().batchesRetried} batches retried`);

    // Every replica on disk: the same batches as its peers, each holding what was acknowledged.
    await waitFor(`${topic}: every ISR full`, async () => {
      const t = await suite.calls.topic(node(1), topic);
      return t !== undefined && t.partitions.every((p) => p.isrNodes.length === 3);
    }, 15_000);
    const assignment = new Map((await suite.calls.topic(node(1), topic))!.partitions.map((p) => [p.partition, [...p.replicaNodes]]));
    for (const c of clients.values()) c.close();
    for (const id of [4, 2, 3, 1]) assert.equal((await node(id).halt()).code, 0, `node ${id} stopped cleanly`);
    const replicas = checkReplicas({ topic, deliveries: workload.deliveries, assignment, replicas: suite.nodes.flatMap((n) => readNodeReplicas(n.nodeId, n.dataDir, topic)) });
    assert.equal(replicas.total, 0, formatReplicaReport(replicas));
  });
});
