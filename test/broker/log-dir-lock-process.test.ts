// Broker processes and the log dir lock: a second broker on a dir in use stops at start (naming the
// dir and the holder's pid, exit code non-zero) and the first one's records are intact; a broker
// killed with SIGKILL leaves a stale lock that its restart takes over; a clean stop removes the lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBrokerConfig } from '../../cli/local-broker.js';
import { LOCK_FILE } from '../../broker/log/log-dir-lock.js';
import { useBrokers } from '../helpers/launcher.js';
import { brokerClient } from '../helpers/grpc-clients.js';
import { batchOf, produce, randomTopic, readAll } from '../helpers/broker-calls.js';
import { runStrait } from '../helpers/run-strait.js';

const values = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

test('a second broker on a locked log dir exits non-zero naming the dir and the holder; the first keeps its records', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-lock-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  const first = await useBrokers(t).start({ dataDir });
  const client = brokerClient(first.address);
  t.after(() => client.close());
  const topic = randomTopic('locked');
  assert.equal((await produce(client, topic, 0, batchOf(values('A', 100)))).errorCode, 0);

  const secondConfig = path.join(tmp, 'second.properties');
  writeBrokerConfig(secondConfig, {
    'node.id': '1', 'listeners': 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, 'metrics.listener': 'http://127.0.0.1:0',
  });
  const second = await runStrait(['broker', '--config', secondConfig]);
  assert.notEqual(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stderr, new RegExp(`log dir ${dataDir}.*locked by pid ${first.pid}`));

  assert.equal((await produce(client, topic, 0, batchOf(values('A', 100).map((v) => `${v}-more`)))).errorCode, 0);
  const records = await readAll(client, topic);
  assert.equal(records.length, 200);
  assert.deepEqual(records.slice(0, 100).map((r) => r.value), values('A', 100));
  assert.deepEqual(records.map((r) => r.offset), Array.from({ length: 200 }, (_, i) => i));
});

test('kill -9 leaves a stale lock that the restart takes over; a clean stop removes it', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-lock-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  const broker = await useBrokers(t).start({ dataDir });
  const lockFile = path.join(dataDir, LOCK_FILE);
  assert.match(readFileSync(lockFile, 'utf8'), new RegExp(`^pid=${broker.pid}\n`));
  let client = brokerClient(broker.address);
  const topic = randomTopic('stale');
  assert.equal((await produce(client, topic, 0, batchOf(values('K', 10)))).errorCode, 0);
  client.close();

  const killedPid = broker.pid;
  broker.kill('SIGKILL');
  await broker.exited;
  assert.match(readFileSync(lockFile, 'utf8'), new RegExp(`^pid=${killedPid}\n`), 'kill -9 cannot release the lock');
  await broker.restart();
  assert.match(broker.output(), /took over a stale log dir lock/);
  assert.match(readFileSync(lockFile, 'utf8'), new RegExp(`^pid=${broker.pid}\n`));
  client = brokerClient(broker.address);
  t.after(() => client.close());
  assert.deepEqual((await readAll(client, topic)).map((r) => r.value), values('K', 10));

  const exit = await broker.halt();
  assert.equal(exit.code, 0, broker.output());
  assert.equal(existsSync(lockFile), false);
});
