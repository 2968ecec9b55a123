// strait consumer-groups without a broker: flag checks as kafka-consumer-groups.sh makes them, the
// reset scenarios' arithmetic, and the tables in Kafka's layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerGroupDescription } from '../../../client/index.js';
import { parseScenario, runConsumerGroups } from '../../../cli/commands/consumer-groups.js';
import { parseCommand, UsageError } from '../../../cli/cli-args.js';
import { consumerGroupsCommand } from '../../../cli/commands/consumer-groups.js';
import { assignmentText, columns, formatDeletedOffsets, formatGroupStates, formatMembers, formatNewOffsets, formatOffsets, formatState, offsetRows } from '../../../cli/group-output.js';
import { parseDateTime, parseDuration, parseTopicArg, planReset, type PartitionOffsets } from '../../../cli/offset-reset.js';

const bs = ['--bootstrap-server', '127.0.0.1:1'];

test('flag combinations are checked before anything is asked of a broker', async () => {
  const cases: [string[], RegExp][] = [
    [[], /exactly one action/],
    [['--list', '--describe'], /exactly one action/],
    [['--describe'], /takes one of these options: \[all-groups\], \[group\]/],
    [['--describe', '--group', 'g', '--all-groups'], /cannot be used with \[all-groups\]/],
    [['--describe', '--group', 'g', '--members', '--state'], /at most one of/],
    [['--describe', '--group', 'g', '--verbose'], /only valid with \[describe\] \[members\]/],
    [['--list', '--members'], /only valid with \[describe\]/],
    [['--delete', '--group', 'g', '--execute'], /only valid with \[reset-offsets\]/],
    [['--reset-offsets', '--group', 'g', '--to-earliest'], /One of the reset scopes should be defined/],
    [['--reset-offsets', '--group', 'g', '--all-topics'], /requires exactly one of the following scenarios/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--to-latest'], /requires exactly one/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--dry-run', '--execute'], /\[dry-run\] cannot be used with \[execute\]/],
    [['--reset-offsets', '--group', 'g', '--topic', 't', '--all-topics', '--to-latest'], /\[topic\] cannot be used with \[all-topics\]/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-offset', 'x'], /must be an integer/],
    [['--reset-offsets', '--group', 'g', '--all-topics', '--to-datetime', '2024-01-01'], /Error parsing timestamp/],
    [['--delete-offsets', '--group', 'g'], /at least one \[topic\]/],
    [['--delete-offsets', '--group', 'a', '--group', 'b', '--topic', 't'], /exactly one \[group\]/],
  ];
  for (const [argv, pattern] of cases) {
    await assert.rejects(runConsumerGroups([...bs, ...argv]), (e: Error) => e instanceof UsageError && pattern.test(e.message), argv.join(' '));
  }
});

test('the scenarios as parsed', () => {
  const scenario = (argv: string[]) => parseScenario(parseCommand(argv, consumerGroupsCommand.options).values, () => 1_000_000);
  assert.deepEqual(scenario(['--to-offset', '42']), { kind: 'to-offset', offset: 42 });
  assert.deepEqual(scenario(['--shift-by', '-5']), { kind: 'shift-by', shift: -5 });
  assert.deepEqual(scenario(['--to-datetime', '1970-01-01T00:00:10.000']), { kind: 'to-datetime', timestamp: 10_000 });
  assert.deepEqual(scenario(['--by-duration', 'PT10M']), { kind: 'by-duration', timestamp: 400_000 });
  assert.deepEqual(scenario(['--to-current']), { kind: 'to-current' });
});

const p = (partition: number, logStart: number, logEnd: number, committed?: number, byTime?: number | null): PartitionOffsets =>
  ({ topic: 't', partition, logStart, logEnd, committed, ...(byTime === undefined ? {} : { byTime }) });

