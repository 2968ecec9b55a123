// Whole-process behaviour: restart on an existing data dir, kill -9 during a produce burst, SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../client/errors.js';
import type { MetadataResponse__Output } from '../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { DescribeConfigsResponse__Output } from '../../client/wire/generated/strait/v1/DescribeConfigsResponse.js';
import type { ProduceResponse__Output } from '../../client/wire/generated/strait/v1/ProduceResponse.js';
import { ConfigResourceType } from '../../client/wire/generated/strait/v1/ConfigResourceType.js';
import { ConfigSource } from '../../client/wire/generated/strait/v1/ConfigSource.js';
import { useBrokers } from '../helpers/launcher.js';
import { adminClient, brokerClient, rpc, within } from '../helpers/grpc-clients.js';
import { batchOf, createTopic, produce, randomTopic, readAll } from '../helpers/broker-calls.js';

test('restart on an existing data dir resumes every topic with its configs and records', async (t) => {
  const broker = await useBrokers(t).start();
  let client = brokerClient(broker.address);
  let admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const plain = randomTopic('plain');
  const tuned = randomTopic('tuned');
  assert.equal((await createTopic(admin, plain, 3)).topics[0]!.errorCode, ErrorCode.NONE);
  assert.equal((await createTopic(admin, tuned, 1, { 'retention.ms': '3600000', 'cleanup.policy': 'compact' })).topics[0]!.errorCode, ErrorCode.NONE);
  for (let p = 0; p < 3; p++) await produce(client, plain, p, batchOf([`p${p}-a`, `p${p}-b`]));
  await produce(client, tuned, 0, encodeKeyed());
  const before = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ allTopics: true }, within(5000), cb));

  broker.kill('SIGTERM');
  const exit = await broker.exited;
  assert.equal(exit.code, 0, broker.output());
  client.close();
  admin.close();
  await broker.restart();
  client = brokerClient(broker.address);
  admin = adminClient(broker.address);

  const after = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ allTopics: true }, within(5000), cb));
  const summary = (m: MetadataResponse__Output): unknown => m.topics.map((x) => [x.name, x.topicId, x.partitions.length]);
  assert.deepEqual(summary(after), summary(before));
  assert.equal(after.clusterId, before.clusterId);
  for (let p = 0; p < 3; p++) assert.deepEqual((await readAll(client, plain, p)).map((r) => r.value), [`p${p}-a`, `p${p}-b`]);
  const configs = await rpc<DescribeConfigsResponse__Output>((cb) => admin.DescribeConfigs({
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: tuned, configurationKeys: ['retention.ms', 'cleanup.policy', 'segment.bytes'] }],
  }, within(5000), cb));
  const byName = new Map(configs.results[0]!.configs.map((c) => [c.name, c]));
  assert.equal(byName.get('retention.ms')?.value, '3600000');
  assert.equal(byName.get('retention.ms')?.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
  assert.equal(byName.get('cleanup.policy')?.value, 'compact');
  assert.equal(byName.get('segment.bytes')?.source, ConfigSource.DEFAULT_CONFIG);
  assert.equal((await produce(client, plain, 0, batchOf(['more']))).baseOffset, 2);
});

function encodeKeyed(): Buffer {
  return batchOf(['v']);
}

