// Failover, failback and status against two real single-node clusters A and B with an active-active
// config: records mirrored by hand (produced to a source topic and to its remote topic), offset syncs
// written by the writer from the produce results, groups committed on one side; failover/failback
// commit translated offsets on the other. The last test kills A: failover then reads B's checkpoints,
// and failback, once A is back, translates the remote topic's offsets back to A's own topic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { Admin, Consumer, ErrorCode, Producer, StraitError } from '../../client/index.js';
import {
  CheckpointEmitter, failover, HeartbeatEmitter, loadMirrorConfigFile, MirrorMetrics, mirrorStatus, OffsetSyncLog, OffsetSyncWriter, FlowPolicy,
  type FailoverResult, type FlowConfig, type MirrorConfig,
} from '../../mirror/index.js';
import { randomTopic } from '../helpers/broker-calls.js';
import { startBroker, type BrokerProcess } from '../helpers/launcher.js';
import { runStrait } from '../helpers/run-strait.js';
import { eventually, mirrorByHand, mirrorConfigText, silentLogger } from './offsets/offsets-fixtures.js';

const LAG_MAX = 10;
/** Records already in each remote partition before mirroring: downstream offsets = upstream + 3. */
const SHIFT = 3;

let a: BrokerProcess;
let b: BrokerProcess;
let admin: Record<'A' | 'B', Admin>;
let producer: Record<'A' | 'B', Producer>;
let dir: string;
let configFile: string;
let config: MirrorConfig;
const writers: OffsetSyncWriter[] = [];

before(async () => {
  [a, b] = await Promise.all([startBroker(), startBroker()]);
  admin = { A: new Admin({ 'bootstrap.servers': a.address }), B: new Admin({ 'bootstrap.servers': b.address }) };
  producer = { A: new Producer({ 'bootstrap.servers': a.address, 'linger.ms': 0 }), B: new Producer({ 'bootstrap.servers': b.address, 'linger.ms': 0 }) };
  dir = mkdtempSync(path.join(os.tmpdir(), 'strait-failover-'));
  configFile = path.join(dir, 'mm2.properties');
  writeFileSync(configFile, mirrorConfigText({ A: a.address, B: b.address }, { 'offset.lag.max': String(LAG_MAX) }, ['A->B', 'B->A']));
  config = loadMirrorConfigFile(configFile);
});

