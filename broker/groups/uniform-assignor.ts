// The `uniform` server assignor (Kafka's UniformAssignor): balanced and sticky.
//
// Balanced: no partition could move from a member to another member that subscribes to its topic
// and owns at least two fewer partitions. With identical subscriptions that is the usual
// "every member owns floor(P/M) or ceil(P/M)"; with different subscriptions it is the same rule
// the sticky assignors use, since an even split may not exist.
//
// Sticky: each member first keeps its current target (where it still subscribes to the topic and
// the partition still exists); partitions nobody holds go to the eligible member holding the
// fewest; then partitions move one at a time from the fullest member to the emptiest eligible one
// until the rule above holds, preferring a partition the giver only just received, so a
// partition leaves its owner only when the owner holds more than its share.
//
// Deterministic: members in member-id order, partitions in topic and partition order.
import { assignmentOf, partitionsOf, tpKey, type Assignment } from './assignment.js';
import type { AssignorMember } from './assignor.js';

interface Holder {
  readonly member: AssignorMember;
  /** What it holds now, by tpKey. */
  readonly owned: Map<string, readonly [string, number]>;
  /** The keys of what it held before this run. */
  readonly previous: ReadonlySet<string>;
}

const compareTp = (a: readonly [string, number], b: readonly [string, number]): number =>
  (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);

export function uniformAssignor(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, Assignment> {
  const holders: Holder[] = [...members]
    .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
    .map((member) => ({ member, owned: new Map(), previous: new Set([...partitionsOf(member.current)].map(([t, p]) => tpKey(t, p))) }));
  const owner = new Map<string, Holder>();
  const give = (holder: Holder, topic: string, partition: number): void => {
    const key = tpKey(topic, partition);
    owner.set(key, holder);
    holder.owned.set(key, [topic, partition]);
  };
  const exists = (topic: string, partition: number): boolean => partition < (partitionCounts.get(topic) ?? 0);

  // 1. Each keeps what it had, where still valid (and not claimed twice).
  for (const h of holders) {
    for (const [topic, p] of partitionsOf(h.member.current)) {
      if (h.member.topics.has(topic) && exists(topic, p) && !owner.has(tpKey(topic, p))) give(h, topic, p);
    }
  }

  // 2. Partitions nobody holds, those of topics with the fewest subscribers first, to the eligible
  //    member holding the fewest.
  const eligible = new Map<string, Holder[]>();
  for (const h of holders) {
    for (const topic of h.member.topics) {
      if (!partitionCounts.has(topic)) continue;
      let list = eligible.get(topic);
      if (!list) eligible.set(topic, (list = []));
      list.push(h);
    }
  }
  const free: [string, number][] = [];
  for (const [topic, list] of eligible) {
    if (list.length === 0) continue;
    const count = partitionCounts.get(topic) ?? 0;
    for (let p = 0; p < count; p++) if (!owner.has(tpKey(topic, p))) free.push([topic, p]);
  }
  free.sort((a, b) => (eligible.get(a[0])!.length - eligible.get(b[0])!.length) || compareTp(a, b));
  for (const [topic, p] of free) {
    let best: Holder | undefined;
    for (const h of eligible.get(topic)!) if (!best || h.owned.size < best.owned.size) best = h;
    give(best!, topic, p);
  }

  // 3. Balance: move from the fullest to the emptiest eligible member while they differ by two or
  //    more. Each move lowers the sum of squared counts, so this ends; the bound only guards it.
  const limit = (owner.size + 1) * (holders.length + 1);
  for (let moves = 0; moves < limit; moves++) {
    if (!moveOne(holders, owner)) break;
  }

  const out = new Map<string, Assignment>();
  for (const h of holders) out.set(h.member.memberId, assignmentOf([...h.owned.values()].map(([t, p]) => [t, [p]] as const)));
  return out;
}

/** Moves one partition from a fuller member to an emptier eligible one; false when balanced. */
function moveOne(holders: readonly Holder[], owner: Map<string, Holder>): boolean {
  const byCount = [...holders].sort((a, b) => b.owned.size - a.owned.size);
  for (const giver of byCount) {
    for (let i = byCount.length - 1; i >= 0; i--) {
      const taker = byCount[i]!;
      if (giver.owned.size - taker.owned.size < 2) break;
      const key = movable(giver, taker);
      if (key === undefined) continue;
      const tp = giver.owned.get(key)!;
      giver.owned.delete(key);
      taker.owned.set(key, tp);
      owner.set(key, taker);
      return true;
    }
  }
  return false;
}

/** The giver's partition to move to the taker: one the giver did not hold before this run if it
 * can (no revocation then), else its last in topic and partition order. */
function movable(giver: Holder, taker: Holder): string | undefined {
  let fresh: [string, readonly [string, number]] | undefined;
  let kept: [string, readonly [string, number]] | undefined;
  for (const [key, tp] of giver.owned) {
    if (!taker.member.topics.has(tp[0])) continue;
    if (giver.previous.has(key)) {
      if (!kept || compareTp(tp, kept[1]) > 0) kept = [key, tp];
    } else if (!fresh || compareTp(tp, fresh[1]) > 0) {
      fresh = [key, tp];
    }
  }
  return (fresh ?? kept)?.[0];
}
