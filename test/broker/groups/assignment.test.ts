// Topic-partition sets: canonical form (so equal sets are equal by content), set operations, and the
// wire form with its checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assignmentOf, assignmentsEqual, fromWire, intersect, isSubset, minus, overlaps, partitionCount, toWire, union,
} from '../../../broker/groups/assignment.js';

const set = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat({ max: 6 })), { maxLength: 12 }).map((tps) => assignmentOf(tps.map(([t, p]) => [t, [p]] as const)));

test('canonical: sorted topics and partitions, no repeats, no empty topics', () => {
  const a = assignmentOf([['b', [3, 1, 3]], ['a', [2]], ['c', []]]);
  assert.deepEqual([...a], [['a', [2]], ['b', [1, 3]]]);
  assert.ok(assignmentsEqual(a, assignmentOf([['a', [2]], ['b', [3]], ['b', [1]]])));
});

test('set laws', () => {
  fc.assert(fc.property(set, set, (x, y) => {
    assert.equal(partitionCount(union(x, y)), partitionCount(x) + partitionCount(minus(y, x)));
    assert.ok(isSubset(intersect(x, y), x) && isSubset(intersect(x, y), y));
    assert.equal(overlaps(x, y), partitionCount(intersect(x, y)) > 0);
    assert.ok(assignmentsEqual(union(minus(x, y), intersect(x, y)), x));
    assert.ok(assignmentsEqual(fromWire(toWire(x))!, x));
  }));
});

test('the wire form is checked: names and non-negative integer partitions', () => {
  assert.equal(fromWire([{ topic: 't', partitions: [-1] }]), undefined);
  assert.equal(fromWire([{ topic: 7, partitions: [1] }]), undefined);
  assert.equal(fromWire('nope'), undefined);
  assert.ok(assignmentsEqual(fromWire([{ topic: 't', partitions: [2, 0] }])!, assignmentOf([['t', [0, 2]]])));
});
