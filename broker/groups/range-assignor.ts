// The `range` server assignor: Kafka's RangeAssignor, topic by topic. The members subscribed to a
// topic, in order (group.instance.id for static members, else member id), each take a contiguous
// range of its partitions: P / N each, the first P % N one more. Members subscribed to the same
// co-partitioned topics therefore get the same partition numbers of each (what joins need).
// Kafka's server-side range assignor also keeps partitions sticky within those quotas; this one
// recomputes the ranges from the order alone, as the classic client-side assignor does.
import { assignmentOf, type Assignment } from './assignment.js';
import type { AssignorMember } from './assignor.js';

const orderKey = (m: AssignorMember): string => m.instanceId ?? m.memberId;

export function rangeAssignor(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const ordered = [...members].sort((a, b) => {
    const ka = orderKey(a);
    const kb = orderKey(b);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
  });
  const taken = new Map<string, [string, number[]][]>(ordered.map((m) => [m.memberId, []]));
  for (const topic of [...partitionCounts.keys()].sort()) {
    const subscribers = ordered.filter((m) => m.topics.has(topic));
    if (subscribers.length === 0) continue;
    const count = partitionCounts.get(topic)!;
    const each = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((m, i) => {
      const start = i * each + Math.min(i, extra);
      const length = each + (i < extra ? 1 : 0);
      if (length > 0) taken.get(m.memberId)!.push([topic, Array.from({ length }, (_, k) => start + k)]);
    });
  }
  return new Map([...taken].map(([id, entries]) => [id, assignmentOf(entries)]));
}
