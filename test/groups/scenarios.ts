// The consumer-group scenarios of issue 8 on the client side, run against real broker processes
// (consumer-groups.test.ts). Each takes a started cluster and uses its own topics and groups.
import assert from 'node:assert/strict';
import { LATEST_TIMESTAMP, type Admin, type ConsumerGroupDescription } from '../../client/index.js';
import { randomTopic } from '../client/helpers/client-broker.js';
import { runStrait } from '../helpers/run-strait.js';
import { auditDelivery } from './delivery-audit.js';
import { described, waitFor, type GroupTestCluster } from './group-env.js';
import { MemberRunner } from './member-runner.js';
import { logDir, spawnMember, steadyProducer, type MemberProcess } from './processes.js';

export type Scope = { after(fn: () => Promise<void> | void): void; diagnostic(message: string): void };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const memberOptions = { 'fetch.max.wait.ms': '100', 'auto.offset.reset': 'earliest', 'heartbeat.interval.ms': '200' } as const;

/** Waits until the group is Stable with members holding these many partitions each (any order). */
async function settled(admin: Admin, group: string, sizes: number[], timeoutMs = 30_000): Promise<ConsumerGroupDescription> {
  let last: ConsumerGroupDescription | undefined;
  await waitFor(`group ${group} stable with ${sizes.join('/')} partitions`, async () => {
    last = await described(admin, group);
    const got = last?.members.map((m) => m.assignment.length).sort((a, b) => a - b);
    return last?.state === 'Stable' && JSON.stringify(got) === JSON.stringify([...sizes].sort((a, b) => a - b));
  }, timeoutMs);
  return last!;
}

async function logEnds(admin: Admin, topic: string, partitions: number): Promise<number[]> {
  const answers = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
  return answers.map((a) => a.offset);
}

function processedDistinct(members: readonly MemberProcess[]): number {
  return new Set(members.flatMap((m) => m.lines().filter((l) => l.startsWith('P ')))).size;
}

/**
 * Members commit after each batch they process while the group rebalances around them: one joins,
 * one is killed with -9, another joins, one closes. Every record is processed; a record is processed
 * twice only where the killed member had processed it after its last commit.
 */
export async function commitsAcrossRebalances(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('rebalance');
  const group = `g-${topic}`;
  const partitions = 6;
  await cluster.createTopic(topic, partitions);
  const dir = logDir(t);
  const config = { bootstrap: cluster.bootstrap, group, topic, options: memberOptions };
  const producer = steadyProducer(t, cluster.bootstrap, topic, 12, 40);
  const members: MemberProcess[] = [];
  const start = async (name: string): Promise<MemberProcess> => {
    const m = spawnMember(t, name, config, dir);
    members.push(m);
    await m.ready;
    return m;
  };
  const m1 = await start('m1');
  const m2 = await start('m2');
  await sleep(1500);
  await start('m3');
  await sleep(1500);
  await m1.kill9();
  await sleep(1500);
  await start('m4');
  await sleep(1500);
  assert.equal(await m2.stop(), 0, 'a closed member exits cleanly');
  await sleep(1000);
  const sent = await producer.stop();
  const ends = await logEnds(cluster.admin, topic, partitions);
  assert.equal(ends.reduce((a, b) => a + b, 0), sent);
  await waitFor('every record processed', () => processedDistinct(members) >= sent, 60_000);
  for (const m of members) if (!m.crashed) assert.equal(await m.stop(), 0, `${m.name} closed cleanly`);
  const audit = auditDelivery(ends, members.map((m) => ({ name: m.name, crashed: m.crashed, lines: m.lines() })));
  t.diagnostic(`${sent} records, ${audit.processed} processings, ${audit.duplicates} redone after the kill -9`);
  assert.deepEqual(audit.violations, []);
}

/**
 * 3 members over 12 partitions get 4 each; when a 4th joins, each of the 3 gives up exactly one
 * partition (only those pause), and consumption of the other 9 goes on throughout: no gap between
 * their records longer than GAP_BOUND_MS while the group rebalances (records are produced to each
 * partition every 40 ms).
 */
export const GAP_BOUND_MS = 5000;

