// `strait topics --list` and `--describe` print every topic when a program reads stdout through a
// pipe, slowly or all at once (execFile), and only then exit 0. The CLI used to call process.exit
// while stdout still held most of a long listing, which was lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Admin } from '../../client/index.js';
import { CLI_MAIN, useBrokers } from '../helpers/launcher.js';

const TOPICS = 3_000;
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Reads nothing for a while (the CLI fills the pipe and finishes), then one chunk at a time with pauses. */
function readSlowly(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').pause();
    const start = setTimeout(() => {
      child.stdout.on('data', (d: string) => {
        stdout += d;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 5);
      });
      child.stdout.resume();
    }, 1_000);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strait ${args.join(' ')} did not finish in ${RUN_TIMEOUT_MS} ms\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    // 'close', not 'exit': every byte of stdout has been read by then.
    child.on('close', (code) => {
      clearTimeout(start);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function readAtOnce(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: RUN_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

test(`topics --list and --describe of ${TOPICS} topics, read through a pipe slowly and by execFile`, async (t) => {
  const broker = await useBrokers(t).start();
  const admin = new Admin({ 'bootstrap.servers': broker.address });
  t.after(() => admin.close());
  // Long names (about 200 bytes) so that the listing is many times a pipe's buffer.
  const prefix = `pipe-${randomBytes(4).toString('hex')}-${'x'.repeat(180)}-`;
  const names = Array.from({ length: TOPICS }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 500) {
    await admin.createTopics(names.slice(i, i + 500).map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })));
  }

  const list = ['topics', '--bootstrap-server', broker.address, '--list', '--exclude-internal'];
  const describe = ['topics', '--bootstrap-server', broker.address, '--describe', '--exclude-internal'];
  for (const [how, read] of [['a slow reader', readSlowly], ['execFile', readAtOnce]] as const) {
    const listed = await read(list);
    assert.equal(listed.code, 0, `${how}: ${listed.stderr}`);
    assert.deepEqual(listed.stdout.split('\n').filter(Boolean), names, `${how}: --list printed every topic, in order`);

    const described = await read(describe);
    assert.equal(described.code, 0, `${how}: ${described.stderr}`);
    const lines = described.stdout.split('\n').filter(Boolean);
    const topicLines = lines.filter((l) => l.startsWith('Topic: ')).map((l) => /^Topic: (\S+)\t/.exec(l)?.[1]);
    assert.deepEqual(topicLines, names, `${how}: --describe printed every topic`);
    assert.equal(lines.filter((l) => l.startsWith('\tTopic: ')).length, TOPICS, `${how}: and every partition`);
    assert.ok(described.stdout.endsWith('\n'));
  }
  // A clean shutdown flushes and checkpoints 3,000 logs, seconds that this test is not about.
  broker.kill('SIGKILL');
  await broker.exited;
});
