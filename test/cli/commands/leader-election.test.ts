// strait leader-election's file and output, pure: kafka-leader-election.sh's JSON and its three kinds
// of line (elected, already elected, failed with the error). Against brokers: test/cluster/leader-balance.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/index.js';
import { UsageError } from '../../../cli/cli-args.js';
import { electionReport, parseElectionPartitions, runLeaderElection } from '../../../cli/commands/leader-election.js';

test('the partitions file is Kafka\'s; duplicates and malformed entries are refused', () => {
  assert.deepEqual(parseElectionPartitions('{"partitions":[{"topic":"a","partition":1},{"topic":"b","partition":0}]}'),
    [{ topic: 'a', partition: 1 }, { topic: 'b', partition: 0 }]);
  for (const [text, message] of [
    ['[]', /needs/], ['{"partitions":[{"topic":"a"}]}', /needs "topic" and "partition"/],
    ['{"partitions":[{"topic":"a","partition":0},{"topic":"a","partition":0}]}', /duplicate partitions: a-0/], ['{x', /not valid JSON/],
  ] as const) {
    assert.throws(() => parseElectionPartitions(text), (err: unknown) => err instanceof UsageError && message.test(err.message), text);
  }
});

test('the report: elected partitions, those already led by a valid replica, then each failure; failures counted', () => {
  const report = electionReport('preferred', [
    { topic: 'b', partition: 0, error: undefined },
    { topic: 'a', partition: 2, error: new StraitError(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.') },
    { topic: 'a', partition: 1, error: undefined },
    { topic: 'a', partition: 3, error: new StraitError(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'Preferred leader 1 of a-3 is not available.') },
  ]);
  assert.deepEqual(report, {
    lines: [
      'Successfully completed leader election (PREFERRED) for partitions a-1, b-0',
      'Valid replica already elected for partitions a-2',
      'Error completing leader election (PREFERRED) for partition: a-3: ELIGIBLE_LEADERS_NOT_AVAILABLE: Preferred leader 1 of a-3 is not available.',
    ],
    failed: 1,
  });
  assert.deepEqual(electionReport('unclean', []), { lines: [], failed: 0 });
});

test('exactly one way to name the partitions, and an election type', async () => {
  const refused = async (argv: string[], message: RegExp) => {
    await assert.rejects(runLeaderElection(['--bootstrap-server', '127.0.0.1:1', ...argv]), (err: unknown) => err instanceof UsageError && message.test(err.message), argv.join(' '));
  };
  await refused(['--election-type', 'preferred'], /One and only one/);
  await refused(['--election-type', 'preferred', '--topic', 't', '--all-topic-partitions'], /One and only one/);
  await refused(['--election-type', 'preferred', '--topic', 't'], /--partition/);
  await refused(['--election-type', 'preferred', '--all-topic-partitions', '--partition', '1'], /--partition goes with --topic/);
  await refused(['--election-type', 'sideways', '--all-topic-partitions'], /preferred or unclean/);
  await refused(['--all-topic-partitions'], /--election-type/);
});