export async function joinMovesOnlyWhatItMust(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('twelve');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 12);
  const producer = steadyProducer(t, cluster.bootstrap, topic, 12, 40);
  const runners: MemberRunner[] = [];
  const start = (): MemberRunner => {
    const m = new MemberRunner({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...memberOptions }, [topic]).start();
    runners.push(m);
    t.after(() => m.stop().catch(() => undefined));
    return m;
  };
  try {
    const old = [start(), start(), start()];
    const before = await settled(cluster.admin, group, [4, 4, 4]);
    await sleep(1500);
    const joinedAt = Date.now();
    const eventsBefore = old.map((m) => m.listenerEvents.length);
    start();
    const after = await settled(cluster.admin, group, [3, 3, 3, 3]);
    const stableAt = Date.now();
    await sleep(1000);
    const partitionsOf = (d: ConsumerGroupDescription, id: string): number[] => d.members.find((m) => m.memberId === id)?.assignment.map((tp) => tp.partition).sort((a, b) => a - b) ?? [];
    const moved: number[] = [];
    for (const m of before.members) {
      const was = partitionsOf(before, m.memberId);
      const now = partitionsOf(after, m.memberId);
      assert.equal(now.length, 3);
      assert.ok(now.every((p) => was.includes(p)), `member ${m.memberId} only gave partitions up: ${was} -> ${now}`);
      moved.push(...was.filter((p) => !now.includes(p)));
    }
    assert.equal(moved.length, 3, 'exactly one partition left each of the three');
    old.forEach((m, i) => {
      const since = m.listenerEvents.slice(eventsBefore[i]);
      assert.deepEqual(since.filter((e) => e.kind !== 'assigned').map((e) => [e.kind, e.partitions.length]), [['revoked', 1]]);
    });
    // Arrival gaps of each partition's records around the rebalance.
    const all = runners.flatMap((m) => m.records);
    const gapOf = (p: number): number => {
      const times = all.filter((r) => r.partition === p && r.at >= joinedAt - 1000 && r.at <= stableAt + 1000).map((r) => r.at).sort((a, b) => a - b);
      let gap = 0;
      for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
      return times.length < 2 ? Number.POSITIVE_INFINITY : gap;
    };
    const steady = Array.from({ length: 12 }, (_, p) => p).filter((p) => !moved.includes(p));
    t.diagnostic(`rebalance took ${stableAt - joinedAt} ms; largest gaps: unmoved ${Math.max(...steady.map(gapOf))} ms, moved ${moved.map(gapOf).join('/')} ms`);
    for (const p of steady) assert.ok(gapOf(p) < GAP_BOUND_MS, `partition ${p} (not moved) stalled for ${gapOf(p)} ms during the rebalance`);
  } finally {
    await producer.stop();
  }
  const sent = await logEnds(cluster.admin, topic, 12).then((e) => e.reduce((a, b) => a + b, 0));
  await waitFor('every record consumed', () => new Set(runners.flatMap((m) => m.values())).size >= sent, 30_000);
  const values = runners.flatMap((m) => m.values());
  assert.equal(values.length, new Set(values).size, 'no record consumed twice');
}

/**
 * A static member (group.instance.id) killed with -9 and restarted within its session gets its own
 * partitions back; the other member keeps its partitions all along.
 */
export async function staticMemberRestart(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('static');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 4);
  const dir = logDir(t);
  const config = (instanceId: string) => ({ bootstrap: cluster.bootstrap, group, topic, instanceId, options: { ...memberOptions, 'session.timeout.ms': '6000' } });
  const producer = steadyProducer(t, cluster.bootstrap, topic, 4, 50);
  const a = spawnMember(t, 'a', config('worker-a'), dir);
  const b = spawnMember(t, 'b', config('worker-b'), dir);
  await Promise.all([a.ready, b.ready]);
  const before = await settled(cluster.admin, group, [2, 2]);
  const partsOf = (d: ConsumerGroupDescription, instance: string) => d.members.find((m) => m.groupInstanceId === instance)!.assignment.map((tp) => tp.partition).sort((x, y) => x - y);
  // The coordinator may call the group stable before a member's listener has run: wait for the members' own word.
  await waitFor('both members hold what the coordinator gave them', () => (
    JSON.stringify(a.owned()) === JSON.stringify(partsOf(before, 'worker-a')) && JSON.stringify(b.owned()) === JSON.stringify(partsOf(before, 'worker-b'))
  ));
  const bLinesBefore = b.lines().length;
  await a.kill9();
  // A restart takes a moment, long enough for the coordinator to see the old stream closed; a new
  // instance that came before that would be refused (UNRELEASED_INSTANCE_ID) while the old one looks live.
  await sleep(500);
  const a2 = spawnMember(t, 'a2', config('worker-a'), dir);
  await a2.ready;
  const after = await settled(cluster.admin, group, [2, 2]);
  assert.deepEqual(partsOf(after, 'worker-a'), partsOf(before, 'worker-a'), 'the restarted static member has its partitions back');
  assert.deepEqual(partsOf(after, 'worker-b'), partsOf(before, 'worker-b'));
  assert.deepEqual(b.lines().slice(bLinesBefore).filter((l) => !l.startsWith('P ') && !l.startsWith('C ')), [], `b was never revoked nor lost anything; a2: ${a2.lines().filter((l) => !l.startsWith('P ') && !l.startsWith('C ')).join(' | ')}`);
  const sent = await producer.stop();
  const ends = await logEnds(cluster.admin, topic, 4);
  await waitFor('every record processed', () => processedDistinct([a, a2, b]) >= sent, 30_000);
  assert.equal(await a2.stop(), 0);
  assert.equal(await b.stop(), 0);
  const audit = auditDelivery(ends, [a, a2, b].map((m) => ({ name: m.name, crashed: m.crashed, lines: m.lines() })));
  assert.deepEqual(audit.violations, []);
}

