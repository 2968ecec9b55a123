// `npm start` runs `strait demo`: it must start its broker, move records end to end, report live
// figures, and stop its broker and remove its data dir when done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_MAIN } from '../helpers/launcher.js';

test('strait demo moves every record end to end and cleans up after itself', async () => {
  const child = spawn(process.execPath, [CLI_MAIN, 'demo', '--duration', '3', '--rate', '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const summary = /produced (\d+) records \((\d+) failed\), consumed (\d+)/.exec(stdout);
  assert.ok(summary, stdout);
  assert.ok(Number(summary[1]) >= 1000, `produced ${summary[1]}`);
  assert.equal(summary[2], '0');
  assert.equal(summary[3], summary[1], 'every produced record was consumed');
  assert.match(stdout, /produced\/s\s+consumed\/s/);
  const pid = Number(/\(pid (\d+)\)/.exec(stdout)?.[1]);
  assert.throws(() => process.kill(pid, 0), 'the demo broker is gone');
  const dir = /data in (\S+)/.exec(stdout)?.[1];
  assert.ok(dir && !existsSync(dir), 'the demo data dir is removed');
});
