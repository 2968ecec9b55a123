// Metadata and DescribeCluster: this node is the only broker, the controller, and the leader of
// every partition at epoch 0 with itself as the whole ISR.
import { ErrorCode, StraitError } from '../../client/errors.js';
import type { BrokerInfo } from '../../client/wire/generated/strait/v1/BrokerInfo.js';
import type { MetadataRequest__Output } from '../../client/wire/generated/strait/v1/MetadataRequest.js';
import type { MetadataResponse } from '../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { TopicMetadata } from '../../client/wire/generated/strait/v1/TopicMetadata.js';
import type { DescribeClusterResponse } from '../../client/wire/generated/strait/v1/DescribeClusterResponse.js';
import { validateTopicName } from '../log/topic-config.js';
import { LEADER_EPOCH, type BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';
import type { TopicRecord } from './topic-registry.js';

export function brokerInfo(ctx: BrokerContext): BrokerInfo {
  const { host, port } = ctx.advertised;
  return { nodeId: ctx.nodeId, host, port, rack: ctx.config.rack };
}

const isInternal = (name: string): boolean => name.startsWith('__');

function topicMetadata(ctx: BrokerContext, record: TopicRecord): TopicMetadata {
  const partitions = [];
  for (let p = 0; p < record.partitions; p++) {
    const online = ctx.topics.log(record.name, p) !== undefined;
    partitions.push({
      errorCode: online ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partition: p,
      leaderId: online ? ctx.nodeId : -1,
      leaderEpoch: LEADER_EPOCH,
      replicaNodes: [ctx.nodeId],
      isrNodes: online ? [ctx.nodeId] : [],
      offlineReplicas: online ? [] : [ctx.nodeId],
    });
  }
  return { errorCode: ErrorCode.NONE, name: record.name, topicId: record.topicId, isInternal: isInternal(record.name), partitions };
}

async function lookup(ctx: BrokerContext, name: unknown, autoCreate: boolean): Promise<TopicMetadata> {
  const topicName = typeof name === 'string' ? name : '';
  try {
    if (typeof name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
    validateTopicName(topicName);
    let record = ctx.topics.get(topicName);
    if (!record && autoCreate) record = await ctx.topics.ensure(topicName, ctx.config.numPartitions);
    if (!record) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topicName}' does not exist`);
    return topicMetadata(ctx, record);
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic: topicName }, 'metadata: topic lookup failed');
    return { errorCode: errorFields(err).errorCode, name: topicName, topicId: '', isInternal: false, partitions: [] };
  }
}

export async function handleMetadata(ctx: BrokerContext, req: MetadataRequest__Output): Promise<MetadataResponse> {
  let topics: TopicMetadata[];
  if (req.allTopics) {
    topics = ctx.topics.list().sort((a, b) => a.name.localeCompare(b.name)).map((r) => topicMetadata(ctx, r));
  } else {
    if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
    const autoCreate = req.allowAutoTopicCreation === true && ctx.config.autoCreateTopicsEnable;
    topics = [];
    for (const name of req.topics) topics.push(await lookup(ctx, name, autoCreate));
  }
  return { brokers: [brokerInfo(ctx)], clusterId: ctx.clusterId, controllerId: ctx.nodeId, topics };
}

export function handleDescribeCluster(ctx: BrokerContext): DescribeClusterResponse {
  return { errorCode: ErrorCode.NONE, errorMessage: '', clusterId: ctx.clusterId, controllerId: ctx.nodeId, brokers: [brokerInfo(ctx)] };
}
