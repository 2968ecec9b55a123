// Cooperative reconciliation of one member toward its target (KIP-848's CurrentAssignmentBuilder):
// revocations first and acknowledged by the member, partitions handed over only once their previous
// owner released them, the same object back when nothing changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_ASSIGNMENT, assignmentOf, type Assignment } from '../../../broker/groups/assignment.js';
import { acknowledgeRevocation, reconcile, type MemberAssignmentState } from '../../../broker/groups/reconciliation.js';

const tps = (...ps: number[]): Assignment => assignmentOf([['t', ps]]);
const stable = (epoch: number, assigned: Assignment): MemberAssignmentState =>
  ({ memberEpoch: epoch, previousMemberEpoch: epoch - 1, status: 'stable', assigned, pendingRevocation: EMPTY_ASSIGNMENT });
const nobody = (): boolean => false;
const plain = (s: MemberAssignmentState) => ({ ...s, assigned: [...s.assigned.get('t') ?? []], pendingRevocation: [...s.pendingRevocation.get('t') ?? []] });

test('a stable member at the target epoch stays as it is (the same object)', () => {
  const m = stable(3, tps(0, 1));
  assert.equal(reconcile(m, 3, tps(0, 1), nobody), m);
});

test('free partitions are given at once, with the new epoch', () => {
  const next = reconcile(stable(3, tps(0)), 4, tps(0, 1, 2), nobody);
  assert.deepEqual(plain(next), { memberEpoch: 4, previousMemberEpoch: 3, status: 'stable', assigned: [0, 1, 2], pendingRevocation: [] });
});

test('a shrinking target is a revocation: the epoch stays, nothing new is given until the member acknowledges', () => {
  const m = stable(3, tps(0, 1, 2));
  // The target moves 2 away and gives 5: 5 must wait for the revocation.
  const revoking = reconcile(m, 4, tps(0, 1, 5), nobody);
  assert.deepEqual(plain(revoking), { memberEpoch: 3, previousMemberEpoch: 2, status: 'unrevoked', assigned: [0, 1], pendingRevocation: [2] });
  // Until acknowledged, reconciling changes nothing, whatever the target says now.
  assert.equal(reconcile(revoking, 5, tps(0), nobody), revoking);
  // A report that still holds 2 is no acknowledgement.
  assert.equal(acknowledgeRevocation(revoking, tps(0, 1, 2), 4, tps(0, 1, 5), nobody), revoking);
  const done = acknowledgeRevocation(revoking, tps(0, 1), 4, tps(0, 1, 5), nobody);
  assert.deepEqual(plain(done), { memberEpoch: 4, previousMemberEpoch: 3, status: 'stable', assigned: [0, 1, 5], pendingRevocation: [] });
});

test('a partition another member still owns is not given: unreleased until it is free', () => {
  let owner = true;
  const ownedByOther = (_t: string, p: number): boolean => owner && p === 7;
  const waiting = reconcile(stable(1, tps(0)), 2, tps(0, 7, 8), ownedByOther);
  assert.deepEqual(plain(waiting), { memberEpoch: 2, previousMemberEpoch: 1, status: 'unreleased', assigned: [0, 8], pendingRevocation: [] });
  assert.equal(reconcile(waiting, 2, tps(0, 7, 8), ownedByOther), waiting);
  owner = false;
  assert.deepEqual(plain(reconcile(waiting, 2, tps(0, 7, 8), ownedByOther)), { memberEpoch: 2, previousMemberEpoch: 1, status: 'stable', assigned: [0, 7, 8], pendingRevocation: [] });
});

test('acknowledging when nothing is pending changes nothing', () => {
  const m = stable(2, tps(1));
  assert.equal(acknowledgeRevocation(m, EMPTY_ASSIGNMENT, 2, tps(1), nobody), m);
});
