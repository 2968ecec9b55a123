// A Kafka user's first exercises, typed as they would be, against a real broker process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrokers } from '../helpers/launcher.js';
import { runStrait } from '../helpers/run-strait.js';


test('topics, produce, consume and configs as a Kafka user types them', async (t) => {
  const broker = await useBrokers(t).start();
  const bs = ['--bootstrap-server', broker.address];

  let r = await runStrait(['topics', ...bs, '--create', '--topic', 'test', '--partitions', '2', '--config', 'retention.ms=60000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created topic test.\n');

  r = await runStrait(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Topic: test\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention\.ms=60000$/);
  assert.equal(lines[1], '\tTopic: test\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1');
  assert.equal(lines[2], '\tTopic: test\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1');

  r = await runStrait(['topics', ...bs, '--list']);
  assert.deepEqual(r.stdout.trim().split('\n'), ['test']);

  r = await runStrait(['produce', ...bs, '--topic', 'test', '--property', 'parse.key=true', '--property', 'key.separator=:'], 'skcc:college\nd:x\n');
  assert.equal(r.code, 0, r.stderr);

  r = await runStrait(['consume', ...bs, '--topic', 'test', '--from-beginning', '--property', 'print.key=true', '--max-messages', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['d\tx', 'skcc\tcollege']);
  assert.match(r.stderr, /Processed a total of 2 messages/);

  // murmur2("d") % 2 = 1: only that record is in partition 1.
  r = await runStrait(['consume', ...bs, '--topic', 'test', '--partition', '1', '--offset', 'earliest', '--property', 'print.offset=true', '--timeout-ms', '1500']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Offset:0\tx\n');

  r = await runStrait(['configs', ...bs, '--entity-type', 'topics', '--entity-name', 'test', '--alter', '--add-config', 'retention.ms=120000,cleanup.policy=compact']);
  assert.equal(r.code, 0, r.stderr);
  r = await runStrait(['configs', ...bs, '--entity-type', 'topics', '--entity-name', 'test', '--describe']);
  assert.match(r.stdout, /retention\.ms=120000/);
  assert.match(r.stdout, /cleanup\.policy=compact/);

  r = await runStrait(['topics', ...bs, '--alter', '--topic', 'test', '--partitions', '3']);
  assert.equal(r.code, 0, r.stderr);
  r = await runStrait(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.match(r.stdout, /PartitionCount: 3/);

  r = await runStrait(['topics', ...bs, '--delete', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  // The console consumer's group made the coordinator create __consumer_offsets, an internal topic
  // that --list shows, as Kafka's does.
  r = await runStrait(['topics', ...bs, '--list']);
  assert.equal(r.stdout.trim(), '__consumer_offsets');
  r = await runStrait(['topics', ...bs, '--list', '--exclude-internal']);
  assert.equal(r.stdout.trim(), '');
});

test('mistakes get one line on stderr and a non-zero exit', async (t) => {
  const broker = await useBrokers(t).start();
  const bs = ['--bootstrap-server', broker.address];
  const cases: [string[], RegExp][] = [
    [['topics', ...bs, '--create', '--topic', 'bad name!'], /INVALID_TOPIC_EXCEPTION/],
    [['topics', ...bs, '--create', '--topic', 'ok', '--config', 'no.such.key=1'], /INVALID_CONFIG/],
    [['topics', ...bs, '--create', '--topic', 'ok', '--config', 'retention.ms=abc'], /INVALID_CONFIG/],
    [['topics', ...bs, '--create', '--list'], /exactly one action/],
    [['topics', ...bs, '--describe', '--topic', 'missing'], /UNKNOWN_TOPIC_OR_PARTITION/],
    [['topics', ...bs, '--create', '--topic', 'x', '--partitions', 'two'], /must be an integer/],
    [['consume', ...bs, '--topic', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['nosuchcommand'], /unknown command/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runStrait(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.trim().split('\n')[0]!.length > 0, true);
  }
  const list = await runStrait(['topics', ...bs, '--list']);
  assert.equal(list.stdout.trim(), '', 'nothing was created by the failed commands');
});
