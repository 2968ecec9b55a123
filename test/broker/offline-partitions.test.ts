// One broker process whose partition logs cannot be opened: a log that fails on creation, and after
// a restart one that fails to load. Each is offline: describe shows "Leader: none" and "Offline:",
// the gauges count it, produce and fetch answer KAFKA_STORAGE_ERROR on the first attempt, the broker
// does not try to open it again, and the other partitions work. A restart retries the open.
// Failures are made with a file where a directory must be (chmod does not stop root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '../../client/errors.js';
import { useBrokers, type BrokerProcess } from '../helpers/launcher.js';
import { adminClient, brokerClient } from '../helpers/grpc-clients.js';
import { batchOf, createTopic, fetchPartition, produce, randomTopic, readAll } from '../helpers/broker-calls.js';
import { runStrait } from '../helpers/run-strait.js';

async function gauge(broker: BrokerProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** The describe line of partition 0 once it matches `pattern` (the controller acts on a heartbeat). */
async function describeLine(broker: BrokerProcess, topic: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  let last = '';
  for (;;) {
    const out = await runStrait(['topics', '--bootstrap-server', broker.address, '--describe', '--topic', topic]);
    last = out.stdout.split('\n').find((l) => l.includes('Partition: 0')) ?? out.stdout + out.stderr;
    if (pattern.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`describe of ${topic} never matched ${pattern}; last: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

test('a partition whose log fails to open is offline, says so everywhere, and is retried only by a restart', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-offline-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  const broker = await useBrokers(t).start({ dataDir });
  let client = brokerClient(broker.address);
  let admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const bad = randomTopic('bad');
  const good = randomTopic('good');
  writeFileSync(path.join(dataDir, `${bad}-0`), 'a file where the partition directory must go');
  for (const name of [good, bad]) assert.equal((await createTopic(admin, name)).topics[0]!.errorCode, ErrorCode.NONE);

  assert.match(await describeLine(broker, bad, /Offline/), /Leader: none\tReplicas: 1\tIsr: 1\tOffline: 1$/);
  assert.match(await describeLine(broker, good, /Leader/), /Leader: 1\tReplicas: 1\tIsr: 1$/);
  assert.equal(await gauge(broker, 'strait_broker_offline_partitions'), 1);
  assert.equal(await gauge(broker, 'strait_broker_offline_replicas'), 1);
  for (let i = 0; i < 3; i++) {
    assert.equal((await produce(client, bad, 0, batchOf(['x']), 1)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal((await fetchPartition(client, bad, 0, 0)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  }
  assert.equal(count(broker.output(), 'could not create log; partition is offline until restart'), 1, 'no new attempt per request');
  assert.equal((await produce(client, good, 0, batchOf(['g1', 'g2']), 1)).errorCode, ErrorCode.NONE);

  // Restart with the obstacle gone: the open is retried and succeeds. Meanwhile the good topic's
  // index becomes a directory: that log fails to load and is offline from the start.
  assert.equal((await broker.halt()).code, 0, broker.output());
  client.close();
  admin.close();
  rmSync(path.join(dataDir, `${bad}-0`));
  const index = path.join(dataDir, `${good}-0`, '00000000000000000000.index');
  rmSync(index);
  mkdirSync(index);
  await broker.restart();
  client = brokerClient(broker.address);
  admin = adminClient(broker.address);
  assert.match(broker.output(), /could not open log; partition is offline until restart/);
  assert.match(await describeLine(broker, good, /Offline/), /Leader: none\tReplicas: 1\tIsr: 1\tOffline: 1$/);
  assert.match(await describeLine(broker, bad, /Leader: 1/), /Leader: 1\tReplicas: 1\tIsr: 1$/);
  assert.equal((await produce(client, good, 0, batchOf(['x']), 1)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal((await produce(client, bad, 0, batchOf(['b1']), 1)).errorCode, ErrorCode.NONE);
  assert.deepEqual((await readAll(client, bad)).map((r) => r.value), ['b1']);
  assert.equal(await gauge(broker, 'strait_broker_offline_replicas'), 1);
});
