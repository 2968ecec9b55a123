// Metadata and DescribeCluster, answered from the metadata image this node has applied (any node
// answers, as in Kafka): brokers are the registered, unfenced brokers with their advertised
// endpoints; the controller is the Raft leader; partitions carry leader, leader epoch, replicas, ISR
// and as offline the replicas on fenced brokers and those whose broker reported their log offline.
import { ErrorCode, StraitError, type wire } from '../../client/index.js';
import { CONSUMER_OFFSETS_TOPIC } from '../groups/index.js';
import { validateTopicName } from '../log/index.js';
import type { BrokerImage, MetadataImage, TopicImage } from '../metadata/index.js';
import type { BrokerContext } from './broker-context.js';
import { errorFields, isUnexpected } from './error-mapping.js';

const isInternal = (name: string): boolean => name.startsWith('__');

const brokerInfo = (b: BrokerImage): wire.BrokerInfo => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? '' });

function topicMetadata(image: MetadataImage, topic: TopicImage): wire.TopicMetadata {
  const fenced = (id: number): boolean => image.broker(id)?.fenced !== false;
  const partitions = topic.partitions.map((p) => ({
    errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partition: p.partition,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    offlineReplicas: p.replicas.filter((id) => fenced(id) || p.offlineReplicas.includes(id)),
  }));
  return { errorCode: ErrorCode.NONE, name: topic.name, topicId: topic.topicId, isInternal: isInternal(topic.name), partitions };
}

async function lookup(ctx: BrokerContext, name: unknown, autoCreate: boolean): Promise<wire.TopicMetadata> {
  const topicName = typeof name === 'string' ? name : '';
  try {
    if (typeof name !== 'string') throw new StraitError(ErrorCode.INVALID_REQUEST, 'topic name must be a string');
    validateTopicName(topicName);
    if (!ctx.metadata.image.topic(topicName) && autoCreate) {
      // Kafka creates its internal topics with their own settings, never a user topic's defaults.
      if (topicName === CONSUMER_OFFSETS_TOPIC) await ctx.groups.ensureOffsetsTopic();
      else await ctx.topics.ensure(topicName, ctx.config.numPartitions);
    }
    const image = ctx.metadata.image;
    const topic = image.topic(topicName);
    if (!topic) throw new StraitError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topicName}' does not exist`);
    return topicMetadata(image, topic);
  } catch (err) {
    if (isUnexpected(err)) ctx.logger.error({ err, topic: topicName }, 'metadata: topic lookup failed');
    return { errorCode: errorFields(err).errorCode, name: topicName, topicId: '', isInternal: false, partitions: [] };
  }
}

export async function handleMetadata(ctx: BrokerContext, req: wire.MetadataRequest__Output): Promise<wire.MetadataResponse> {
  let topics: wire.TopicMetadata[];
  if (req.allTopics) {
    const image = ctx.metadata.image;
    topics = image.topics().map((t) => topicMetadata(image, t));
  } else {
    if (!Array.isArray(req.topics)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'topics must be a list');
    const autoCreate = req.allowAutoTopicCreation === true && ctx.config.autoCreateTopicsEnable;
    topics = [];
    for (const name of req.topics) topics.push(await lookup(ctx, name, autoCreate));
  }
  const image = ctx.metadata.image;
  return { brokers: image.liveBrokers().map(brokerInfo), clusterId: ctx.clusterId, controllerId: ctx.quorum.leaderId() ?? -1, topics };
}

export function handleDescribeCluster(ctx: BrokerContext): wire.DescribeClusterResponse {
  const image = ctx.metadata.image;
  const voters = ctx.quorum.voters;
  const nodes = new Map<number, wire.NodeDescription>();
  for (const b of image.brokers()) {
    nodes.set(b.brokerId, {
      nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? '', roles: ['broker'], fenced: b.fenced,
      inControlledShutdown: b.inControlledShutdown, isVoter: false, brokerEpoch: b.brokerEpoch,
    });
  }
  for (const v of voters) {
    const node = nodes.get(v.id) ?? {
      nodeId: v.id, host: v.host, port: v.port, rack: '', roles: [], fenced: false, inControlledShutdown: false, isVoter: true, brokerEpoch: -1,
    };
    node.roles = [...(node.roles ?? []), 'controller'];
    node.isVoter = true;
    nodes.set(v.id, node);
  }
  return {
    errorCode: ErrorCode.NONE, errorMessage: '', clusterId: ctx.clusterId, controllerId: ctx.quorum.leaderId() ?? -1,
    brokers: image.liveBrokers().map(brokerInfo),
    nodes: [...nodes.values()].sort((a, b) => (a.nodeId ?? 0) - (b.nodeId ?? 0)),
    voters: voters.map((v) => v.id),
    metadataOffset: ctx.metadata.appliedIndex,
  };
}
