// The replication rules of one flow A->B, bound to its config: what it names its topics, which source
// topics it mirrors (MM2's MirrorSourceConnector.shouldReplicateTopic), which groups it checkpoints,
// which topic configs it syncs, and the names of the internal topics it keeps. Pure: no I/O.
import type { FlowConfig } from '../config/mirror-config.js';
import { isCycle } from './cycles.js';
import { configPropertyFilterAccepts, groupFilterAccepts, topicFilterAccepts } from './filters.js';
import { replicationPolicyFor, type ReplicationPolicy } from './replication-policy.js';

export class FlowPolicy {
  readonly source: string;
  readonly target: string;
  readonly replication: ReplicationPolicy;

  constructor(private readonly flow: FlowConfig) {
    this.source = flow.source;
    this.target = flow.target;
    this.replication = replicationPolicyFor(flow);
  }

  /** The name a source topic has on the target. */
  remoteTopic(sourceTopic: string): string {
    return this.replication.formatRemoteTopic(this.source, sourceTopic);
  }

  /** Whether the source topic came from the target, over any number of hops. */
  isCycle(sourceTopic: string): boolean {
    return isCycle(this.replication, sourceTopic, this.target);
  }

  /**
   * Whether this flow mirrors a source topic: selected by topics / topics.exclude, or a heartbeats
   * topic (always mirrored, whatever the filters say, as in MM2 3.7), and neither internal nor a cycle.
   */
  shouldReplicateTopic(sourceTopic: string): boolean {
    const selected = topicFilterAccepts(this.flow, sourceTopic) || this.replication.isHeartbeatsTopic(sourceTopic);
    return selected && !this.replication.isInternalTopic(sourceTopic) && !this.isCycle(sourceTopic);
  }

  /** Whether a source group's offsets are checkpointed (groups / groups.exclude). */
  shouldReplicateGroup(group: string): boolean {
    return groupFilterAccepts(this.flow, group);
  }

  /** Whether a topic config is synced to remote topics (config.properties.exclude). */
  shouldReplicateConfigProperty(property: string): boolean {
    return configPropertyFilterAccepts(this.flow, property);
  }

  /** use.defaults.from = source: a config the source leaves at its default is synced with that value
   * too (MM2's shouldReplicateSourceDefault); target: it is left to the target's default. */
  shouldReplicateSourceDefault(): boolean {
    return this.flow.useDefaultsFrom === 'source';
  }

  /** The cluster holding the offset-syncs topic (offset-syncs.topic.location). */
  offsetSyncsCluster(): string {
    return this.flow.offsetSyncsTopicLocation === 'source' ? this.source : this.target;
  }

  /** MM2's name: kept on the source it is named for the target (`mm2-offset-syncs.B.internal` on A);
   * kept on the target, for the source. */
  offsetSyncsTopic(): string {
    return this.replication.offsetSyncsTopic(this.flow.offsetSyncsTopicLocation === 'source' ? this.target : this.source);
  }

  /** On the target: `<source>.checkpoints.internal`. */
  checkpointsTopic(): string {
    return this.replication.checkpointsTopic(this.source);
  }

  /** On the target (and on the source, for the heartbeats replicated from upstream). */
  heartbeatsTopic(): string {
    return this.replication.heartbeatsTopic();
  }

  /** On the target: the source positions the forwarders have recorded, MM2's worker offsets topic
   * `mm2-offsets.<source>.internal` (its name always uses "."). */
  positionsTopic(): string {
    return `mm2-offsets.${this.source}.internal`;
  }
}
