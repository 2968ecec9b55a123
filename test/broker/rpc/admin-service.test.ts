// Admin RPCs against a real broker process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import type { CreatePartitionsResponse__Output } from '../../../client/wire/generated/strait/v1/CreatePartitionsResponse.js';
import type { CreateTopicsResponse__Output } from '../../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { DeleteTopicsResponse__Output } from '../../../client/wire/generated/strait/v1/DeleteTopicsResponse.js';
import type { DescribeClusterResponse__Output } from '../../../client/wire/generated/strait/v1/DescribeClusterResponse.js';
import type { DescribeConfigsResponse__Output } from '../../../client/wire/generated/strait/v1/DescribeConfigsResponse.js';
import type { IncrementalAlterConfigsResponse__Output } from '../../../client/wire/generated/strait/v1/IncrementalAlterConfigsResponse.js';
import type { MetadataResponse__Output } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';
import { AlterConfigOp } from '../../../client/wire/generated/strait/v1/AlterConfigOp.js';
import { ConfigResourceType } from '../../../client/wire/generated/strait/v1/ConfigResourceType.js';
import { ConfigSource } from '../../../client/wire/generated/strait/v1/ConfigSource.js';
import { useBrokers } from '../../helpers/launcher.js';
import { adminClient, brokerClient, rpc, within } from '../../helpers/grpc-clients.js';
import { batchOf, createTopic, fetchPartition, produce, randomTopic } from '../../helpers/broker-calls.js';

type ResourceType = (typeof ConfigResourceType)[keyof typeof ConfigResourceType];
type AlterOp = (typeof AlterConfigOp)[keyof typeof AlterConfigOp];

test('admin service over gRPC', async (t) => {
  const broker = await useBrokers(t).start({ config: { 'log.retention.ms': '7200000', 'auto.create.topics.enable': 'false' } });
  const client = brokerClient(broker.address);
  const admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const describe = (name: string, type: ResourceType = ConfigResourceType.TOPIC, keys: string[] = []): Promise<DescribeConfigsResponse__Output> =>
    rpc((cb) => admin.DescribeConfigs({ resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }] }, within(5000), cb));
  const alter = (name: string, configs: { name: string; configOperation: AlterOp; value?: string }[], validateOnly = false): Promise<IncrementalAlterConfigsResponse__Output> =>
    rpc((cb) => admin.IncrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: name, configs }], validateOnly }, within(5000), cb));
  const partitionsOf = async (name: string): Promise<number> => {
    const md = await rpc<MetadataResponse__Output>((cb) => client.Metadata({ topics: [name] }, within(5000), cb));
    return md.topics[0]!.errorCode === ErrorCode.NONE ? md.topics[0]!.partitions.length : -1;
  };

  await t.test('auto-create off: produce to an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    assert.equal((await produce(client, randomTopic(), 0, batchOf(['x']))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('validate_only creates nothing', async () => {
    const name = randomTopic();
    const res = await rpc<CreateTopicsResponse__Output>((cb) => admin.CreateTopics({ topics: [{ name, numPartitions: 2, replicationFactor: -1 }], validateOnly: true }, within(5000), cb));
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(res.topics[0]!.numPartitions, 2);
    assert.equal(await partitionsOf(name), -1);
  });

  await t.test('describe configs: overrides, broker file values and defaults with their sources', async () => {
    const name = randomTopic();
    assert.equal((await createTopic(admin, name, 1, { 'segment.bytes': '1048576' })).topics[0]!.errorCode, ErrorCode.NONE);
    const res = await describe(name);
    const byName = new Map(res.results[0]!.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('segment.bytes')?.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
    assert.equal(byName.get('retention.ms')?.value, '7200000');
    assert.equal(byName.get('retention.ms')?.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(byName.get('cleanup.policy')?.source, ConfigSource.DEFAULT_CONFIG);
    assert.equal((await describe(randomTopic())).results[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('describe broker configs', async () => {
    const res = await describe('1', ConfigResourceType.BROKER, ['log.retention.ms', 'num.partitions']);
    const byName = new Map(res.results[0]!.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('log.retention.ms')?.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(byName.get('num.partitions')?.value, '1');
    assert.equal(byName.get('num.partitions')?.source, ConfigSource.DEFAULT_CONFIG);
    assert.equal((await describe('9', ConfigResourceType.BROKER)).results[0]!.errorCode, ErrorCode.RESOURCE_NOT_FOUND);
  });

  await t.test('incremental alter: SET, APPEND, DELETE, validate_only', async () => {
    const name = randomTopic();
    await createTopic(admin, name, 1);
    assert.equal((await alter(name, [{ name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '1000' }], true)).responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await describe(name, ConfigResourceType.TOPIC, ['retention.ms'])).results[0]!.configs[0]!.value, '7200000');
    assert.equal((await alter(name, [
      { name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '1000' },
      { name: 'cleanup.policy', configOperation: AlterConfigOp.APPEND, value: 'compact' },
    ])).responses[0]!.errorCode, ErrorCode.NONE);
    let configs = new Map((await describe(name, ConfigResourceType.TOPIC, ['retention.ms', 'cleanup.policy'])).results[0]!.configs.map((c) => [c.name, c.value]));
    assert.equal(configs.get('retention.ms'), '1000');
    assert.equal(configs.get('cleanup.policy'), 'compact,delete');
    assert.equal((await alter(name, [{ name: 'retention.ms', configOperation: AlterConfigOp.DELETE }])).responses[0]!.errorCode, ErrorCode.NONE);
    configs = new Map((await describe(name, ConfigResourceType.TOPIC, ['retention.ms'])).results[0]!.configs.map((c) => [c.name, c.value]));
    assert.equal(configs.get('retention.ms'), '7200000');
    assert.equal((await alter(randomTopic(), [{ name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '1' }])).responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  await t.test('create partitions grows only', async () => {
    const name = randomTopic();
    await createTopic(admin, name, 2);
    const grow = (count: number): Promise<CreatePartitionsResponse__Output> =>
      rpc((cb) => admin.CreatePartitions({ topics: [{ name, count }] }, within(5000), cb));
    assert.equal((await grow(2)).topics[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal((await grow(1)).topics[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);
    assert.equal((await grow(4)).topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await partitionsOf(name), 4);
    assert.equal((await produce(client, name, 3, batchOf(['x']))).errorCode, ErrorCode.NONE);
  });

  await t.test('delete topics removes logs and metadata', async () => {
    const name = randomTopic();
    await createTopic(admin, name, 1);
    await produce(client, name, 0, batchOf(['x']));
    const del = (names: string[]): Promise<DeleteTopicsResponse__Output> => rpc((cb) => admin.DeleteTopics({ topicNames: names }, within(5000), cb));
    const started = Date.now();
    const parked = fetchPartition(client, name, 0, 1, { maxWaitMs: 60_000, minBytes: 1 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await del([name])).topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await parked).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.ok(Date.now() - started < 40_000, 'a fetch parked on a deleted topic answers before its wait ends');
    assert.equal(await partitionsOf(name), -1);
    assert.equal((await del([name])).topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await createTopic(admin, name, 1)).topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await produce(client, name, 0, batchOf(['fresh']))).baseOffset, 0);
  });

  await t.test('describe cluster', async () => {
    const res = await rpc<DescribeClusterResponse__Output>((cb) => admin.DescribeCluster({}, within(5000), cb));
    assert.equal(res.controllerId, 1);
    assert.deepEqual(res.brokers.map((b) => [b.nodeId, b.port]), [[1, broker.port]]);
    assert.ok(res.clusterId.length > 0);
  });
});
