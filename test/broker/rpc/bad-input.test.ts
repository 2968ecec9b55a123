// Bad input is refused with Kafka's error, changes nothing, and the broker keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ErrorCode } from '../../../client/errors.js';
import { channelOptions } from '../../../client/wire/proto.js';
import type { CreateTopicsResponse__Output } from '../../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { IncrementalAlterConfigsResponse__Output } from '../../../client/wire/generated/strait/v1/IncrementalAlterConfigsResponse.js';
import type { ProduceResponse__Output } from '../../../client/wire/generated/strait/v1/ProduceResponse.js';
import { ConfigResourceType } from '../../../client/wire/generated/strait/v1/ConfigResourceType.js';
import { AlterConfigOp } from '../../../client/wire/generated/strait/v1/AlterConfigOp.js';
import { loadProtos } from '../../../client/wire/proto.js';
import { useBrokers } from '../../helpers/launcher.js';
import { adminClient, brokerClient, rpc, within } from '../../helpers/grpc-clients.js';
import { batchOf, createTopic, latestOffset, produce, randomTopic } from '../../helpers/broker-calls.js';

test('bad input changes nothing and the broker keeps serving', async (t) => {
  const broker = await useBrokers(t).start();
  const client = brokerClient(broker.address);
  const admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const topic = randomTopic();
  assert.equal((await createTopic(admin, topic, 1, { 'max.message.bytes': '2000' })).topics[0]!.errorCode, ErrorCode.NONE);
  assert.equal((await produce(client, topic, 0, batchOf(['seed']))).errorCode, ErrorCode.NONE);

  const refused = async (name: string, records: Buffer, expected: number, target = topic): Promise<void> => {
    await t.test(name, async () => {
      const before = await latestOffset(client, topic);
      const res = await produce(client, target, 0, records);
      assert.equal(res.errorCode, expected, `error ${res.errorCode}: ${res.errorMessage}`);
      assert.equal(await latestOffset(client, topic), before);
      const good = await produce(client, topic, 0, batchOf(['good']));
      assert.equal(good.errorCode, ErrorCode.NONE);
      assert.equal(good.baseOffset, before);
    });
  };

  const badCrc = batchOf(['hello', 'world']);
  badCrc[badCrc.length - 1]! ^= 0xff;
  await refused('wrong CRC -> CORRUPT_MESSAGE', badCrc, ErrorCode.CORRUPT_MESSAGE);
  await refused('batch over max.message.bytes -> MESSAGE_TOO_LARGE', batchOf(['x'.repeat(5000)]), ErrorCode.MESSAGE_TOO_LARGE);
  const whole = batchOf(['a', 'b', 'c']);
  await refused('truncated batch -> CORRUPT_MESSAGE', whole.subarray(0, whole.length - 7), ErrorCode.CORRUPT_MESSAGE);
  const garbage = Buffer.alloc(300);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  await refused('random garbage -> CORRUPT_MESSAGE', garbage, ErrorCode.CORRUPT_MESSAGE);
  await refused('empty records -> CORRUPT_MESSAGE', Buffer.alloc(0), ErrorCode.CORRUPT_MESSAGE);
  await refused('illegal topic name -> INVALID_TOPIC_EXCEPTION', batchOf(['x']), ErrorCode.INVALID_TOPIC_EXCEPTION, 'bad name!');

  await t.test('unknown topic config key and out-of-range value -> INVALID_CONFIG, nothing created', async () => {
    const unknown = randomTopic();
    const r1 = await createTopic(admin, unknown, 1, { 'no.such.config': '1' });
    assert.equal(r1.topics[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const r2 = await createTopic(admin, unknown, 1, { 'retention.ms': '-5' });
    assert.equal(r2.topics[0]!.errorCode, ErrorCode.INVALID_CONFIG);
    const r3 = await createTopic(admin, unknown, 1, {});
    assert.equal(r3.topics[0]!.errorCode, ErrorCode.NONE, 'the refused creates left nothing behind');
    const alter = await rpc<IncrementalAlterConfigsResponse__Output>((cb) => admin.IncrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: unknown, configs: [{ name: 'segment.bytes', configOperation: AlterConfigOp.SET, value: '1' }] }],
    }, within(5000), cb));
    assert.equal(alter.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  });

  await t.test('illegal names, partitions and replication factors in CreateTopics', async () => {
    const create = (topic: object): Promise<CreateTopicsResponse__Output> =>
      rpc<CreateTopicsResponse__Output>((cb) => admin.CreateTopics({ topics: [topic] }, within(5000), cb));
    assert.equal((await create({ name: 'a/b', numPartitions: 1, replicationFactor: 1 })).topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal((await create({ name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 })).topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assert.equal((await create({ name: randomTopic(), numPartitions: 0, replicationFactor: 1 })).topics[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal((await create({ name: randomTopic(), numPartitions: 1, replicationFactor: 3 })).topics[0]!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal((await create({ name: topic, numPartitions: 1, replicationFactor: 1 })).topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  });

  await t.test('bytes that are not a protobuf message: unary gets INVALID_ARGUMENT, a stream gets an answer and goes on', async () => {
    const raw = new grpc.Client(broker.address, grpc.credentials.createInsecure(), channelOptions());
    t.after(() => raw.close());
    const identity = (b: Buffer): Buffer => b;
    const junk = Buffer.from([0x22, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const unaryErr = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest('/strait.v1.Broker/Produce', identity, identity, junk, within(5000), (err) => resolve(err));
    });
    assert.equal(unaryErr?.code, grpc.status.INVALID_ARGUMENT);

    const { proto } = loadProtos();
    const encode = (msg: object): Buffer => proto.strait.v1.Broker.service.ProduceStream.requestSerialize(msg);
    const decode = (b: Buffer): ProduceResponse__Output => proto.strait.v1.Broker.service.ProduceStream.responseDeserialize(b);
    const stream = raw.makeBidiStreamRequest('/strait.v1.Broker/ProduceStream', identity, identity, within(10_000));
    const answers: ProduceResponse__Output[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (b: Buffer) => answers.push(decode(b)));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const good = (id: number): Buffer => encode({ correlationId: id, acks: 1, topics: [{ name: topic, partitions: [{ partition: 0, records: batchOf([`s${id}`]) }] }] });
    stream.write(good(1));
    stream.write(Buffer.concat([Buffer.from([0x08, 0x02]), junk]));
    stream.write(good(3));
    stream.end();
    await done;
    assert.deepEqual(answers.map((a) => a.correlationId), [1, 2, 3]);
    assert.equal(answers[0]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.deepEqual(answers[1]!.topics, []);
    assert.equal(answers[2]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  });

  await t.test('the broker still serves after all of it', async () => {
    const res = await produce(client, topic, 0, batchOf(['last']));
    assert.equal(res.errorCode, ErrorCode.NONE);
    // Nothing reached the process-level handler, which logs a fatal line and ends the process.
    assert.doesNotThrow(() => process.kill(broker.pid, 0), 'the broker process is up');
    assert.doesNotMatch(broker.output(), /"level":60/);
  });
});
