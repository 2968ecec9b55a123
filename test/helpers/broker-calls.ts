// Small request builders over the plain grpc-js clients, for broker integration tests.
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import type { AdminClient } from '../../client/wire/generated/strait/v1/Admin.js';
import type { ProduceResponse__Output } from '../../client/wire/generated/strait/v1/ProduceResponse.js';
import type { FetchResponse__Output } from '../../client/wire/generated/strait/v1/FetchResponse.js';
import type { PartitionProduceResponse__Output } from '../../client/wire/generated/strait/v1/PartitionProduceResponse.js';
import type { FetchablePartitionResponse__Output } from '../../client/wire/generated/strait/v1/FetchablePartitionResponse.js';
import type { CreateTopicsResponse__Output } from '../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { ListOffsetsResponse__Output } from '../../client/wire/generated/strait/v1/ListOffsetsResponse.js';
import { encodeRecordBatch, decodeRecordBatches, type BatchBuildOptions, type ProducerRecord } from '../../client/records/index.js';
import { rpc, within } from './grpc-clients.js';

export function batchOf(values: string[], options: BatchBuildOptions = {}): Buffer {
  const records: ProducerRecord[] = values.map((v) => ({ key: null, value: v }));
  return encodeRecordBatch(records, options);
}

export async function produce(client: BrokerClient, topic: string, partition: number, records: Buffer, acks = -1): Promise<PartitionProduceResponse__Output> {
  const res = await rpc<ProduceResponse__Output>((cb) =>
    client.Produce({ acks, timeoutMs: 5000, topics: [{ name: topic, partitions: [{ partition, records }] }] }, within(10_000), cb));
  return res.topics[0]!.partitions[0]!;
}

export async function fetchPartition(
  client: BrokerClient, topic: string, partition: number, fetchOffset: number,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): Promise<FetchablePartitionResponse__Output> {
  const res = await rpc<FetchResponse__Output>((cb) => client.Fetch({
    replicaId: -1, maxWaitMs: opts.maxWaitMs ?? 0, minBytes: opts.minBytes ?? 0, maxBytes: opts.maxBytes ?? 1 << 20,
    topics: [{ name: topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: opts.maxBytes ?? 1 << 20 }] }],
  }, within((opts.maxWaitMs ?? 0) + 30_000), cb));
  return res.topics[0]!.partitions[0]!;
}

/** Every record value of a partition from offset 0, with offsets. */
export async function readAll(client: BrokerClient, topic: string, partition = 0): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = [];
  let offset = 0;
  for (let i = 0; i < 10_000; i++) {
    const p = await fetchPartition(client, topic, partition, offset);
    if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
    if (p.records.length === 0) break;
    for (const batch of decodeRecordBatches(p.records)) {
      for (const r of batch.records) {
        if (r.offset >= offset) out.push({ offset: r.offset, value: r.value?.toString() ?? '' });
      }
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
    }
    if (offset >= p.highWatermark) break;
  }
  return out;
}

export async function latestOffset(client: BrokerClient, topic: string, partition = 0): Promise<number> {
  const res = await rpc<ListOffsetsResponse__Output>((cb) =>
    client.ListOffsets({ replicaId: -1, topics: [{ name: topic, partitions: [{ partition, timestamp: -1 }] }] }, within(10_000), cb));
  const p = res.topics[0]!.partitions[0]!;
  if (p.errorCode !== 0) throw new Error(`list offsets error ${p.errorCode}`);
  return p.offset;
}

export async function createTopic(admin: AdminClient, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<CreateTopicsResponse__Output> {
  return rpc<CreateTopicsResponse__Output>((cb) => admin.CreateTopics({
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, configs: Object.entries(configs).map(([n, v]) => ({ name: n, value: v })) }],
  }, within(10_000), cb));
}

export function randomTopic(prefix = 't'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
