import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicTask } from '../../../mirror/offsets/periodic-task.js';
import { silentLogger } from './offsets-fixtures.js';

test('a periodic task runs one round at a time, survives a failing round, and stop() waits for the round in progress', async () => {
  let running = 0;
  let overlapped = false;
  let rounds = 0;
  const errors: unknown[] = [];
  let release: (() => void) | undefined;
  const task = new PeriodicTask('test', 5, async () => {
    running++;
    if (running > 1) overlapped = true;
    rounds++;
    try {
      if (rounds === 2) throw new Error('round 2 fails');
      if (rounds === 4) await new Promise<void>((r) => { release = r; });
    } finally {
      running--;
    }
  }, (err) => errors.push(err), silentLogger);
  task.start({ immediately: true });
  const manual = task.runNow();
  const deadline = Date.now() + 10_000;
  while (release === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(release, 'round 4 started');
  let stopped = false;
  const stopping = task.stop().then(() => { stopped = true; });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stopped, false, 'stop() waits for the round in progress');
  release!();
  await stopping;
  await manual;
  const after = rounds;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(rounds, after, 'no round after stop()');
  assert.equal(overlapped, false);
  assert.equal(errors.length, 1);
  assert.ok(rounds >= 4);
});
