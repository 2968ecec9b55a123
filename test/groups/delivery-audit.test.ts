// The group delivery audit on hand-made member logs: it passes what the contract allows and names
// what it does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditDelivery } from './delivery-audit.js';

test('work redone after a crash, past the crashed member\'s last commit, is allowed', () => {
  const r = auditDelivery([4], [
    { name: 'a', crashed: true, lines: ['A 0', 'P 0 0', 'P 0 1', 'C 0 2', 'P 0 2'] },
    { name: 'b', crashed: false, lines: ['A 0', 'P 0 2', 'P 0 3', 'C 0 4'] },
  ]);
  assert.deepEqual(r, { processed: 5, duplicates: 1, violations: [] });
});

test('a loss, a repeat by a member that was not killed, a repeat of committed work, a record not in the topic', () => {
  const lost = auditDelivery([3], [{ name: 'a', crashed: false, lines: ['P 0 0', 'P 0 2'] }]);
  assert.deepEqual(lost.violations, ['lost: partition 0 offset 1 was never processed']);
  const closedRepeat = auditDelivery([2], [
    { name: 'a', crashed: false, lines: ['P 0 0', 'P 0 1'] },
    { name: 'b', crashed: false, lines: ['P 0 1'] },
  ]);
  assert.deepEqual(closedRepeat.violations, ['duplicated: partition 0 offset 1 processed 2 times, not explained by a crash']);
  const committedRepeat = auditDelivery([2], [
    { name: 'a', crashed: true, lines: ['P 0 0', 'P 0 1', 'C 0 2'] },
    { name: 'b', crashed: false, lines: ['P 0 1'] },
  ]);
  assert.equal(committedRepeat.violations.length, 1);
  const unknown = auditDelivery([1], [{ name: 'a', crashed: false, lines: ['P 0 0', 'P 1 0'] }]);
  assert.deepEqual(unknown.violations, ['unknown: partition 1 offset 0 is not in the topic']);
});