test('launcher: pause stops answering, resume brings it back; startCluster forms one cluster', async (t) => {
  const brokers = useBrokers(t);
  const [a, b] = await brokers.cluster(2);
  assert.notEqual(a!.port, b!.port);
  const client = brokerClient(a!.address);
  t.after(() => client.close());
  const topic = randomTopic();
  // Either node may lead the auto-created partition; both answer Metadata from one image.
  const md0 = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ topics: [topic], allowAutoTopicCreation: true }, within(10_000), cb));
  const leader = md0.topics[0]!.partitions[0]!.leaderId;
  assert.ok(leader === 1 || leader === 2, `leader ${leader}`);
  assert.deepEqual(md0.brokers.map((x) => x.nodeId).sort(), [1, 2]);
  const leaderClient = brokerClient((leader === 1 ? a : b)!.address);
  t.after(() => leaderClient.close());
  assert.equal((await produce(leaderClient, topic, 0, batchOf(['x']))).errorCode, ErrorCode.NONE);
  a!.pause();
  await assert.rejects(rpc((cb) => client.Metadata({ allTopics: true }, within(300), cb)), /DEADLINE_EXCEEDED|Deadline/);
  a!.resume();
  const md = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ allTopics: true }, within(5000), cb));
  assert.ok(md.topics.some((x) => x.name === topic));
});

test('kill -9 during a produce burst loses no acknowledged record', async (t) => {
  const broker = await useBrokers(t).start();
  const topic = randomTopic('burst');
  let client = brokerClient(broker.address);
  t.after(() => client.close());
  assert.equal((await produce(client, topic, 0, batchOf(['warm-up']))).errorCode, ErrorCode.NONE);

  const acked = new Map<number, { baseOffset: number; values: string[] }>();
  const sent = new Map<number, string[]>();
  const stream = client.ProduceStream();
  const ended = new Promise<void>((resolve) => {
    stream.on('error', () => resolve());
    stream.on('end', () => resolve());
  });
  let killed = false;
  stream.on('data', (r: ProduceResponse__Output) => {
    const p = r.topics[0]?.partitions[0];
    if (p && p.errorCode === ErrorCode.NONE) acked.set(r.correlationId, { baseOffset: p.baseOffset, values: sent.get(r.correlationId)! });
    if (!killed && acked.size >= 200) {
      killed = true;
      broker.kill('SIGKILL');
    }
  });
  // Keep writing until the broker is gone: many requests are in flight at the kill.
  for (let id = 1; id <= 5000 && !killed; id++) {
    const values = Array.from({ length: 5 }, (_, i) => `r${id}-${i}`);
    sent.set(id, values);
    stream.write({ correlationId: id, acks: 1, topics: [{ name: topic, partitions: [{ partition: 0, records: batchOf(values) }] }] });
    if (id % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  await broker.exited;
  await ended;
  assert.ok(killed, 'the broker was killed mid-burst');
  client.close();
  await broker.restart();
  client = brokerClient(broker.address);

  const log = await readAll(client, topic);
  const byOffset = new Map(log.map((r) => [r.offset, r.value]));
  for (const [id, { baseOffset, values }] of acked) {
    values.forEach((v, i) => assert.equal(byOffset.get(baseOffset + i), v, `request ${id} record ${i} at offset ${baseOffset + i}`));
  }
  assert.deepEqual(log.map((r) => r.offset), log.map((_, i) => i), 'offsets are dense and in order');
  const next = await produce(client, topic, 0, batchOf(['after-restart']));
  assert.equal(next.errorCode, ErrorCode.NONE);
  assert.equal(next.baseOffset, log.length);
});

test('after a restart, topics restored from a metadata snapshot run with their overrides', async (t) => {
  // Every entry is snapshotted, so the restarted node gets the topic from the snapshot it loads
  // before anything listens, not from a replayed entry.
  const broker = await useBrokers(t).start({ config: { 'metadata.log.snapshot.interval.records': '1' } });
  let client = brokerClient(broker.address);
  const admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const small = randomTopic('small');
  assert.equal((await createTopic(admin, small, 1, { 'max.message.bytes': '200' })).topics[0]!.errorCode, ErrorCode.NONE);
  const big = batchOf(['x'.repeat(500)]);
  assert.equal((await produce(client, small, 0, big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal((await broker.halt()).code, 0, broker.output());
  client.close();
  await broker.restart();
  client = brokerClient(broker.address);
  assert.equal((await produce(client, small, 0, big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal((await produce(client, small, 0, batchOf(['fits']))).errorCode, ErrorCode.NONE);
});
