import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeaderEpochCache } from '../../../broker/log/leader-epoch-cache.js';
import { checkDivergence, truncationOffset } from '../../../broker/replication/divergence.js';
import { tempDir } from '../log/helpers.js';

/** A leader's history: epoch 2 from 0, 4 from 25, 7 from 50; log end 60. */
function leaderHistory(t: { after(fn: () => void): void }): (epoch: number) => { epoch: number; endOffset: number } | undefined {
  const cache = new LeaderEpochCache(tempDir(t));
  cache.assign(2, 0);
  cache.assign(4, 25);
  cache.assign(7, 50);
  return (epoch) => cache.endOffsetFor(epoch, 60);
}

test('the leader answers a diverging epoch only where its history disagrees (KIP-320)', (t) => {
  const leader = leaderHistory(t);
  // Same epoch, within it: consistent.
  assert.deepEqual(checkDivergence(55, 7, leader), { kind: 'consistent' });
  assert.deepEqual(checkDivergence(50, 4, leader), { kind: 'consistent' });
  // The follower has epoch 4 past where the leader's epoch 4 ends.
  assert.deepEqual(checkDivergence(53, 4, leader), { kind: 'diverging', epoch: 4, endOffset: 50 });
  // An epoch the leader never had (5): its largest epoch below, and where that ends (KAFKA-12657:
  // diverging even though the offsets would agree).
  assert.deepEqual(checkDivergence(40, 5, leader), { kind: 'diverging', epoch: 4, endOffset: 50 });
  assert.deepEqual(checkDivergence(50, 5, leader), { kind: 'diverging', epoch: 4, endOffset: 50 });
  // Older than every epoch of the leader's: the start of its first one.
  assert.deepEqual(checkDivergence(3, 1, leader), { kind: 'diverging', epoch: 1, endOffset: 0 });
  // Newer than every epoch of the leader's: not placeable (Kafka: OFFSET_OUT_OF_RANGE).
  assert.deepEqual(checkDivergence(60, 8, leader), { kind: 'unknown' });
  // A follower with no epoch yet (an empty log) is never told it diverges.
  assert.deepEqual(checkDivergence(0, -1, leader), { kind: 'consistent' });
});

test('the follower truncates to where both histories agree (Kafka\'s getOffsetTruncationState)', () => {
  const follower = (entries: Record<number, { epoch: number; endOffset: number }>) => (epoch: number) => entries[epoch];
  // Same epoch on both sides: the smaller end.
  assert.deepEqual(truncationOffset({ epoch: 4, endOffset: 50 }, 53, follower({ 4: { epoch: 4, endOffset: 53 } })), { offset: 50, complete: true });
  assert.deepEqual(truncationOffset({ epoch: 4, endOffset: 50 }, 53, follower({ 4: { epoch: 4, endOffset: 45 } })), { offset: 45, complete: true });
  // The follower never had the leader's epoch: its own largest epoch below it ends first; ask again.
  assert.deepEqual(truncationOffset({ epoch: 4, endOffset: 50 }, 53, follower({ 4: { epoch: 3, endOffset: 30 } })), { offset: 30, complete: false });
  // The follower has no epoch at or below: the leader's end.
  assert.deepEqual(truncationOffset({ epoch: 1, endOffset: 0 }, 3, follower({})), { offset: 0, complete: true });
  // Never above its own log end.
  assert.deepEqual(truncationOffset({ epoch: 4, endOffset: 50 }, 20, follower({ 4: { epoch: 4, endOffset: 20 } })), { offset: 20, complete: true });
});

/** A log as the epoch of each record (one record per offset). */
type EpochLog = number[];

function historyOf(t: { after(fn: () => void): void }, log: EpochLog, currentEpoch?: number): LeaderEpochCache {
  const cache = new LeaderEpochCache(tempDir(t));
  log.forEach((epoch, offset) => cache.assign(epoch, offset));
  // A leader's current epoch starts at its log end (assignEpochStartOffset), before any record of it.
  if (currentEpoch !== undefined) cache.assign(currentEpoch, log.length);
  return cache;
}

