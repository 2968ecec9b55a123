// A set of topic partitions, the unit of everything the coordinator hands out: a member's target,
// its current assignment, the partitions it must give up. Always canonical (topics with no
// partitions left out, partitions ascending and unique), so two equal sets compare equal by
// content and encode to the same bytes.
import type { wire } from '../../client/index.js';

export type Assignment = ReadonlyMap<string, readonly number[]>;

export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** A partition as one string key (topic names cannot hold NUL). */
export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** The canonical assignment holding these partitions. */
export function assignmentOf(entries: Iterable<readonly [string, Iterable<number>]>): Assignment {
  const byTopic = new Map<string, Set<number>>();
  for (const [topic, partitions] of entries) {
    let set = byTopic.get(topic);
    for (const p of partitions) {
      if (!set) byTopic.set(topic, (set = new Set()));
      set.add(p);
    }
  }
  const out = new Map<string, readonly number[]>();
  for (const topic of [...byTopic.keys()].sort()) out.set(topic, [...byTopic.get(topic)!].sort((a, b) => a - b));
  return out;
}

/** Every partition, in topic then partition order. */
export function* partitionsOf(a: Assignment): Generator<[string, number]> {
  for (const [topic, partitions] of a) for (const p of partitions) yield [topic, p];
}

export function partitionCount(a: Assignment): number {
  let n = 0;
  for (const partitions of a.values()) n += partitions.length;
  return n;
}

export function hasPartition(a: Assignment, topic: string, partition: number): boolean {
  return a.get(topic)?.includes(partition) ?? false;
}

export function assignmentsEqual(a: Assignment, b: Assignment): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [topic, partitions] of a) {
    const other = b.get(topic);
    if (!other || other.length !== partitions.length) return false;
    for (let i = 0; i < partitions.length; i++) if (partitions[i] !== other[i]) return false;
  }
  return true;
}

/** The partitions of a that `keep` says to keep. */
export function filterAssignment(a: Assignment, keep: (topic: string, partition: number) => boolean): Assignment {
  const out = new Map<string, readonly number[]>();
  for (const [topic, partitions] of a) {
    const kept = partitions.filter((p) => keep(topic, p));
    if (kept.length > 0) out.set(topic, kept);
  }
  return out;
}

export function union(a: Assignment, b: Assignment): Assignment {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  return assignmentOf([...a, ...b]);
}

export function minus(a: Assignment, b: Assignment): Assignment {
  if (b.size === 0) return a;
  return filterAssignment(a, (t, p) => !hasPartition(b, t, p));
}

export function intersect(a: Assignment, b: Assignment): Assignment {
  return filterAssignment(a, (t, p) => hasPartition(b, t, p));
}

/** Whether every partition of a is in b. */
export function isSubset(a: Assignment, b: Assignment): boolean {
  for (const [topic, p] of partitionsOf(a)) if (!hasPartition(b, topic, p)) return false;
  return true;
}

export function overlaps(a: Assignment, b: Assignment): boolean {
  for (const [topic, p] of partitionsOf(a)) if (hasPartition(b, topic, p)) return true;
  return false;
}

/** The wire form, topics in name order. */
export function toWire(a: Assignment): wire.TopicPartitions[] {
  return [...a].map(([topic, partitions]) => ({ topic, partitions: [...partitions] }));
}

/** An assignment from the wire; undefined when an entry is not a topic name with partition numbers. */
export function fromWire(list: unknown): Assignment | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries: [string, number[]][] = [];
  for (const item of list as (wire.TopicPartitions__Output | null)[]) {
    if (typeof item?.topic !== 'string' || !Array.isArray(item.partitions)) return undefined;
    if (!item.partitions.every((p) => Number.isInteger(p) && p >= 0)) return undefined;
    entries.push([item.topic, item.partitions]);
  }
  return assignmentOf(entries);
}