/** pause() stops one partition's records while the others flow; resume() picks up where it stopped. */
export async function pauseResume(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('pause');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 2);
  const m = new MemberRunner({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...memberOptions }, [topic]).start();
  t.after(() => m.stop().catch(() => undefined));
  await settled(cluster.admin, group, [2]);
  await waitFor('assigned', () => m.owned().length === 2);
  m.consumer.pause([{ topic, partition: 0 }]);
  await cluster.produce(topic, 20);
  await waitFor('partition 1', () => m.records.filter((r) => r.partition === 1).length === 10);
  await sleep(500);
  assert.equal(m.records.filter((r) => r.partition === 0).length, 0, 'nothing of the paused partition');
  m.consumer.resume([{ topic, partition: 0 }]);
  await waitFor('partition 0 after resume', () => m.records.filter((r) => r.partition === 0).length === 10);
  assert.deepEqual(m.records.filter((r) => r.partition === 0).map((r) => r.offset), Array.from({ length: 10 }, (_, i) => i));
}

const bootstrapArgs = (cluster: GroupTestCluster): string[] => ['--bootstrap-server', cluster.bootstrap];

/** The data rows of a `groups --describe` table, as objects keyed by Kafka's column names. */
function tableRows(stdout: string): Record<string, string>[] {
  const lines = stdout.split('\n').filter((l) => l.trim().length > 0);
  const header = lines[0]!.split(/\s+/);
  return lines.slice(1).map((l) => Object.fromEntries(l.split(/\s+/).map((cell, i) => [header[i]!, cell])));
}

/**
 * strait consume --group G commits what it printed: a second run goes on after the first, and
 * `groups --describe` shows the committed offsets and the lag; a run without --group reads with a
 * throwaway group that commits nothing.
 */
export async function consoleConsumerResumes(_t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('console');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 2);
  await cluster.produce(topic, 20);
  const consume = (...extra: string[]) => runStrait(['consume', ...bootstrapArgs(cluster), '--topic', topic, '--property', 'print.partition=true', '--property', 'print.offset=true', '--timeout-ms', '10000', ...extra], undefined, 60_000);
  const printed: string[] = [];
  for (const args of [['--group', group, '--from-beginning', '--max-messages', '5'], ['--group', group, '--max-messages', '7']]) {
    const r = await consume(...args);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, Number(args.at(-1)));
    printed.push(...lines);
  }
  assert.equal(new Set(printed).size, 12, 'the second run started after what the first printed');
  const d = await runStrait(['consumer-groups', ...bootstrapArgs(cluster), '--describe', '--group', group], undefined, 30_000);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stderr, new RegExp(`Consumer group '${group}' has no active members\\.`));
  const rows = tableRows(d.stdout);
  assert.deepEqual(rows.map((r) => Number(r['CURRENT-OFFSET'])).reduce((a, b) => a + b, 0), 12);
  assert.deepEqual(rows.map((r) => [r['LOG-END-OFFSET'], r['CONSUMER-ID']]), [['10', '-'], ['10', '-']]);
  assert.equal(rows.map((r) => Number(r.LAG)).reduce((a, b) => a + b, 0), 8);
  const rest = await consume('--group', group, '--max-messages', '8');
  assert.equal(rest.code, 0, rest.stderr);
  assert.equal(new Set([...printed, ...rest.stdout.trim().split('\n')]).size, 20);
  assert.match(rest.stderr, /Processed a total of 8 messages/);
  const throwaway = await consume('--from-beginning', '--max-messages', '20');
  assert.equal(throwaway.stdout.trim().split('\n').length, 20);
  for (const g of (await cluster.admin.listGroups()).filter((x) => x.groupId.startsWith('console-consumer-'))) {
    assert.match(g.groupId, /^console-consumer-\d{5}$/);
    assert.deepEqual(await cluster.admin.listConsumerGroupOffsets(g.groupId), [], 'a throwaway group commits nothing');
  }
}