function commonPrefix(a: EpochLog, b: EpochLog): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Two replicas that agree on a prefix (ending in epoch E) and then went apart: one of them may have
 * gone on in E (only one can: an epoch has one leader), then each wrote in epochs of its own, as
 * leaders of disjoint epochs later than E. The leader's current epoch is the newest of all.
 */
const divergedLogs = fc.record({
  prefix: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }),
  continueLast: fc.constantFrom<'leader' | 'follower' | 'neither'>('leader', 'follower', 'neither'),
  continued: fc.integer({ min: 1, max: 4 }),
  leaderRuns: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
  followerRuns: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
  followerEpochsFirst: fc.boolean(),
}).map(({ prefix, continueLast, continued, leaderRuns, followerRuns, followerEpochsFirst }) => {
  // Epochs never go down along a log.
  const shared: EpochLog = [];
  let epoch = 0;
  for (const step of prefix) {
    epoch += step - 1;
    shared.push(epoch);
  }
  const last = shared.at(-1) ?? 0;
  const leader = [...shared];
  const follower = [...shared];
  if (shared.length > 0 && continueLast !== 'neither') (continueLast === 'leader' ? leader : follower).push(...Array<number>(continued).fill(last));
  // Disjoint later epochs: the follower's and the leader's interleave in time in either order.
  let next = last + 1;
  const runsOf = (runs: number[]) => runs.map((n) => ({ epoch: next++, n }));
  const [first, second] = followerEpochsFirst ? [runsOf(followerRuns), runsOf(leaderRuns)] : [runsOf(leaderRuns), runsOf(followerRuns)];
  const followerEpochs = followerEpochsFirst ? first : second;
  const leaderEpochs = followerEpochsFirst ? second : first;
  for (const { epoch: e, n } of followerEpochs) follower.push(...Array<number>(n).fill(e));
  for (const { epoch: e, n } of leaderEpochs) leader.push(...Array<number>(n).fill(e));
  return { leader, follower, currentEpoch: next };
});

test('property: fetch, divergence and truncation bring any follower back to the longest common prefix, never below it', (t) => {
  fc.assert(fc.property(divergedLogs, ({ leader, follower, currentEpoch }) => {
    const leaderHistory = historyOf(t, leader, currentEpoch);
    const followerLog = [...follower];
    const followerHistory = historyOf(t, followerLog);
    for (let round = 0; round < 20; round++) {
      const lastEpoch = followerHistory.latestEpoch() ?? -1;
      const answer = checkDivergence(followerLog.length, lastEpoch, (e) => leaderHistory.endOffsetFor(e, leader.length));
      if (answer.kind === 'consistent') {
        // Offsets agree from here on: what the follower holds is the leader's, all of the shared part stayed.
        assert.ok(followerLog.length <= leader.length, `follower ${JSON.stringify(followerLog)} longer than leader ${JSON.stringify(leader)}`);
        assert.deepEqual(followerLog, leader.slice(0, followerLog.length));
        assert.equal(followerLog.length, commonPrefix(leader, follower));
        return;
      }
      // The leader's history always places the follower's epochs here (the leader's epoch is the newest).
      assert.equal(answer.kind, 'diverging');
      if (answer.kind !== 'diverging') return;
      const { offset } = truncationOffset(answer, followerLog.length, (e) => followerHistory.endOffsetFor(e, followerLog.length));
      assert.ok(offset >= commonPrefix(leader, follower), `truncated to ${offset}, below the common prefix`);
      // As Log.truncateTo: the records from offset on go, and epochs starting at the new end.
      followerLog.length = Math.min(offset, followerLog.length);
      followerHistory.truncateFromEnd(followerLog.length);
    }
    assert.fail(`no agreement after 20 rounds: leader ${JSON.stringify(leader)} follower ${JSON.stringify(follower)}`);
  }), { numRuns: 100 });
});