after(async () => {
  for (const w of writers) await w.stop();
  await Promise.all([producer.A.close(), producer.B.close(), admin.A.close(), admin.B.close()]);
  await Promise.all([a.stop(), b.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const flow = (source: 'A' | 'B'): FlowConfig => config.flows.find((f) => f.source === source)!;
const other = (alias: 'A' | 'B'): 'A' | 'B' => (alias === 'A' ? 'B' : 'A');
const metrics = () => new MirrorMetrics(new Registry(), { defaultMetrics: false });

async function writerFor(source: 'A' | 'B'): Promise<OffsetSyncWriter> {
  const f = flow(source);
  const policy = new FlowPolicy(f);
  const cluster = policy.offsetSyncsCluster() as 'A' | 'B';
  const writer = new OffsetSyncWriter({ flow: f, policy, producer: producer[cluster], admin: admin[cluster], metrics: metrics().flow(f.source, f.target), logger: silentLogger });
  await writer.start();
  writers.push(writer);
  return writer;
}

/** A topic on `source` mirrored by hand into its remote topic (SHIFT records there first); `counts` per partition. */
async function mirrored(source: 'A' | 'B', counts: number[]): Promise<{ source: string; remote: string }> {
  const name = randomTopic(source === 'A' ? 't' : 'u');
  const topics = { source: name, remote: `${source}.${name}` };
  const target = other(source);
  await admin[source].createTopics([{ name: topics.source, numPartitions: counts.length, replicationFactor: 1 }]);
  await admin[target].createTopics([{ name: topics.remote, numPartitions: counts.length, replicationFactor: 1 }]);
  const writer = await writerFor(source);
  for (let p = 0; p < counts.length; p++) {
    await producer[target].sendBatch(topics.remote, Array.from({ length: SHIFT }, () => ({ partition: p, value: 'before' })));
    for (const batch of await mirrorByHand(producer[source], producer[target], topics, p, counts[p]!, 4)) writer.onForwarded(batch);
  }
  await writer.flush();
  return topics;
}

const commit = (cluster: 'A' | 'B', group: string, topic: string, offsets: Record<number, number>) =>
  admin[cluster].alterConsumerGroupOffsets(group, Object.entries(offsets).map(([p, offset]) => ({ topic, partition: Number(p), offset })));

async function committedOn(cluster: 'A' | 'B', group: string): Promise<Record<string, number>> {
  return Object.fromEntries((await admin[cluster].listConsumerGroupOffsets(group)).map((c) => [`${c.topic}-${c.partition}`, c.offset]));
}

function only(result: FailoverResult, toTopic: string, partition: number) {
  const t = result.translated.find((x) => x.toTopic === toTopic && x.partition === partition);
  assert.ok(t, `a translation for ${toTopic}-${partition} in ${JSON.stringify(result)}`);
  return t;
}

/** Resuming at `offset` misses nothing of what the group had not processed (the record at `exact`) and re-reads fewer than offset.lag.max. */
function assertResumesWell(offset: number, exact: number, what: string): void {
  assert.ok(offset <= exact, `${what}: resumes at ${offset}, past the first unprocessed record at ${exact}`);
  assert.ok(exact - offset < LAG_MAX, `${what}: resumes at ${offset}, re-reading ${exact - offset} records (offset.lag.max ${LAG_MAX})`);
}

test('failover with A up: offsets translated live; the group resumes on B with nothing missed and fewer than offset.lag.max re-read', async () => {
  const topics = await mirrored('A', [57, 20]);
  const group = `g-${topics.source}`;
  await commit('A', group, topics.source, { 0: 30, 1: 20 });
  const result = await failover(config, { group, from: 'A', to: 'B' }, silentLogger);
  assert.equal(result.fromReachable, true);
  assert.equal(result.committed, true);
  const p0 = only(result, topics.remote, 0);
  assert.equal(p0.via, 'offset syncs');
  assertResumesWell(p0.offset, 30 + SHIFT, 'partition 0');
  assert.equal(only(result, topics.remote, 1).offset, 20 + SHIFT, 'a caught-up partition resumes exactly');
  assert.deepEqual(await committedOn('B', group), { [`${topics.remote}-0`]: p0.offset, [`${topics.remote}-1`]: 20 + SHIFT });

  // The group on B reads on from there: the first record it gets is at or before the one it had not processed.
  const consumer = new Consumer({ 'bootstrap.servers': b.address, 'group.id': group, 'auto.offset.reset': 'latest', 'enable.auto.commit': false });
  try {
    consumer.assign([{ topic: topics.remote, partition: 0 }]);
    const [committed] = await consumer.committed([{ topic: topics.remote, partition: 0 }]);
    consumer.seek({ topic: topics.remote, partition: 0 }, committed!.offset);
    const first = await eventually('a record on B', async () => (await consumer.poll(500))[0]);
    const index = Number(first.value!.toString().replace('r-', ''));
    assert.ok(index <= 30 && 30 - index < LAG_MAX, `first record read on B is r-${index}`);
  } finally {
    await consumer.close();
  }
});

test('refusals are named errors and commit nothing; --dry-run commits nothing', async () => {
  const topics = await mirrored('A', [12]);
  const group = `g-${topics.source}`;
  await commit('A', group, topics.source, { 0: 12 });
  const refused = async (request: Parameters<typeof failover>[1], code: number) =>
    assert.rejects(failover(config, request, silentLogger), (err: unknown) => err instanceof StraitError && err.code === code);
  await refused({ group, from: 'A', to: 'C' }, ErrorCode.INVALID_REQUEST);
  await refused({ group, from: 'A', to: 'A' }, ErrorCode.INVALID_REQUEST);
  await refused({ group: `nobody-${topics.source}`, from: 'A', to: 'B' }, ErrorCode.GROUP_ID_NOT_FOUND);
  const dry = await failover(config, { group, from: 'A', to: 'B', dryRun: true }, silentLogger);
  assert.equal(dry.committed, false);
  assert.equal(only(dry, topics.remote, 0).offset, 12 + SHIFT);
  assert.deepEqual(await committedOn('B', group), {}, 'nothing committed by a dry run');

  const member = new Consumer({ 'bootstrap.servers': b.address, 'group.id': group, 'enable.auto.commit': false, 'auto.offset.reset': 'latest' });
  member.subscribe([topics.remote]);
  const polling = (async () => { while (member.subscription()) await member.poll(100).catch(() => []); })();
  try {
    await eventually('the member on B', async () => ((await admin.B.describeGroups([group]).catch(() => []))[0]?.members.length ? true : undefined));
    await refused({ group, from: 'A', to: 'B' }, ErrorCode.NON_EMPTY_GROUP);
    assert.deepEqual(await committedOn('B', group), {});
  } finally {
    await member.unsubscribe();
    await polling;
    await member.close();
  }

  const cli = await runStrait(['mirror', 'failover', '--config', configFile, '--group', group, '--from', 'A', '--to', 'B', '--dry-run']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`${topics.source}\\s+0\\s+12\\s+${topics.remote.replace('.', '\\.')}\\s+15\\s+offset syncs`));
  assert.match(cli.stdout, /dry run: nothing committed on B/);
  const bad = await runStrait(['mirror', 'failback', '--config', configFile, '--group', group, '--from', 'B', '--to', 'Z']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /INVALID_REQUEST: cluster Z is not in/);
});

test('status: per-partition lag in records and seconds, the newest heartbeat and checkpoint, in the library and the CLI', async (t) => {
  const topics = await mirrored('A', [57]);
  await producer.A.sendBatch(topics.source, Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `late-${i}` })));
  const group = `g-${topics.source}`;
  await commit('A', group, topics.source, { 0: 40 });
  const f = flow('A');
  const policy = new FlowPolicy(f);
  const m = metrics().flow('A', 'B');
  const heartbeats = new HeartbeatEmitter({ flow: f, policy, targetAdmin: admin.B, targetProducer: producer.B, metrics: m, logger: silentLogger });
  const offsetSyncs = new OffsetSyncLog({ flow: f, policy, admin: admin.A, consumer: { 'bootstrap.servers': a.address }, logger: silentLogger });
  const checkpoints = new CheckpointEmitter({
    flow: f, policy, sourceAdmin: admin.A, targetAdmin: admin.B, targetProducer: producer.B, targetConsumer: { 'bootstrap.servers': b.address }, offsetSyncs, metrics: m, logger: silentLogger,
  });
  await heartbeats.start();
  await checkpoints.start();
  t.after(async () => {
    await heartbeats.stop();
    await checkpoints.stop();
    await offsetSyncs.close();
  });
  await checkpoints.runNow();

  const [ab] = (await mirrorStatus(config, { logger: silentLogger })).filter((s) => s.source === 'A');
  assert.deepEqual(ab!.errors, []);
  const topic = ab!.topics.find((x) => x.topic === topics.source)!;
  assert.equal(topic.remoteTopic, topics.remote);
  assert.equal(topic.remoteExists, true);
  const [p0] = topic.partitions;
  assert.equal(p0!.logEndOffset, 62);
  assert.equal(p0!.mirroredOffset, 57);
  assert.equal(p0!.lagRecords, 5);
  assert.ok(p0!.lagSeconds !== undefined && p0!.lagSeconds >= 0);
  assert.ok(ab!.lastHeartbeatMs !== undefined);
  assert.ok(ab!.lastCheckpoint !== undefined);

  const cli = await runStrait(['mirror', 'status', '--config', configFile]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^flow A->B$/m);
  assert.match(cli.stdout, new RegExp(`${topics.source}\\s+0\\s+${topics.remote.replace('.', '\\.')}\\s+62\\s+57\\s+5\\s+\\d+\\.\\d`));
  assert.match(cli.stdout, /last heartbeat: \d{4}-/);
  assert.match(cli.stdout, /last checkpoint: group /);
});