test("each scenario's offsets, kept within the log as Kafka keeps them, with Kafka's warnings", () => {
  const parts = [p(0, 10, 100, 50), p(1, 0, 20)];
  const offsets = (plan: ReturnType<typeof planReset>) => plan.offsets.map((o) => o.offset);
  assert.deepEqual(offsets(planReset({ kind: 'to-earliest' }, parts)), [10, 0]);
  assert.deepEqual(offsets(planReset({ kind: 'to-latest' }, parts)), [100, 20]);
  assert.deepEqual(offsets(planReset({ kind: 'to-current' }, parts)), [50, 20], 'no committed offset: the log end');
  const high = planReset({ kind: 'to-offset', offset: 60 }, parts);
  assert.deepEqual(offsets(high), [60, 20]);
  assert.deepEqual(high.warnings, ['New offset (60) is higher than latest offset for topic partition t-1. Value will be set to 20']);
  const low = planReset({ kind: 'to-offset', offset: 5 }, [p(0, 10, 100)]);
  assert.deepEqual([offsets(low), low.warnings], [[10], ['New offset (5) is lower than earliest offset for topic partition t-0. Value will be set to 10']]);
  assert.deepEqual(offsets(planReset({ kind: 'shift-by', shift: -45 }, [p(0, 10, 100, 50)])), [10]);
  assert.deepEqual(offsets(planReset({ kind: 'shift-by', shift: 7 }, [p(0, 10, 100, 50)])), [57]);
  assert.throws(() => planReset({ kind: 'shift-by', shift: 1 }, parts), /Cannot shift offset for partition t-1 since there is no current committed offset/);
  const byTime = planReset({ kind: 'to-datetime', timestamp: 5 }, [p(0, 0, 30, undefined, 12), p(1, 0, 40, undefined, null)]);
  assert.deepEqual(offsets(byTime), [12, 40]);
  assert.deepEqual(byTime.warnings, ['Warn: Partition 1 from topic t is empty. Falling back to latest known offset.']);
});

test('--to-datetime reads ISO-8601 with milliseconds, UTC unless a zone is given; --by-duration reads PnDTnHnMnS', () => {
  assert.equal(parseDateTime('2024-03-01T12:30:00.250'), Date.UTC(2024, 2, 1, 12, 30, 0, 250));
  assert.equal(parseDateTime('2024-03-01T12:30:00.250Z'), Date.UTC(2024, 2, 1, 12, 30, 0, 250));
  assert.equal(parseDateTime('2024-03-01T12:30:00.000+02:00'), Date.UTC(2024, 2, 1, 10, 30));
  assert.equal(parseDateTime('2024-03-01T12:30:00.000-0130'), Date.UTC(2024, 2, 1, 14, 0));
  for (const bad of ['2024-03-01', '2024-03-01T12:30:00', '2024-02-30T00:00:00.000', '2024-03-01T25:00:00.000', 'yesterday']) {
    assert.throws(() => parseDateTime(bad), UsageError, bad);
  }
  assert.equal(parseDuration('PT1H30M'), 90 * 60_000);
  assert.equal(parseDuration('P1DT2S'), 86_400_000 + 2000);
  assert.equal(parseDuration('PT0.5S'), 500);
  for (const bad of ['P', 'PT', '1H', 'P1H', 'P1DT']) assert.throws(() => parseDuration(bad), UsageError, bad);
});

test('--topic T or T:p,q', () => {
  assert.deepEqual(parseTopicArg('orders'), { topic: 'orders', partitions: undefined });
  assert.deepEqual(parseTopicArg('orders:0,2'), { topic: 'orders', partitions: [0, 2] });
  for (const bad of ['orders:', ':1', 'orders:a', 'orders:1:2']) assert.throws(() => parseTopicArg(bad), UsageError, bad);
});

