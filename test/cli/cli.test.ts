// A Kafka user's first exercises, typed as they would be, against a real broker process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI_MAIN, useBrokers } from '../helpers/launcher.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function strait(args: string[], input?: string, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strait ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

test('topics, produce, consume and configs as a Kafka user types them', async (t) => {
  const broker = await useBrokers(t).start();
  const bs = ['--bootstrap-server', broker.address];

  let r = await strait(['topics', ...bs, '--create', '--topic', 'test', '--partitions', '2', '--config', 'retention.ms=60000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created topic test.\n');

  r = await strait(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Topic: test\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention\.ms=60000$/);
  assert.equal(lines[1], '\tTopic: test\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1');
  assert.equal(lines[2], '\tTopic: test\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1');

  r = await strait(['topics', ...bs, '--list']);
  assert.deepEqual(r.stdout.trim().split('\n'), ['test']);

  r = await strait(['produce', ...bs, '--topic', 'test', '--property', 'parse.key=true', '--property', 'key.separator=:'], 'skcc:college\nd:x\n');
  assert.equal(r.code, 0, r.stderr);

  r = await strait(['consume', ...bs, '--topic', 'test', '--from-beginning', '--property', 'print.key=true', '--max-messages', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['d\tx', 'skcc\tcollege']);
  assert.match(r.stderr, /Processed a total of 2 messages/);

  // murmur2("d") % 2 = 1: only that record is in partition 1.
  r = await strait(['consume', ...bs, '--topic', 'test', '--partition', '1', '--offset', 'earliest', '--property', 'print.offset=true', '--timeout-ms', '1500']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Offset:0\tx\n');

  r = await strait(['configs', ...bs, '--entity-type', 'topics', '--entity-name', 'test', '--alter', '--add-config', 'retention.ms=120000,cleanup.policy=compact']);
  assert.equal(r.code, 0, r.stderr);
  r = await strait(['configs', ...bs, '--entity-type', 'topics', '--entity-name', 'test', '--describe']);
  assert.match(r.stdout, /retention\.ms=120000/);
  assert.match(r.stdout, /cleanup\.policy=compact/);

  r = await strait(['topics', ...bs, '--alter', '--topic', 'test', '--partitions', '3']);
  assert.equal(r.code, 0, r.stderr);
  r = await strait(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.match(r.stdout, /PartitionCount: 3/);

  r = await strait(['topics', ...bs, '--delete', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  r = await strait(['topics', ...bs, '--list']);
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
    const r = await strait(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.trim().split('\n')[0]!.length > 0, true);
  }
  const list = await strait(['topics', ...bs, '--list']);
  assert.equal(list.stdout.trim(), '', 'nothing was created by the failed commands');
});
