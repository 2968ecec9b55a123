// The server assignors (KIP-848): pure functions from the members (their subscribed topics and
// their current target, for stickiness) and the partition counts of the subscribed topics to each
// member's new target. The coordinator runs one whenever the group epoch moves past the assignment
// epoch. They decide who should own what; reconciliation.ts decides when a member may take it.
import type { Assignment } from './assignment.js';
import { rangeAssignor } from './range-assignor.js';
import { uniformAssignor } from './uniform-assignor.js';

export interface AssignorMember {
  readonly memberId: string;
  /** group.instance.id; the range assignor orders static members by it, so a restart keeps their ranges. */
  readonly instanceId: string | undefined;
  /** The topics the member subscribes to (names and regex matches) that exist. */
  readonly topics: ReadonlySet<string>;
  /** Its target before this run (the uniform assignor keeps what it can of it). */
  readonly current: Assignment;
}

/** Returns every member's target (members without partitions get an empty one). */
export type Assignor = (members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>) => Map<string, Assignment>;

export const ASSIGNORS: Readonly<Record<string, Assignor>> = {
  uniform: uniformAssignor,
  range: rangeAssignor,
};

export function isAssignorName(name: string): boolean {
  return Object.hasOwn(ASSIGNORS, name);
}