/** `groups --describe`, `--members --verbose`, `--state` and `--list` show what the group committed and who holds what. */
export async function describeMatchesCommits(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('describe');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 3);
  await cluster.produce(topic, 30);
  const m = new MemberRunner({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, 'client.id': 'describer', 'enable.auto.commit': 'false', ...memberOptions }, [topic]).start();
  t.after(() => m.stop().catch(() => undefined));
  await settled(cluster.admin, group, [3]);
  await m.consumer.commit([0, 1, 2].map((partition) => ({ topic, partition, offset: [3, 7, 10][partition]! })));
  const memberId = m.consumer.groupMetadata()!.memberId;
  const cli = (...args: string[]) => runStrait(['groups', ...bootstrapArgs(cluster), ...args], undefined, 30_000);
  const d = await cli('--describe', '--group', group);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(tableRows(d.stdout).map((r) => [r.GROUP, r.TOPIC, r.PARTITION, r['CURRENT-OFFSET'], r['LOG-END-OFFSET'], r.LAG, r['CONSUMER-ID'], r['CLIENT-ID']]), [
    [group, topic, '0', '3', '10', '7', memberId, 'describer'],
    [group, topic, '1', '7', '10', '3', memberId, 'describer'],
    [group, topic, '2', '10', '10', '0', memberId, 'describer'],
  ]);
  const committed = await cluster.admin.listConsumerGroupOffsets(group);
  assert.deepEqual(committed.map((c) => c.offset).sort((a, b) => a - b), [3, 7, 10]);
  const members = await cli('--describe', '--group', group, '--members', '--verbose');
  assert.deepEqual(tableRows(members.stdout).map((r) => [r['CONSUMER-ID'], r['#PARTITIONS'], r.ASSIGNMENT]), [[memberId, '3', `${topic}(0,1,2)`]]);
  const state = await cli('--describe', '--group', group, '--state');
  assert.match(state.stdout, new RegExp(`\\n${group} +\\S+:\\d+ +\\(\\d+\\) +uniform +Stable +1\\n`));
  const list = await cli('--list');
  assert.ok(list.stdout.split('\n').includes(group));
  const listState = await cli('--list', '--state');
  assert.match(listState.stdout, new RegExp(`^${group} +Stable$`, 'm'));
  const missing = await cli('--describe', '--group', 'no-such-group');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error: Consumer group 'no-such-group' does not exist\./);
}

