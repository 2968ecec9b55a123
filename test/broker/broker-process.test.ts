// The `strait broker` process: a bad config stops start-up with the key and line; an unknown key only
// warns; an error that no request caused ends the process with a fatal line (DESIGN §12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeBrokerConfig } from '../../cli/local-broker.js';
import { spawnBroker, useBrokers } from '../helpers/launcher.js';
import { runStrait } from '../helpers/run-strait.js';

/** dist/test/broker -> dist/test/helpers/fault-preload.js */
const FAULT_PRELOAD = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/fault-preload.js')).href;

test('an invalid value stops start-up with the key and the line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-badcfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'broker.properties');
  writeFileSync(file, `# broker\nnode.id=1\nlog.dirs=${dir}/data\nlisteners=PLAINTEXT://127.0.0.1:0\nnum.partitions=-4\n`);
  const { code, stderr } = await runStrait(['broker', '--config', file]);
  assert.notEqual(code, 0);
  assert.match(stderr, /num\.partitions/);
  assert.match(stderr, /broker\.properties:5/);
});

test('a bad topic default stops start-up with its key and line', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-badcfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'broker.yaml');
  writeFileSync(file, `node.id: 1\nlog.dirs: ${dir}/data\nlisteners: PLAINTEXT://127.0.0.1:0\nlog.cleanup.policy: shred\n`);
  const { code, stderr } = await runStrait(['broker', '--config', file]);
  assert.notEqual(code, 0);
  assert.match(stderr, /log\.cleanup\.policy/);
  assert.match(stderr, /broker\.yaml:4/);
});

test('log.dirs naming a regular file (or a path under one) stops start-up with the key and the path', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-baddir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const blocker = path.join(dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  for (const logDirs of [blocker, `${dir}/ok,${blocker}/data`]) {
    const file = path.join(dir, 'broker.properties');
    writeFileSync(file, `node.id=1\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=${logDirs}\n`);
    const { code, stderr } = await runStrait(['broker', '--config', file]);
    assert.notEqual(code, 0);
    assert.match(stderr, /broker\.properties:3 key "log\.dirs"/);
    assert.ok(stderr.includes(logDirs.split(',').at(-1)!), stderr);
  }
  assert.equal(existsSync(path.join(dir, 'ok', '.lock')), false, 'the dir locked before the bad one is released');
});

test('a missing --config is a usage error', async () => {
  const { code, stderr } = await runStrait(['broker']);
  assert.equal(code, 1);
  assert.match(stderr, /--config/);
});

test('an unknown key warns and the broker starts', async (t) => {
  const broker = await useBrokers(t).start({ config: { 'no.such.setting': 'x' } });
  assert.match(broker.output(), /unknown config key \\"no\.such\.setting\\" ignored/);
  assert.ok(broker.port > 0);
});

test('a listener port in use stops start-up with a message, and leaves the data dir usable', async (t) => {
  const first = await useBrokers(t).start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-busy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'broker.properties');
  writeFileSync(file, `node.id=1\nlog.dirs=${dir}/data\nlisteners=PLAINTEXT://127.0.0.1:${first.port}\nmetrics.port=0\n`);
  const { code, stderr } = await runStrait(['broker', '--config', file]);
  assert.equal(code, 1);
  assert.match(stderr, /strait broker: .+/);
  const again = await useBrokers(t).start({ dataDir: `${dir}/data` });
  assert.ok(again.port > 0);
});

for (const fault of ['throw', 'reject'] as const) {
  const what = fault === 'throw' ? 'an exception nobody catches' : 'a rejection nobody handles';
  test(`${what}, outside any request: a fatal line with the error, then exit 1`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-fault-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'broker.properties');
    writeBrokerConfig(file, { 'node.id': '1', listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': path.join(dir, 'data'), 'metrics.listener': 'http://127.0.0.1:0' });
    // The preload (test-only, loaded with node --import) throws or rejects from a timer on SIGUSR2,
    // as a bug in a timer or a forgotten promise would, in a broker that is up and serving.
    const broker = await spawnBroker(file, undefined, { nodeArgs: ['--import', FAULT_PRELOAD], env: { STRAIT_TEST_FAULT: fault } });
    const closed = new Promise<void>((resolve) => broker.child.once('close', () => resolve()));
    t.after(() => {
      if (broker.child.exitCode === null && broker.child.signalCode === null) broker.child.kill('SIGKILL');
    });
    broker.child.kill('SIGUSR2');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), 20_000); });
    const outcome = await Promise.race([broker.exited, gaveUp]);
    clearTimeout(timer);
    assert.notEqual(outcome, 'timeout', `the broker kept running after ${what}:\n${broker.output.join('')}`);
    await closed;
    const output = broker.output.join('');
    assert.deepEqual(outcome, { code: 1, signal: null }, output);
    const fatal = output.split('\n').flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; origin?: string; err?: { message?: string } };
        return entry.level === 60 ? [entry] : [];
      } catch {
        return [];
      }
    });
    assert.equal(fatal.length, 1, output);
    assert.equal(fatal[0]!.msg, 'unexpected error: exiting');
    assert.equal(fatal[0]!.origin, fault === 'throw' ? 'uncaughtException' : 'unhandledRejection');
    assert.match(fatal[0]!.err?.message ?? '', /^injected fault: /);
    assert.match(output, /strait broker: unexpected error \((uncaughtException|unhandledRejection)\): injected fault/);
  });
}
