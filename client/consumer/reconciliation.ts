// KIP-848's cooperative reconciliation, as a member sees it. The coordinator sends the partitions the
// member may own now; what the member owns beyond them it must give up (revoke: stop fetching, run the
// listener, commit, then report it released), what is new it may start on at once. The coordinator
// adds a partition to an assignment only once its previous owner released it, so nothing here waits
// for anyone else. Pure: sets in, a plan out.
import { tpKey, type TopicPartition } from './partition-state.js';

export interface ReconciliationPlan {
  /** Owned but no longer assigned: to be revoked. */
  revoke: TopicPartition[];
  /** Assigned and not yet owned: to be started. */
  assign: TopicPartition[];
  /** Owned and still assigned: untouched (their consumption never stops). */
  keep: TopicPartition[];
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Sorted by topic then partition, duplicates removed. */
export function normalizePartitions(tps: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const { topic, partition } of tps) seen.set(tpKey(topic, partition), { topic, partition });
  return [...seen.values()].sort(compareTopicPartitions);
}

export function planReconciliation(owned: readonly TopicPartition[], target: readonly TopicPartition[]): ReconciliationPlan {
  const targetKeys = new Set(target.map((tp) => tpKey(tp.topic, tp.partition)));
  const ownedKeys = new Set(owned.map((tp) => tpKey(tp.topic, tp.partition)));
  const revoke: TopicPartition[] = [];
  const keep: TopicPartition[] = [];
  for (const tp of normalizePartitions(owned)) (targetKeys.has(tpKey(tp.topic, tp.partition)) ? keep : revoke).push(tp);
  const assign = normalizePartitions(target).filter((tp) => !ownedKeys.has(tpKey(tp.topic, tp.partition)));
  return { revoke, assign, keep };
}
