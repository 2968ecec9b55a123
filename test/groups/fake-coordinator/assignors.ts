// The fake coordinator's assignors (test-only stand-ins for the broker's): `uniform`, balanced and
// sticky (a member keeps what it has where balance allows), and `range`, Kafka's range per topic.
// Partitions are "topic\0partition" keys.

export interface AssignorMember {
  id: string;
  /** Topics this member subscribes to (already matched, for a regex). */
  topics: ReadonlySet<string>;
  /** What it holds now, for stickiness. */
  current: ReadonlySet<string>;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
export const topicOfKey = (key: string): string => key.slice(0, key.indexOf('\u0000'));

function allPartitions(topics: ReadonlyMap<string, number>, members: readonly AssignorMember[]): string[] {
  const wanted = new Set(members.flatMap((m) => [...m.topics]));
  const out: string[] = [];
  for (const [topic, count] of [...topics].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!wanted.has(topic)) continue;
    for (let p = 0; p < count; p++) out.push(partitionKey(topic, p));
  }
  return out;
}

export function uniformAssignor(members: readonly AssignorMember[], topics: ReadonlyMap<string, number>): Map<string, Set<string>> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  const result = new Map(sorted.map((m) => [m.id, new Set<string>()]));
  const partitions = allPartitions(topics, sorted);
  const exists = new Set(partitions);
  const eligible = (m: AssignorMember, key: string): boolean => m.topics.has(topicOfKey(key));
  const cap = sorted.length === 0 ? 0 : Math.ceil(partitions.length / sorted.length);
  const taken = new Set<string>();
  // Sticky: each member keeps what it can still have, up to the balanced share.
  for (const m of sorted) {
    for (const key of [...m.current].sort()) {
      if (result.get(m.id)!.size >= cap) break;
      if (exists.has(key) && eligible(m, key) && !taken.has(key)) {
        result.get(m.id)!.add(key);
        taken.add(key);
      }
    }
  }
  // The rest to the eligible member with the fewest.
  for (const key of partitions) {
    if (taken.has(key)) continue;
    const candidates = sorted.filter((m) => eligible(m, key));
    if (candidates.length === 0) continue;
    const least = candidates.reduce((a, b) => (result.get(b.id)!.size < result.get(a.id)!.size ? b : a));
    result.get(least.id)!.add(key);
    taken.add(key);
  }
  // Even out: move from a member with two or more above another that can take the partition.
  for (let moves = 0; moves < partitions.length * sorted.length; moves++) {
    let moved = false;
    for (const a of sorted) {
      for (const b of sorted) {
        const from = result.get(a.id)!;
        const to = result.get(b.id)!;
        if (from.size - to.size < 2) continue;
        const key = [...from].sort().reverse().find((k) => eligible(b, k));
        if (key === undefined) continue;
        from.delete(key);
        to.add(key);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return result;
}

export function rangeAssignor(members: readonly AssignorMember[], topics: ReadonlyMap<string, number>): Map<string, Set<string>> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  const result = new Map(sorted.map((m) => [m.id, new Set<string>()]));
  for (const [topic, count] of topics) {
    const subscribers = sorted.filter((m) => m.topics.has(topic));
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let p = next; p < next + n; p++) result.get(m.id)!.add(partitionKey(topic, p));
      next += n;
    });
  }
  return result;
}
