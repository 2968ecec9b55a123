// The member's reconciliation plan: what to revoke, start and keep when an assignment arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizePartitions, planReconciliation } from '../../../client/consumer/reconciliation.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

test('a shrunk assignment revokes what is gone and keeps the rest; a grown one adds', () => {
  const owned = [tp('a', 0), tp('a', 1), tp('b', 0)];
  assert.deepEqual(planReconciliation(owned, [tp('a', 1)]), { revoke: [tp('a', 0), tp('b', 0)], assign: [], keep: [tp('a', 1)] });
  assert.deepEqual(planReconciliation(owned, [...owned, tp('b', 1)]), { revoke: [], assign: [tp('b', 1)], keep: [tp('a', 0), tp('a', 1), tp('b', 0)] });
  assert.deepEqual(planReconciliation([], [tp('b', 2), tp('a', 3)]), { revoke: [], assign: [tp('a', 3), tp('b', 2)], keep: [] });
  assert.deepEqual(planReconciliation(owned, []), { revoke: [tp('a', 0), tp('a', 1), tp('b', 0)], assign: [], keep: [] });
});

test('normalizePartitions sorts by topic then partition and drops repeats', () => {
  assert.deepEqual(normalizePartitions([tp('b', 1), tp('a', 10), tp('a', 2), tp('b', 1)]), [tp('a', 2), tp('a', 10), tp('b', 1)]);
});

test('property: revoke and keep split what is owned, assign and keep split the target, nothing twice', () => {
  const partitions = fc.array(fc.record({ topic: fc.constantFrom('x', 'y', 'z'), partition: fc.integer({ min: 0, max: 7 }) }), { maxLength: 20 });
  fc.assert(fc.property(partitions, partitions, (owned, target) => {
    const plan = planReconciliation(owned, target);
    const keys = (list: readonly { topic: string; partition: number }[]) => normalizePartitions(list).map((p) => `${p.topic}-${p.partition}`);
    assert.deepEqual(keys([...plan.revoke, ...plan.keep]), keys(owned));
    assert.deepEqual(keys([...plan.assign, ...plan.keep]), keys(target));
    const targetKeys = new Set(keys(target));
    assert.ok(plan.revoke.every((p) => !targetKeys.has(`${p.topic}-${p.partition}`)));
    const ownedKeys = new Set(keys(owned));
    assert.ok(plan.assign.every((p) => !ownedKeys.has(`${p.topic}-${p.partition}`)));
  }));
});
