// How remote topics are named, and which names are internal: MM2's ReplicationPolicy with its two
// implementations, DefaultReplicationPolicy (`A.orders`, and `B.A.orders` one hop further) and
// IdentityReplicationPolicy (the source's own name). Pure: names in, names out. Method names and
// meanings are MM2's (connect/mirror-client), so its documentation describes these too; `undefined`
// stands for MM2's null.

export interface ReplicationPolicy {
  /** The separator between a source alias and a topic (replication.policy.separator). */
  readonly separator: string;
  /** The name `topic` of cluster `sourceClusterAlias` has on the target. */
  formatRemoteTopic(sourceClusterAlias: string, topic: string): string;
  /** The alias of the cluster a remote topic came from; undefined when the name says it is not remote. */
  topicSource(topic: string): string | undefined;
  /** The name one hop upstream (itself possibly remote); undefined when not remote. */
  upstreamTopic(topic: string): string | undefined;
  /** The name at the origin, after every hop; the topic itself when it is not remote. */
  originalTopic(topic: string): string;
  heartbeatsTopic(): string;
  /** The offset-syncs topic kept for `clusterAlias` (MM2: `mm2-offset-syncs.<alias>.internal`). */
  offsetSyncsTopic(clusterAlias: string): string;
  /** The checkpoints topic of groups from `clusterAlias` (MM2: `<alias>.checkpoints.internal`). */
  checkpointsTopic(clusterAlias: string): string;
  /** `heartbeats`, `A.heartbeats`, `B.A.heartbeats`: whatever leads back to a heartbeats topic. */
  isHeartbeatsTopic(topic: string): boolean;
  isCheckpointsTopic(topic: string): boolean;
  /** The mirror's own topics (offset syncs, checkpoints, positions): their names end in `.internal`. */
  isMM2InternalTopic(topic: string): boolean;
  /** Never mirrored: the mirror's topics, Kafka's (`__consumer_offsets`, `.`-prefixed) and Connect's (`*-internal`). */
  isInternalTopic(topic: string): boolean;
}

export interface ReplicationPolicyOptions {
  /** replication.policy.separator; '.' by default. */
  separator?: string;
  /** replication.policy.internal.topic.separator.enabled; true by default. */
  internalTopicSeparatorEnabled?: boolean;
}

const HEARTBEATS_TOPIC = 'heartbeats';

/** Java's String.split with a literal separator: trailing empty strings dropped, a leading one kept. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export class DefaultReplicationPolicy implements ReplicationPolicy {
  readonly separator: string;
  /** The separator of the offset-syncs and checkpoints topic names. */
  private readonly internalSeparator: string;

  constructor(options: ReplicationPolicyOptions = {}) {
    this.separator = options.separator ?? '.';
    if (this.separator === '') throw new RangeError('a replication policy separator cannot be empty');
    this.internalSeparator = options.internalTopicSeparatorEnabled === false ? '.' : this.separator;
  }

  formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return `${sourceClusterAlias}${this.separator}${topic}`;
  }

  topicSource(topic: string): string | undefined {
    const parts = javaSplit(topic, this.separator);
    return parts.length < 2 ? undefined : parts[0];
  }

  upstreamTopic(topic: string): string | undefined {
    const source = this.topicSource(topic);
    return source === undefined ? undefined : topic.slice(source.length + this.separator.length);
  }

  originalTopic(topic: string): string {
    let current = topic;
    // Each step of a remote name is shorter than the last, so this ends; the bound is a guard.
    for (let hops = 0; hops <= topic.length; hops++) {
      const upstream = this.upstreamTopic(current);
      if (upstream === undefined || upstream === current) return current;
      current = upstream;
    }
    return current;
  }

  heartbeatsTopic(): string {
    return HEARTBEATS_TOPIC;
  }

  offsetSyncsTopic(clusterAlias: string): string {
    return `mm2-offset-syncs${this.internalSeparator}${clusterAlias}${this.internalSuffix()}`;
  }

  checkpointsTopic(clusterAlias: string): string {
    return `${clusterAlias}${this.checkpointsSuffix()}`;
  }

  isHeartbeatsTopic(topic: string): boolean {
    return this.originalTopic(topic) === this.heartbeatsTopic();
  }

  isCheckpointsTopic(topic: string): boolean {
    return topic.endsWith(this.checkpointsSuffix());
  }

  isMM2InternalTopic(topic: string): boolean {
    return topic.endsWith(this.internalSuffix());
  }

  isInternalTopic(topic: string): boolean {
    const kafkaInternal = topic.startsWith('__') || topic.startsWith('.');
    const connectInternal = topic.endsWith('-internal') || topic.endsWith('.internal');
    return this.isMM2InternalTopic(topic) || kafkaInternal || connectInternal;
  }

  private internalSuffix(): string {
    return `${this.internalSeparator}internal`;
  }

  private checkpointsSuffix(): string {
    return `${this.internalSeparator}checkpoints${this.internalSuffix()}`;
  }
}

/**
 * Remote topics keep the source's name (MM2's choice for one-way flows and MirrorMaker 1 migrations).
 * A name then says nothing of where it came from: topicSource is undefined (or the configured
 * `sourceClusterAlias`, as MM2's `source.cluster.alias`), so cycles cannot be detected. Heartbeats
 * topics are the exception, named as by the Default policy so that the upstream chain stays visible.
 */
export class IdentityReplicationPolicy extends DefaultReplicationPolicy {
  private readonly sourceClusterAlias: string | undefined;

  constructor(options: ReplicationPolicyOptions & { sourceClusterAlias?: string } = {}) {
    super(options);
    this.sourceClusterAlias = options.sourceClusterAlias;
  }

  override formatRemoteTopic(sourceClusterAlias: string, topic: string): string {
    return this.looksLikeHeartbeats(topic) ? super.formatRemoteTopic(sourceClusterAlias, topic) : topic;
  }

  override topicSource(topic: string): string | undefined {
    return this.looksLikeHeartbeats(topic) ? super.topicSource(topic) : this.sourceClusterAlias;
  }

  override upstreamTopic(topic: string): string | undefined {
    return this.looksLikeHeartbeats(topic) ? super.upstreamTopic(topic) : topic;
  }

  /** MM2's test, a suffix match: `x.heartbeats` and `myheartbeats` both count. */
  private looksLikeHeartbeats(topic: string): boolean {
    return topic.endsWith(this.heartbeatsTopic());
  }
}

/** The policy a flow's settings name. */
export function replicationPolicyFor(flow: {
  replicationPolicy: 'default' | 'identity';
  separator: string;
  internalTopicSeparatorEnabled: boolean;
}): ReplicationPolicy {
  const options = { separator: flow.separator, internalTopicSeparatorEnabled: flow.internalTopicSeparatorEnabled };
  return flow.replicationPolicy === 'identity' ? new IdentityReplicationPolicy(options) : new DefaultReplicationPolicy(options);
}
