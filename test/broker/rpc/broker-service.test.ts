// Produce and fetch through a real broker process with a plain grpc-js client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import { decodeRecordBatches } from '../../../client/records/index.js';
import type { MetadataResponse__Output } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { InitProducerIdResponse__Output } from '../../../client/wire/generated/strait/v1/InitProducerIdResponse.js';
import type { ProduceResponse__Output } from '../../../client/wire/generated/strait/v1/ProduceResponse.js';
import type { FetchResponse__Output } from '../../../client/wire/generated/strait/v1/FetchResponse.js';
import * as grpc from '@grpc/grpc-js';
import { useBrokers } from '../../helpers/launcher.js';
import { adminClient, brokerClient, rpc, within } from '../../helpers/grpc-clients.js';
import { batchOf, createTopic, fetchPartition, latestOffset, produce, randomTopic, readAll } from '../../helpers/broker-calls.js';

test('broker service over gRPC', async (t) => {
  const broker = await useBrokers(t).start({ config: { 'num.partitions': '2' } });
  const client = brokerClient(broker.address);
  const admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });

  await t.test('produce then fetch returns the records at their offsets', async () => {
    const topic = randomTopic();
    const first = await produce(client, topic, 0, batchOf(['a', 'b', 'c']));
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.equal(first.baseOffset, 0);
    const second = await produce(client, topic, 0, batchOf(['d']));
    assert.equal(second.baseOffset, 3);
    assert.deepEqual(await readAll(client, topic), ['a', 'b', 'c', 'd'].map((value, offset) => ({ offset, value })));
    assert.equal(await latestOffset(client, topic), 4);
  });

  await t.test('metadata lists the auto-created topic with this node as leader and ISR', async () => {
    const topic = randomTopic();
    const res = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ topics: [topic], allowAutoTopicCreation: true }, within(5000), cb));
    assert.equal(res.brokers.length, 1);
    assert.equal(res.brokers[0]!.port, broker.port);
    const md = res.topics[0]!;
    assert.equal(md.errorCode, ErrorCode.NONE);
    assert.equal(md.partitions.length, 2);
    assert.ok(md.topicId.length > 0);
    for (const p of md.partitions) {
      assert.equal(p.leaderId, 1);
      assert.deepEqual(p.isrNodes, [1]);
      assert.deepEqual(p.replicaNodes, [1]);
    }
    const missing = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ topics: [randomTopic()], allowAutoTopicCreation: false }, within(5000), cb));
    assert.equal(missing.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('long-poll fetch returns as soon as a produce arrives', async () => {
    const topic = randomTopic();
    await produce(client, topic, 0, batchOf(['x']));
    const started = Date.now();
    // The longest wait the broker allows (5 min), as long as the runner lets a test file run: only
    // the produce can answer it in time, so no clock bound is needed to prove the wake-up.
    const waiting = fetchPartition(client, topic, 0, 1, { maxWaitMs: 300_000, minBytes: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await produce(client, topic, 0, batchOf(['y']));
    const res = await waiting;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250, `fetch returned before the produce (${elapsed} ms)`);
    const records = decodeRecordBatches(res.records).flatMap((b) => b.records);
    assert.deepEqual(records.map((r) => [r.offset, r.value?.toString()]), [[1, 'y']]);
  });

  await t.test('long-poll fetch with nothing to read waits max_wait_ms and answers empty', async () => {
    const topic = randomTopic();
    await produce(client, topic, 0, batchOf(['x']));
    const started = Date.now();
    const res = await fetchPartition(client, topic, 0, 1, { maxWaitMs: 400, minBytes: 1 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 380, `waited ${elapsed} ms`);
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.equal(res.records.length, 0);
    assert.equal(res.highWatermark, 1);
  });

  await t.test('fetch beyond the log end is OFFSET_OUT_OF_RANGE', async () => {
    const topic = randomTopic();
    await produce(client, topic, 0, batchOf(['x']));
    const res = await fetchPartition(client, topic, 0, 5);
    assert.equal(res.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  await t.test('a retried idempotent produce (same producer id, epoch, sequence) is written once', async () => {
    const topic = randomTopic();
    const init = await rpc<InitProducerIdResponse__Output>((cb) => client.InitProducerId({ producerId: -1, producerEpoch: -1 }, within(5000), cb));
    assert.equal(init.errorCode, ErrorCode.NONE);
    assert.ok(init.producerId >= 0);
    const opts = { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0 };
    const a = await produce(client, topic, 0, batchOf(['one', 'two'], opts));
    const again = await produce(client, topic, 0, batchOf(['one', 'two'], opts));
    assert.equal(a.errorCode, ErrorCode.NONE);
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.baseOffset, a.baseOffset);
    const next = await produce(client, topic, 0, batchOf(['three'], { ...opts, baseSequence: 2 }));
    assert.equal(next.baseOffset, 2);
    assert.deepEqual((await readAll(client, topic)).map((r) => r.value), ['one', 'two', 'three']);
    const bumped = await rpc<InitProducerIdResponse__Output>((cb) =>
      client.InitProducerId({ producerId: init.producerId, producerEpoch: init.producerEpoch }, within(5000), cb));
    assert.deepEqual([bumped.producerId, bumped.producerEpoch], [init.producerId, init.producerEpoch + 1]);
  });

  await t.test('acks outside 0/1/-1 is INVALID_REQUIRED_ACKS; acks=-1 with min.insync.replicas=2 is NOT_ENOUGH_REPLICAS', async () => {
    const topic = randomTopic();
    const bad = await produce(client, topic, 0, batchOf(['x']), 2);
    assert.equal(bad.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
    const strict = randomTopic();
    assert.equal((await createTopic(admin, strict, 1, { 'min.insync.replicas': '2' })).topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await produce(client, strict, 0, batchOf(['x']), -1)).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal((await produce(client, strict, 0, batchOf(['x']), 1)).errorCode, ErrorCode.NONE);
  });

  await t.test('ProduceStream answers every request in order by correlation id', async () => {
    const topic = randomTopic();
    const stream = client.ProduceStream();
    const answers: ProduceResponse__Output[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: ProduceResponse__Output) => answers.push(r));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    for (let i = 0; i < 50; i++) {
      stream.write({ correlationId: 1000 + i, acks: 1, topics: [{ name: topic, partitions: [{ partition: 0, records: batchOf([`m${i}`]) }] }] });
    }
    stream.end();
    await done;
    assert.deepEqual(answers.map((a) => a.correlationId), Array.from({ length: 50 }, (_, i) => 1000 + i));
    assert.deepEqual(answers.map((a) => a.topics[0]!.partitions[0]!.baseOffset), Array.from({ length: 50 }, (_, i) => i));
  });

  await t.test('FetchStream answers each request by correlation id when it is ready', async () => {
    const topic = randomTopic();
    await produce(client, topic, 0, batchOf(['first']));
    const stream = client.FetchStream();
    const answers: FetchResponse__Output[] = [];
    const got = (n: number): Promise<void> => new Promise((resolve, reject) => {
      const check = (): void => { if (answers.length >= n) resolve(); };
      stream.on('data', (r: FetchResponse__Output) => { answers.push(r); check(); });
      stream.on('error', reject);
    });
    const request = (correlationId: number, fetchOffset: number, maxWaitMs: number) => ({
      correlationId, replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20,
      topics: [{ name: topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }],
    });
    const both = got(2);
    stream.write(request(11, 1, 10_000));
    stream.write(request(12, 0, 0));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(answers.map((a) => a.correlationId), [12], 'the immediate answer overtakes the parked one');
    await produce(client, topic, 0, batchOf(['second']));
    await both;
    assert.deepEqual(answers.map((a) => a.correlationId), [12, 11]);
    const values = decodeRecordBatches(answers[1]!.topics[0]!.partitions[0]!.records).flatMap((b) => b.records.map((r) => r.value?.toString()));
    assert.deepEqual(values, ['second']);
    stream.end();
  });

  await t.test('one Fetch answers several topics and partitions, each with its own records, a cut batch left out and an unknown topic refused', async () => {
    const [orders, payments, missing] = [randomTopic(), randomTopic(), randomTopic()];
    await produce(client, orders, 0, batchOf(['o0-a', 'o0-b']));
    await produce(client, orders, 1, batchOf(['o1-a']));
    const secondBatch = batchOf(['o1-b', 'o1-c']);
    await produce(client, orders, 1, secondBatch);
    await produce(client, payments, 0, batchOf(['p0-a']));
    await produce(client, payments, 1, batchOf(['p1-a', 'p1-b', 'p1-c']));
    const firstBatchBytes = batchOf(['o1-a']).length;
    const res = await rpc<FetchResponse__Output>((cb) => client.Fetch({
      correlationId: 77, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20,
      topics: [
        // orders-1 may take a few bytes of its second batch: the cut batch is not sent.
        { name: orders, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }, { partition: 1, fetchOffset: 0, partitionMaxBytes: firstBatchBytes + 20 }] },
        { name: missing, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
        { name: payments, partitions: [{ partition: 1, fetchOffset: 1, partitionMaxBytes: 1 << 20 }, { partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
      ],
    }, within(10_000), cb));
    assert.equal(res.correlationId, 77);
    const values = (records: Buffer): string[] => decodeRecordBatches(records).flatMap((b) => b.records.map((r) => `${r.offset}:${r.value?.toString()}`));
    const answer = res.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => [p.partition, p.errorCode, p.highWatermark, values(p.records)]),
    }));
    assert.deepEqual(answer, [
      { name: orders, partitions: [[0, ErrorCode.NONE, 2, ['0:o0-a', '1:o0-b']], [1, ErrorCode.NONE, 3, ['0:o1-a']]] },
      { name: missing, partitions: [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, []]] },
      // The whole batch holding offset 1 (offsets 0-2), as Kafka answers: the client skips the ones below.
      { name: payments, partitions: [[1, ErrorCode.NONE, 3, ['0:p1-a', '1:p1-b', '2:p1-c']], [0, ErrorCode.NONE, 1, ['0:p0-a']]] },
    ]);
  });

  await t.test('a consumer reads across segments: an answer stops at its segment\'s end, the next fetch goes on in the next segment', async () => {
    const topic = randomTopic();
    // Segments of at most 1 KiB: 12 batches of about 300 bytes make several.
    assert.equal((await createTopic(admin, topic, 1, { 'segment.bytes': '1024' })).topics[0]!.errorCode, ErrorCode.NONE);
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) {
      const batchValues = [`${i}-a`.padEnd(120, '.'), `${i}-b`.padEnd(120, '.')];
      sent.push(...batchValues);
      assert.equal((await produce(client, topic, 0, batchOf(batchValues))).errorCode, ErrorCode.NONE);
    }
    const first = await fetchPartition(client, topic, 0, 0, { maxBytes: 1 << 20 });
    const firstCount = decodeRecordBatches(first.records).reduce((n, b) => n + b.records.length, 0);
    assert.ok(firstCount > 0 && firstCount < sent.length, `the first answer holds one segment's records (${firstCount} of ${sent.length})`);
    const all = await readAll(client, topic);
    assert.deepEqual(all, sent.map((value, offset) => ({ offset, value })));
  });

  await t.test('server reflection lists the services', async () => {
    const raw = new grpc.Client(broker.address, grpc.credentials.createInsecure());
    t.after(() => raw.close());
    const identity = (b: Buffer): Buffer => b;
    const call = raw.makeBidiStreamRequest('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', identity, identity, within(5000));
    const reply = new Promise<Buffer>((resolve, reject) => {
      call.on('data', (b: Buffer) => resolve(b));
      call.on('error', reject);
    });
    // ServerReflectionRequest { list_services: "" } is field 7, length-delimited, empty.
    call.write(Buffer.from([0x3a, 0x00]));
    const text = (await reply).toString('latin1');
    call.end();
    assert.match(text, /strait\.v1\.Broker/);
    assert.match(text, /strait\.v1\.Admin/);
  });
});
