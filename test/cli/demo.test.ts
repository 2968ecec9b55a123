// `npm start` runs `strait demo`: two local regions of three nodes, an active-active mirror, a producer
// per region and a live view. Run as a user runs it: in its own process group, live figures awaited,
// then Ctrl-C as a terminal sends it (SIGINT to the whole foreground group). It must drain (every
// record acknowledged, none failed, each region's records mirrored to the other), exit 0, and leave
// none of the processes it reported running, nor its data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_MAIN } from '../helpers/launcher.js';

const FIGURES_TIMEOUT_MS = 90_000;
/** The drain's own bounds: the mirror's catch-up (30 s) and stop (20 s), the nodes' stops (15 s). */
const EXIT_TIMEOUT_MS = 150_000;
/** Above both waits, so the test's own bounds fire (and its cleanup runs) before the runner's. */
const TEST_TIMEOUT_MS = FIGURES_TIMEOUT_MS + EXIT_TIMEOUT_MS + 30_000;
/** A view line: time, east in/s, west in/s, then rec/s, lag, lag(s), p50, p99 for each of two flows. */
const VIEW_LINE = /^\s+\d+s((?:\s+(?:-|\d+(?:\.\d+)?)){12})\s*$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('strait demo mirrors two regions both ways, and Ctrl-C drains and stops every process', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const child = spawn(process.execPath, [CLI_MAIN, 'demo', '--rate', '200'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const reportedPids = (): number[] => [...stdout.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  t.after(() => {
    // Whatever happened, nothing this test started outlives it.
    for (const pid of [child.pid!, ...reportedPids()]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  // Live figures: both regions produce and both flows mirror.
  const deadline = Date.now() + FIGURES_TIMEOUT_MS;
  const flowing = (): boolean => stdout.split('\n').some((line) => {
    const m = VIEW_LINE.exec(line);
    if (!m) return false;
    const f = m[1]!.trim().split(/\s+/).map(Number);
    return f[0]! > 0 && f[1]! > 0 && f[2]! > 0 && f[7]! > 0;
  });
  while (!flowing() && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  assert.ok(flowing(), `no live figures with both regions producing and both flows mirroring:\n${stdout}\n${stderr}`);
  assert.match(stdout, /east in\/s +west in\/s +east -> west +west -> east/);
  assert.equal(reportedPids().length, 7, 'six nodes and a mirror worker, each with its pid');

  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  const code = await closed;
  clearTimeout(timer);
  assert.equal(code, 0, `${stdout}\n${stderr}`);

  const produced = new Map([...stdout.matchAll(/^(\w+): produced (\d+) records \((\d+) acknowledged, (\d+) failed\)$/gm)].map((m) => [m[1]!, { sent: Number(m[2]), acknowledged: Number(m[3]), failed: Number(m[4]) }]));
  assert.deepEqual([...produced.keys()], ['east', 'west'], stdout);
  for (const [region, c] of produced) {
    assert.ok(c.sent > 0, `${region} produced`);
    assert.deepEqual({ acknowledged: c.acknowledged, failed: c.failed }, { acknowledged: c.sent, failed: 0 }, `${region}: every record acknowledged`);
  }
  const mirrored = [...stdout.matchAll(/^(\w+) -> (\w+): \1\.orders on \2 holds (\d+) records, orders on \1 (\d+)(.*)$/gm)];
  assert.equal(mirrored.length, 2, stdout);
  for (const [, source, , remote, local, rest] of mirrored) {
    assert.equal(Number(local), produced.get(source!)!.sent, `orders on ${source} holds each acknowledged record once`);
    assert.ok(Number(remote) >= Number(local) && rest === '', `${source}'s records all reached the other region: ${remote} of ${local}${rest}`);
  }

  const stopped = /^stopped 7 processes \(pids ([\d, ]+)\); (\S+) removed$/m.exec(stdout);
  assert.ok(stopped, stdout);
  const pids = stopped[1]!.split(', ').map(Number);
  assert.deepEqual(pids.sort(), reportedPids().sort(), 'the pids it stopped are those it reported');
  for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} is gone`);
  assert.equal(existsSync(stopped[2]!), false, 'the data dir is removed');
  assert.doesNotMatch(stdout + stderr, /not caught up|first failure|again: killing/);
});