/** --reset-offsets: each scenario, dry run and execute, refused while the group has members; --delete-offsets and --delete. */
export async function resetAndDelete(t: Scope, cluster: GroupTestCluster): Promise<void> {
  const topic = randomTopic('reset');
  const group = `g-${topic}`;
  await cluster.createTopic(topic, 2);
  await cluster.produce(topic, 10);
  await sleep(50);
  const middle = new Date(Date.now()).toISOString().replace('Z', '');
  await sleep(50);
  await cluster.produce(topic, 10, 'late');
  const cli = (...args: string[]) => runStrait(['consumer-groups', ...bootstrapArgs(cluster), ...args], undefined, 30_000);
  const committed = async (g = group): Promise<number[]> => (await cluster.admin.listConsumerGroupOffsets(g)).sort((a, b) => a.partition - b.partition).map((c) => c.offset);

  const m = new MemberRunner({ 'bootstrap.servers': cluster.bootstrap, 'group.id': group, ...memberOptions }, [topic]).start();
  t.after(() => m.stop().catch(() => undefined));
  await settled(cluster.admin, group, [2]);
  await m.consumer.commit([{ topic, partition: 0, offset: 4 }, { topic, partition: 1, offset: 6 }]);
  const refused = await cli('--reset-offsets', '--group', group, '--all-topics', '--to-earliest', '--execute');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`Error: Assignments can only be reset if the group '${group}' is inactive, but the current state is Stable\\.`));
  const busyDelete = await cli('--delete', '--group', group);
  assert.equal(busyDelete.code, 1);
  assert.match(busyDelete.stderr, new RegExp(`\\* Group '${group}' could not be deleted due to: NON_EMPTY_GROUP`));
  await m.stop();
  assert.deepEqual(await committed(), [10, 10], 'close() committed what the member consumed');
  await cluster.admin.alterConsumerGroupOffsets(group, [{ topic, partition: 0, offset: 4 }, { topic, partition: 1, offset: 6 }]);

  const dry = await cli('--reset-offsets', '--group', group, '--all-topics', '--to-earliest', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(tableRows(dry.stdout).map((r) => [r.GROUP, r.TOPIC, r.PARTITION, r['NEW-OFFSET']]), [[group, topic, '0', '0'], [group, topic, '1', '0']]);
  assert.deepEqual(await committed(), [4, 6], 'a dry run changes nothing');
  const noMode = await cli('--reset-offsets', '--group', group, '--all-topics', '--to-earliest');
  assert.match(noMode.stderr, /WARN: No action will be performed as the --execute option is missing/);
  assert.deepEqual(await committed(), [4, 6]);

  const cases: [string[], number[]][] = [
    [['--to-earliest'], [0, 0]],
    [['--to-latest'], [10, 10]],
    [['--to-offset', '3'], [3, 3]],
    [['--shift-by', '5'], [8, 8]],
    [['--shift-by', '5'], [10, 10]],
    [['--shift-by', '-4'], [6, 6]],
    [['--to-current'], [6, 6]],
    [['--to-datetime', middle], [5, 5]],
    [['--by-duration', 'P1D'], [0, 0]],
  ];
  for (const [scenario, want] of cases) {
    const r = await cli('--reset-offsets', '--group', group, '--topic', topic, ...scenario, '--execute');
    assert.equal(r.code, 0, `${scenario.join(' ')}: ${r.stderr}`);
    assert.deepEqual(tableRows(r.stdout).map((row) => Number(row['NEW-OFFSET'])), want, scenario.join(' '));
    assert.deepEqual(await committed(), want, scenario.join(' '));
  }
  const one = await cli('--reset-offsets', '--group', group, '--topic', `${topic}:1`, '--to-offset', '99', '--execute');
  assert.match(one.stderr, /New offset \(99\) is higher than latest offset for topic partition .*-1\. Value will be set to 10/);
  assert.deepEqual(await committed(), [0, 10], 'only partition 1');
  const fresh = `${group}-new`;
  const created = await cli('--reset-offsets', '--group', fresh, '--topic', topic, '--to-latest', '--execute');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual(await committed(fresh), [10, 10], 'a group that does not exist yet gets offsets');

  const delOffsets = await cli('--delete-offsets', '--group', group, '--topic', `${topic}:1`);
  assert.equal(delOffsets.code, 0, delOffsets.stderr);
  assert.match(delOffsets.stdout, new RegExp(`Request succeed for deleting offsets with topic ${topic}:1 group ${group}`));
  assert.deepEqual(tableRows(delOffsets.stdout.split('\n').slice(1).join('\n')).map((r) => [r.PARTITION, r.STATUS]), [['1', 'Successful']]);
  assert.deepEqual(await committed(), [0]);
  const del = await cli('--delete', '--group', group, '--group', fresh);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, `Deletion of requested consumer groups ('${group}', '${fresh}') was successful.\n`);
  const gone = await cli('--describe', '--group', group);
  assert.match(gone.stderr, new RegExp(`Consumer group '${group}' does not exist`));
}

export const SCENARIOS: readonly { name: string; run: (t: Scope, cluster: GroupTestCluster) => Promise<void> }[] = [
  { name: 'consuming with commits across rebalances and a kill -9 loses nothing; duplicates only from uncommitted work', run: commitsAcrossRebalances },
  { name: 'a 4th member over 12 partitions moves one partition from each of 3; the other 9 never stop', run: joinMovesOnlyWhatItMust },
  { name: 'a static member killed and restarted within its session keeps its partitions', run: staticMemberRestart },
  { name: 'pause and resume', run: pauseResume },
  { name: 'strait consume --group resumes after its last commit; groups --describe shows it', run: consoleConsumerResumes },
  { name: 'groups --describe, --members, --state and --list match what was committed', run: describeMatchesCommits },
  { name: 'groups --reset-offsets (every scenario, dry run, refusal), --delete-offsets and --delete', run: resetAndDelete },
];
