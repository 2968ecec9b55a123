// The Cluster layer against an in-process gRPC server that answers Metadata as a test tells it to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Cluster } from '../../../client/cluster/cluster.js';
import type { ClientConfig } from '../../../client/cluster/client-config.js';
import { ErrorCode, StraitError, type ErrorCodeValue } from '../../../client/errors.js';
import { loadProtos } from '../../../client/wire/proto.js';
import type { MetadataRequest__Output } from '../../../client/wire/generated/strait/v1/MetadataRequest.js';
import type { MetadataResponse } from '../../../client/wire/generated/strait/v1/MetadataResponse.js';
import { freePort } from '../helpers/client-broker.js';

interface FakeBroker {
  address: string;
  port: number;
  requests: MetadataRequest__Output[];
  topicError: ErrorCodeValue;
}

async function fakeBroker(t: { after(fn: () => Promise<void> | void): void }): Promise<FakeBroker> {
  const { proto } = loadProtos();
  const server = new grpc.Server();
  const fake: FakeBroker = { address: '', port: 0, requests: [], topicError: ErrorCode.NONE };
  const unimplemented = (_call: unknown, cb: (err: grpc.ServiceError) => void) => cb({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError);
  server.addService(proto.strait.v1.Broker.service, {
    Metadata: (call: grpc.ServerUnaryCall<MetadataRequest__Output, MetadataResponse>, cb: grpc.sendUnaryData<MetadataResponse>) => {
      fake.requests.push(call.request);
      // Answer a little later, so concurrent refreshes overlap.
      setTimeout(() => cb(null, {
        brokers: [{ nodeId: 7, host: '127.0.0.1', port: fake.port, rack: '' }],
        clusterId: 'fake',
        controllerId: 7,
        topics: call.request.topics.map((name) => ({
          errorCode: fake.topicError,
          name,
          topicId: '',
          isInternal: false,
          partitions: fake.topicError === ErrorCode.NONE ? [{ errorCode: ErrorCode.NONE, partition: 0, leaderId: 7, leaderEpoch: 0, replicaNodes: [7], isrNodes: [7], offlineReplicas: [] }] : [],
        })),
      }), 20);
    },
    Produce: unimplemented, ProduceStream: unimplemented, Fetch: unimplemented, FetchStream: unimplemented, ListOffsets: unimplemented, InitProducerId: unimplemented,
  });
  fake.port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  fake.address = `127.0.0.1:${fake.port}`;
  t.after(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return fake;
}

function config(bootstrap: { host: string; port: number }[]): ClientConfig {
  return {
    bootstrap,
    clientId: 'test',
    requestTimeoutMs: 2000,
    metadataMaxAgeMs: 60_000,
    retry: { retries: 3, backoffMs: 10, backoffMaxMs: 20, jitter: 0.2 },
    allowAutoTopicCreation: false,
    reconnectBackoffMs: 50,
    reconnectBackoffMaxMs: 1000,
  };
}

test('bootstrap skips an address that does not answer and uses the next', async (t) => {
  const fake = await fakeBroker(t);
  const dead = await freePort();
  const cluster = new Cluster(config([{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: fake.port }]));
  t.after(() => cluster.close());
  const info = await cluster.topic('a');
  assert.equal(info.partitions.length, 1);
  assert.equal(await cluster.leaderAddress('a', 0), fake.address);
  assert.equal(cluster.metadata.clusterId, 'fake');
});

test('concurrent refreshes of known topics share one request', async (t) => {
  const fake = await fakeBroker(t);
  const cluster = new Cluster(config([{ host: '127.0.0.1', port: fake.port }]));
  t.after(() => cluster.close());
  await cluster.refreshMetadata(['a', 'b']);
  fake.requests.length = 0;
  await Promise.all([cluster.refreshMetadata(['a']), cluster.refreshMetadata(['b']), cluster.refreshMetadata()]);
  assert.equal(fake.requests.length, 1);
  assert.deepEqual([...fake.requests[0]!.topics].sort(), ['a', 'b']);
});

test('retry refreshes metadata after NOT_LEADER_OR_FOLLOWER, not after other errors', async (t) => {
  const fake = await fakeBroker(t);
  const cluster = new Cluster(config([{ host: '127.0.0.1', port: fake.port }]));
  t.after(() => cluster.close());
  await cluster.topic('a');
  fake.requests.length = 0;
  let calls = 0;
  const result = await cluster.retry(async () => {
    if (++calls === 1) throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return 'done';
  }, ['a']);
  assert.equal(result, 'done');
  assert.equal(fake.requests.length, 1, 'one refresh between the attempts');
  calls = 0;
  await cluster.retry(async () => {
    if (++calls === 1) throw new StraitError(ErrorCode.NOT_ENOUGH_REPLICAS);
  }, ['a']);
  assert.equal(fake.requests.length, 1, 'NOT_ENOUGH_REPLICAS says nothing about leaders');
});

test("a topic's error comes back as a StraitError: at once when final, after the retries when retriable", async (t) => {
  const fake = await fakeBroker(t);
  const cluster = new Cluster(config([{ host: '127.0.0.1', port: fake.port }]));
  t.after(() => cluster.close());
  fake.topicError = ErrorCode.INVALID_TOPIC_EXCEPTION;
  await assert.rejects(cluster.topic('bad name'), (e: StraitError) => e.code === ErrorCode.INVALID_TOPIC_EXCEPTION);
  assert.equal(fake.requests.length, 1);
  fake.requests.length = 0;
  fake.topicError = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  await assert.rejects(cluster.topic('missing'), (e: StraitError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(fake.requests.length, 4, 'the first try and 3 retries');
});

test('metadata older than metadata.max.age.ms is refreshed in the background on use', async (t) => {
  const fake = await fakeBroker(t);
  const cluster = new Cluster({ ...config([{ host: '127.0.0.1', port: fake.port }]), metadataMaxAgeMs: 50 });
  t.after(() => cluster.close());
  await cluster.topic('a');
  await cluster.topic('a');
  assert.equal(fake.requests.length, 1, 'fresh: served from the cache');
  await new Promise((r) => setTimeout(r, 80));
  await cluster.topic('a');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(fake.requests.length, 2, 'stale: one background refresh');
});
