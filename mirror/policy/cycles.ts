// Whether a topic of a flow's source came from the flow's target, at any distance: MM2's
// MirrorSourceConnector.isCycle. `B.A.orders` on C is a cycle for C->A (it started on A), not only for
// C->B. A topic the policy cannot trace (any name under the Identity policy) is never a cycle.
import type { ReplicationPolicy } from './replication-policy.js';

export function isCycle(policy: ReplicationPolicy, topic: string, targetAlias: string): boolean {
  let current = topic;
  // Every hop of a traceable name is shorter than the last; the bound only guards a policy that is not.
  for (let hops = 0; hops <= topic.length; hops++) {
    const source = policy.topicSource(current);
    if (source === undefined) return false;
    if (source === targetAlias) return true;
    const upstream = policy.upstreamTopic(current);
    // MM2's extra check for the Identity policy, whose upstream of a topic is the topic itself.
    if (upstream === undefined || upstream === current) return false;
    current = upstream;
  }
  return false;
}