const group: ConsumerGroupDescription = {
  groupId: 'billing', state: 'Stable', groupEpoch: 7, assignmentEpoch: 7, assignor: 'uniform',
  coordinator: { nodeId: 2, host: '127.0.0.1', port: 9093 },
  members: [
    { memberId: 'm-small', groupInstanceId: undefined, clientId: 'c2', host: '/10.0.0.2', memberEpoch: 7, subscribedTopics: ['orders'], subscribedTopicRegex: undefined, assignment: [{ topic: 'orders', partition: 2 }], pendingAssignment: [] },
    { memberId: 'm-big', groupInstanceId: undefined, clientId: 'c1', host: '/10.0.0.1', memberEpoch: 7, subscribedTopics: ['orders'], subscribedTopicRegex: undefined, assignment: [{ topic: 'orders', partition: 1 }, { topic: 'orders', partition: 0 }], pendingAssignment: [] },
    { memberId: 'm-idle', groupInstanceId: undefined, clientId: 'c3', host: '/10.0.0.3', memberEpoch: 7, subscribedTopics: ['orders'], subscribedTopicRegex: undefined, assignment: [], pendingAssignment: [] },
  ],
};

test("--describe: Kafka's columns, biggest members first, then idle members, then committed partitions nobody holds", () => {
  const k = (partition: number, topic = 'orders') => `${topic}\u0000${partition}`;
  const committed = new Map([[k(0), 5], [k(1), 7], [k(0, 'old'), 3]]);
  const ends = new Map([[k(0), 10], [k(1), 7], [k(2), 4], [k(0, 'old'), 3]]);
  assert.equal(formatOffsets(offsetRows(group, committed, ends)), [
    '',
    'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
    'billing         orders          0          5               10              5               m-big           /10.0.0.1       c1',
    'billing         orders          1          7               7               0               m-big           /10.0.0.1       c1',
    'billing         orders          2          -               4               -               m-small         /10.0.0.2       c2',
    'billing         -               -          -               -               -               m-idle          /10.0.0.3       c3',
    'billing         old             0          3               3               0               -               -               -',
    '',
  ].join('\n'));
});

test('--members [--verbose], --state, --list --state, the reset and delete-offsets tables', () => {
  assert.equal(formatMembers(group, true), [
    '',
    'GROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT',
    'billing         m-small         /10.0.0.2       c2              1               orders(2)',
    'billing         m-big           /10.0.0.1       c1              2               orders(0,1)',
    'billing         m-idle          /10.0.0.3       c3              0               -',
    '',
  ].join('\n'));
  const statics = { ...group, members: [{ ...group.members[0]!, groupInstanceId: 'worker-1' }] };
  assert.match(formatMembers(statics, false), /^\nGROUP +CONSUMER-ID +GROUP-INSTANCE-ID +HOST +CLIENT-ID +#PARTITIONS\nbilling +m-small +worker-1 +\/10\.0\.0\.2 +c2 +1\n$/);
  assert.equal(formatState(group), [
    '',
    'GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS',
    'billing                   127.0.0.1:9093  (2)       uniform              Stable          3',
    '',
  ].join('\n'));
  assert.equal(formatGroupStates([{ groupId: 'billing', state: 'Stable' }]), 'GROUP                     STATE\nbilling                   Stable\n');
  assert.equal(formatNewOffsets('billing', [{ topic: 'orders', partition: 1, offset: 9 }, { topic: 'orders', partition: 0, offset: 3 }]), [
    '',
    'GROUP                          TOPIC                          PARTITION  NEW-OFFSET',
    'billing                        orders                         0          3',
    'billing                        orders                         1          9',
    '',
  ].join('\n'));
  assert.equal(formatDeletedOffsets([{ topic: 'orders', partition: 0, error: undefined }, { topic: 'orders', partition: 1, error: 'GROUP_SUBSCRIBED_TO_TOPIC' }]), [
    '',
    'TOPIC                          PARTITION       STATUS',
    'orders                         0               Successful',
    'orders                         1               Error: GROUP_SUBSCRIBED_TO_TOPIC',
    '',
  ].join('\n'));
  assert.equal(assignmentText([{ topic: 'b', partition: 10 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 9 }]), 'a(2), b(9,10)');
  assert.equal(columns([3, 3], ['a', 'b', 'c']), 'a   b   c');
});