test('A down: failover from B\'s checkpoints (also of B\'s own topics consumed on A); A back: failback translates A.t back to t and B\'s own topic forward, nothing missed either way', async () => {
  const topics = await mirrored('A', [57]);
  const local = await mirrored('B', [20]);
  const group = `g-${topics.source}`;
  // On A the group consumed A's topic up to 40 and A's copy of B's topic up to source record 11.
  await commit('A', group, topics.source, { 0: 40 });
  await commit('A', group, local.remote, { 0: 12 + SHIFT });
  const f = flow('A');
  const policy = new FlowPolicy(f);
  const reversePolicy = new FlowPolicy(flow('B'));
  const offsetSyncs = new OffsetSyncLog({ flow: f, policy, admin: admin.A, consumer: { 'bootstrap.servers': a.address }, logger: silentLogger });
  const reverseSyncs = new OffsetSyncLog({ flow: flow('B'), policy: reversePolicy, admin: admin.B, consumer: { 'bootstrap.servers': b.address }, logger: silentLogger });
  const checkpoints = new CheckpointEmitter({
    flow: f, policy, sourceAdmin: admin.A, targetAdmin: admin.B, targetProducer: producer.B, targetConsumer: { 'bootstrap.servers': b.address }, offsetSyncs,
    reverse: { policy: reversePolicy, offsetSyncs: reverseSyncs }, metrics: metrics().flow('A', 'B'), logger: silentLogger,
  });
  await checkpoints.start();
  await eventually('checkpoints of the group', async () => {
    await checkpoints.runNow();
    return checkpoints.ledger.get(group, topics.remote, 0) && checkpoints.ledger.get(group, local.source, 0);
  });
  assert.deepEqual(checkpoints.forwardCheckpoints(group).map((c) => c.topic), [topics.remote], 'group offset sync takes only the remote topics');
  await checkpoints.stop();
  await offsetSyncs.close();
  await reverseSyncs.close();

  a.kill('SIGKILL');
  await a.exited;
  const over = await failover(config, { group, from: 'A', to: 'B', timeoutMs: 3000 }, silentLogger);
  assert.equal(over.fromReachable, false);
  const cp = only(over, topics.remote, 0);
  assert.equal(cp.via, 'checkpoint');
  assert.equal(cp.fromTopic, topics.source);
  assertResumesWell(cp.offset, 40 + SHIFT, 'failover from checkpoints');
  const [statusWhileDown] = (await mirrorStatus(config, { logger: silentLogger, timeoutMs: 3000 })).filter((x) => x.source === 'A');
  assert.ok(statusWhileDown!.errors.some((e) => e.startsWith('topics of A')), `status names the cluster that does not answer: ${JSON.stringify(statusWhileDown!.errors)}`);
  assert.ok(statusWhileDown!.lastCheckpoint !== undefined, 'and still shows what B holds');
  const own = only(over, local.source, 0);
  assert.equal(own.fromTopic, local.remote);
  assertResumesWell(own.offset, 12, 'failover of B\'s own topic consumed on A, from checkpoints');

  // On B the group reads on: through A.t up to source record 49, and B's own topic up to 15.
  await commit('B', group, topics.remote, { 0: 50 + SHIFT });
  await commit('B', group, local.source, { 0: 15 });
  await a.restart();
  const back = await failover(config, { group, from: 'B', to: 'A' }, silentLogger);
  assert.equal(back.fromReachable, true);
  const home = only(back, topics.source, 0);
  assert.equal(home.via, 'offset syncs, reverse');
  assertResumesWell(home.offset, 50, 'failback of A.t to t');
  const forward = only(back, local.remote, 0);
  assert.equal(forward.via, 'offset syncs');
  assertResumesWell(forward.offset, 15 + SHIFT, 'failback of B\'s own topic');
  assert.deepEqual(await committedOn('A', group), { [`${topics.source}-0`]: home.offset, [`${local.remote}-0`]: forward.offset });
});
