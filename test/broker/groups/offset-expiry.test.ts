// Offset expiry (offsets.retention.minutes): only a group without members loses offsets, each one
// retention after the later of its commit and the moment the group became empty; the group goes
// when nothing is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tpKey } from '../../../broker/groups/assignment.js';
import type { StoredOffset } from '../../../broker/groups/coordinator-state.js';
import { expireOffsets } from '../../../broker/groups/offset-expiry.js';

const offsets = (...commits: [number, number][]): Map<string, StoredOffset> =>
  new Map(commits.map(([partition, commitTimestampMs]) => [tpKey('t', partition), { topic: 't', partition, offset: 10, leaderEpoch: -1, metadata: '', commitTimestampMs }]));
const RETENTION = 1000;

test('a group with members keeps its offsets however old', () => {
  assert.deepEqual(expireOffsets({ memberCount: 1, emptySinceMs: undefined }, offsets([0, 0]), 1_000_000, RETENTION), { expired: [], groupGone: false });
});

test('an empty group: each offset expires retention after the later of its commit and when the group became empty', () => {
  const all = offsets([0, 100], [1, 5000]);
  // Empty since 2000: partition 0 counts from 2000, partition 1 from its commit at 5000.
  let v = expireOffsets({ memberCount: 0, emptySinceMs: 2000 }, all, 2999, RETENTION);
  assert.deepEqual(v.expired.map((o) => o.partition), []);
  v = expireOffsets({ memberCount: 0, emptySinceMs: 2000 }, all, 3000, RETENTION);
  assert.deepEqual(v.expired.map((o) => o.partition), [0]);
  assert.equal(v.groupGone, false);
  v = expireOffsets({ memberCount: 0, emptySinceMs: 2000 }, all, 6000, RETENTION);
  assert.deepEqual(v.expired.map((o) => o.partition), [0, 1]);
  assert.equal(v.groupGone, true);
});

test('offsets of a group that never had members count from their commit; an empty group with no offsets goes', () => {
  assert.deepEqual(expireOffsets(undefined, offsets([3, 100]), 1100, RETENTION).expired.map((o) => o.partition), [3]);
  assert.deepEqual(expireOffsets({ memberCount: 0, emptySinceMs: 50 }, new Map(), 60, RETENTION), { expired: [], groupGone: true });
});
