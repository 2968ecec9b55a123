// Cooperative reconciliation of one member toward its target (KIP-848's CurrentAssignmentBuilder).
// Pure: the member's assignment state, the target and who else owns what in, the next state out.
//
// A member owns its `assigned` partitions and those `pendingRevocation` (it still holds them until it
// says otherwise). The rules keep a partition from ever having two owners:
// - partitions the target takes away are revoked first: the member is told its assignment without
//   them, keeps its epoch, and waits in `unrevoked` until a heartbeat reports it no longer owns any
//   of them (its revoke listener and commit ran); nothing new is given meanwhile;
// - a partition the target gives it is handed over only once no other member owns it; until then
//   the member is `unreleased` (it already has the new epoch and what is free);
// - otherwise it is `stable` at the target epoch with exactly its target.
import {
  EMPTY_ASSIGNMENT, assignmentsEqual, filterAssignment, hasPartition, intersect, minus, overlaps, partitionCount, type Assignment,
} from './assignment.js';

export type MemberAssignmentStatus = 'stable' | 'unrevoked' | 'unreleased';

export interface MemberAssignmentState {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly status: MemberAssignmentStatus;
  /** What the member may own now (what it is told). */
  readonly assigned: Assignment;
  /** What it must give up and still owns until it reports otherwise. */
  readonly pendingRevocation: Assignment;
}

/** Who owns a partition besides the member being reconciled. */
export type OwnedByOther = (topic: string, partition: number) => boolean;

/**
 * The member's next state toward the target at targetEpoch; the same object when nothing changes.
 * An `unrevoked` member waits for its acknowledgement (acknowledgeRevocation) before anything else.
 */
export function reconcile(member: MemberAssignmentState, targetEpoch: number, target: Assignment, ownedByOther: OwnedByOther): MemberAssignmentState {
  switch (member.status) {
    case 'unrevoked':
      return member;
    case 'stable':
      if (member.memberEpoch === targetEpoch) return member;
      return nextAssignment(member, targetEpoch, target, ownedByOther);
    case 'unreleased':
      return nextAssignment(member, targetEpoch, target, ownedByOther);
  }
}

/**
 * A heartbeat reported the partitions the member owns: when none of those pending revocation is
 * among them, the revocation is done and the member moves on toward its target.
 */
export function acknowledgeRevocation(
  member: MemberAssignmentState, owned: Assignment, targetEpoch: number, target: Assignment, ownedByOther: OwnedByOther,
): MemberAssignmentState {
  if (member.status !== 'unrevoked' || overlaps(owned, member.pendingRevocation)) return member;
  return nextAssignment({ ...member, status: 'stable', pendingRevocation: EMPTY_ASSIGNMENT }, targetEpoch, target, ownedByOther);
}

function nextAssignment(member: MemberAssignmentState, targetEpoch: number, target: Assignment, ownedByOther: OwnedByOther): MemberAssignmentState {
  const kept = intersect(member.assigned, target);
  const revoke = minus(member.assigned, target);
  if (revoke.size > 0) {
    return same(member, {
      memberEpoch: member.memberEpoch, previousMemberEpoch: member.previousMemberEpoch, status: 'unrevoked',
      assigned: kept, pendingRevocation: revoke,
    });
  }
  const wanted = minus(target, member.assigned);
  const free = filterAssignment(wanted, (t, p) => !ownedByOther(t, p));
  const unreleased = partitionCount(free) !== partitionCount(wanted);
  const assigned = filterAssignment(target, (t, p) => hasPartition(kept, t, p) || hasPartition(free, t, p));
  const epochs = member.memberEpoch === targetEpoch
    ? { memberEpoch: member.memberEpoch, previousMemberEpoch: member.previousMemberEpoch }
    : { memberEpoch: targetEpoch, previousMemberEpoch: member.memberEpoch };
  return same(member, {
    ...epochs, status: unreleased ? 'unreleased' : 'stable', assigned, pendingRevocation: EMPTY_ASSIGNMENT,
  });
}

/** The old object when the new state equals it, so callers can tell a change by identity. */
function same(old: MemberAssignmentState, next: MemberAssignmentState): MemberAssignmentState {
  const equal = old.memberEpoch === next.memberEpoch && old.previousMemberEpoch === next.previousMemberEpoch
    && old.status === next.status && assignmentsEqual(old.assigned, next.assigned) && assignmentsEqual(old.pendingRevocation, next.pendingRevocation);
  return equal ? old : next;
}
