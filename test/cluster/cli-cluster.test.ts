// `strait cluster --brokers 3` end to end, as a developer uses it: start it, read its table, point
// `strait topics` and `strait cluster --describe` at it, Ctrl-C it, and every node process is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_MAIN } from '../helpers/launcher.js';
import { runStrait } from '../helpers/run-strait.js';
import { randomTopic, waitFor } from './cluster-kit.js';


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('strait cluster --brokers 3: table, topics and describe against it, Ctrl-C stops every node', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-cli-cluster-'));
  const child = spawn(process.execPath, [CLI_MAIN, 'cluster', '--brokers', '3', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const nodePids: number[] = [];
  t.after(async () => {
    // Whatever went wrong, nothing this test started outlives it.
    for (const pid of [child.pid!, ...nodePids]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => (output += line + '\n'));
  await Promise.race([
    waitFor('the cluster table and "press Ctrl-C"', () => output.includes('press Ctrl-C'), 40_000),
    exited.then((code) => {
      throw new Error(`strait cluster exited with code ${code} before it was up:\n${output}`);
    }),
  ]).catch((err: Error) => {
    throw new Error(`${err.message}\n${output}`);
  });

  const rows = output.split('\n').filter((l) => /^\d+\s+broker/.test(l)).map((l) => l.split(/\s+/));
  assert.equal(rows.length, 3, output);
  assert.deepEqual(rows.map((r) => r[0]), ['1', '2', '3']);
  assert.deepEqual(rows.map((r) => r[1]), ['broker,controller', 'broker,controller', 'broker,controller']);
  nodePids.push(...rows.map((r) => Number(r[5])));
  for (const pid of nodePids) assert.ok(Number.isSafeInteger(pid) && alive(pid), `pid ${pid} runs`);
  for (const r of rows) assert.match(r[4]!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const bootstrap = /^bootstrap\s+(\S+)$/m.exec(output)?.[1];
  assert.equal(bootstrap, rows.map((r) => r[2]).join(','));

  const topic = randomTopic('cli');
  let r = await runStrait(['topics', '--bootstrap-server', bootstrap!, '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '3']);
  assert.equal(r.code, 0, r.stderr);
  r = await waitFor('every partition with a leader in topics --describe', async () => {
    const d = await runStrait(['topics', '--bootstrap-server', bootstrap!, '--describe', '--topic', topic]);
    return d.code === 0 && (d.stdout.match(/Leader: \d/g) ?? []).length === 3 ? d : undefined;
  }, 10_000, 200);
  assert.match(r.stdout, new RegExp(`PartitionCount: 3\\tReplicationFactor: 3`));
  for (const line of r.stdout.split('\n').filter((l) => l.includes('Partition: '))) {
    const [, replicas, isr] = /Replicas: ([\d,]+)\tIsr: ([\d,]+)/.exec(line) ?? [];
    assert.deepEqual(replicas?.split(',').sort(), ['1', '2', '3'], line);
    assert.deepEqual(isr?.split(',').sort(), ['1', '2', '3'], line);
  }

  r = await runStrait(['cluster', '--describe', '--bootstrap-server', rows[1]![2]!]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ClusterId:\s+[A-Za-z0-9_-]{22}$/m);
  assert.match(r.stdout, /^ActiveController: [123]$/m);
  assert.match(r.stdout, /^Voters:\s+1,2,3$/m);
  for (const row of rows) assert.match(r.stdout, new RegExp(`^${row[0]}\\*?\\s+broker,controller\\s+${row[2]!.replace(/\./g, '\\.')}\\s+-\\s+active$`, 'm'));

  child.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
  assert.equal(code, 0, output);
  assert.match(output, /SIGINT: stopping 3 node\(s\)/);
  assert.match(output, /stopped all nodes/);
  for (const pid of nodePids) assert.equal(alive(pid), false, `node pid ${pid} is gone`);
});

test('strait cluster --describe against nothing: one line on stderr, non-zero exit', async () => {
  const r = await runStrait(['cluster', '--describe', '--bootstrap-server', '127.0.0.1:1']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^strait cluster: /);
});
