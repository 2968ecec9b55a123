// Upstream-cluster discovery from the heartbeats topics a cluster holds, as MM2's MirrorClient and
// RemoteClusterUtils do it: `heartbeats` is local, `A.heartbeats` shows A one hop upstream,
// `B.A.heartbeats` shows B one hop and A two hops upstream.
import type { ReplicationPolicy } from './replication-policy.js';

/** Hops from a remote topic back to `sourceClusterAlias`; -1 when its chain does not lead there
 * (MirrorClient.countHopsForTopic). */
export function countHopsForTopic(policy: ReplicationPolicy, topic: string, sourceClusterAlias: string): number {
  const visited = new Set<string>();
  let current: string | undefined = topic;
  for (let hops = 1; current !== undefined; hops++) {
    const source = policy.topicSource(current);
    if (source === undefined) return -1;
    if (source === sourceClusterAlias) return hops;
    // MM2's guard for the Identity policy, whose chains can repeat a source for ever.
    if (visited.has(source)) return -1;
    visited.add(source);
    current = policy.upstreamTopic(current);
  }
  return -1;
}

/** The fewest hops from `sourceClusterAlias` to the cluster holding `topics`, over its heartbeats
 * topics; -1 when none leads there (RemoteClusterUtils.replicationHops). */
export function replicationHops(policy: ReplicationPolicy, topics: Iterable<string>, sourceClusterAlias: string): number {
  let fewest = -1;
  for (const topic of topics) {
    if (!policy.isHeartbeatsTopic(topic)) continue;
    const hops = countHopsForTopic(policy, topic, sourceClusterAlias);
    if (hops > 0 && (fewest < 0 || hops < fewest)) fewest = hops;
  }
  return fewest;
}

/** Every cluster upstream of the one holding `topics`, from the chains of its heartbeats topics
 * (RemoteClusterUtils.upstreamClusters). */
export function upstreamClusters(policy: ReplicationPolicy, topics: Iterable<string>): Set<string> {
  const clusters = new Set<string>();
  for (const topic of topics) {
    if (!policy.isHeartbeatsTopic(topic)) continue;
    // MM2's allSources: a source seen twice in one chain ends it (the Identity policy's cycles).
    const chain = new Set<string>();
    let current: string | undefined = topic;
    while (current !== undefined) {
      const source = policy.topicSource(current);
      if (source === undefined || chain.has(source)) break;
      chain.add(source);
      current = policy.upstreamTopic(current);
    }
    for (const alias of chain) clusters.add(alias);
  }
  return clusters;
}
