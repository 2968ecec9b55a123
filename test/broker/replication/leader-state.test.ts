import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  effectiveIsr, followerFetched, highWatermarkFor, initialFollowerState, isCaughtUp, LeaderState, UNKNOWN_OFFSET,
} from '../../../broker/replication/leader-state.js';

const LAG = 1000;

test('caught-up time follows Kafka\'s Replica.updateFetchState', () => {
  let s = initialFollowerState(true, 100);
  assert.deepEqual(s, { logEndOffset: UNKNOWN_OFFSET, lastCaughtUpTimeMs: 100, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: UNKNOWN_OFFSET });
  assert.equal(initialFollowerState(false, 100).lastCaughtUpTimeMs, 0, 'a follower outside the ISR was never caught up');
  // At the leader's end: caught up now.
  s = followerFetched(s, 50, 50, 200);
  assert.equal(s.lastCaughtUpTimeMs, 200);
  // Behind the leader's end now (it grew to 80), but at least where the leader's end was at the
  // previous fetch (50): caught up as of that previous fetch.
  s = followerFetched(s, 60, 80, 300);
  assert.equal(s.lastCaughtUpTimeMs, 200);
  s = followerFetched(s, 80, 95, 400);
  assert.equal(s.lastCaughtUpTimeMs, 300);
  // Below the leader's end at the previous fetch (95): no progress.
  s = followerFetched(s, 90, 120, 500);
  assert.equal(s.lastCaughtUpTimeMs, 300);
  assert.equal(s.logEndOffset, 90);
  assert.equal(s.lastFetchLeaderLogEndOffset, 120);
  // Never moves back.
  s = followerFetched({ ...s, lastCaughtUpTimeMs: 900 }, 120, 120, 600);
  assert.equal(s.lastCaughtUpTimeMs, 900);
});

test('isCaughtUp: at the leader\'s end, or caught up within the lag bound', () => {
  const s = { logEndOffset: 40, lastCaughtUpTimeMs: 1000, lastFetchTimeMs: 1000, lastFetchLeaderLogEndOffset: 40 };
  assert.equal(isCaughtUp(s, 40, 99_999, LAG), true, 'at the end, however long ago');
  assert.equal(isCaughtUp(s, 50, 2000, LAG), true);
  assert.equal(isCaughtUp(s, 50, 2001, LAG), false);
});

test('the high watermark is the smallest log end over the effective ISR and never moves back', () => {
  const ends: Record<number, number> = { 2: 30, 3: 20 };
  const end = (id: number) => ends[id] ?? UNKNOWN_OFFSET;
  assert.equal(highWatermarkFor(10, 1, 50, [1, 2, 3], end), 20);
  assert.equal(highWatermarkFor(10, 1, 50, [1, 2], end), 30);
  assert.equal(highWatermarkFor(10, 1, 50, [1], end), 50, 'an ISR of the leader alone commits at its end');
  assert.equal(highWatermarkFor(25, 1, 50, [1, 2, 3], end), 25, 'never below where it was');
  assert.equal(highWatermarkFor(10, 1, 50, [1, 4], end), 10, 'a member not heard from yet holds it');
  assert.deepEqual(effectiveIsr([1, 2], [1, 2, 3]), [1, 2, 3], 'an expansion counts at once');
  assert.deepEqual(effectiveIsr([1, 2, 3], [1, 2]), [1, 2, 3], 'a shrink counts once committed');
  assert.deepEqual(effectiveIsr([1, 2], undefined), [1, 2]);
});

const view = (isr: number[], partitionEpoch = 0) => ({ replicas: [1, 2, 3], isr, leaderEpoch: 5, partitionEpoch });

test('a leader tracks its followers, moves the high watermark and proposes ISR changes one at a time', () => {
  // Leader 1 takes over at log end 100 with a checkpointed high watermark of 90.
  const s = new LeaderState(1, view([1, 2, 3]), 100, 90, 0);
  assert.equal(s.epochStartOffset, 100);
  assert.equal(s.updateHighWatermark(100), false, 'no follower heard from: the high watermark holds');
  s.followerFetched(2, 100, 100, 10);
  assert.equal(s.updateHighWatermark(100), false, 'follower 3 not heard from');
  s.followerFetched(3, 95, 100, 10);
  assert.equal(s.updateHighWatermark(100), true);
  assert.equal(s.highWatermark, 95);
  assert.equal(s.followerFetched(9, 0, 100, 10), false, 'not a replica');

  // Follower 3 stays at 95 while the leader grows: after the lag bound it is proposed out.
  s.followerFetched(2, 100, 120, 500);
  s.followerFetched(2, 120, 120, 900);
  assert.equal(s.shrinkProposal(120, 1000, LAG), undefined, 'within the lag bound');
  const shrink = s.shrinkProposal(120, 1011, LAG)!;
  assert.deepEqual(shrink, { isr: [1, 2], partitionEpoch: 0, kind: 'shrink', refused: false });
  s.propose(shrink);
  assert.deepEqual(s.effectiveIsr(), [1, 2, 3], 'a pending shrink does not count yet');
  assert.equal(s.shrinkProposal(120, 5000, LAG), undefined, 'one proposal at a time');
  s.applyCommitted(view([1, 2], 1), 1100);
  assert.equal(s.pendingProposal, undefined, 'the committed image settles it');
  assert.equal(s.updateHighWatermark(120), true, 'the shrink lets the high watermark move');
  assert.equal(s.highWatermark, 120);

  // Follower 3 catches up: to the high watermark and past the epoch start; it may join.
  s.followerFetched(3, 110, 125, 1200);
  assert.equal(s.expandProposal(3, true, 1200), undefined, 'below the high watermark');
  s.followerFetched(3, 125, 125, 1300);
  assert.equal(s.expandProposal(3, false, 1300), undefined, 'not eligible (fenced, shutting down, offline)');
  const expand = s.expandProposal(3, true, 1300)!;
  assert.deepEqual(expand, { isr: [1, 2, 3], partitionEpoch: 1, kind: 'expand', refused: false });
  s.propose(expand);
  assert.deepEqual(s.effectiveIsr(), [1, 2, 3], 'an expansion counts at once');
  s.refused();
  assert.deepEqual(s.effectiveIsr(), [1, 2], 'a refused one no longer counts');
  assert.equal(s.expandProposal(3, true, 1400), undefined, 'a refused proposal waits for the image');
  s.applyCommitted(view([1, 2], 2), 1500);
  s.withdraw(2000);
  assert.equal(s.expandProposal(3, true, 1999), undefined, 'no new proposal before the backoff');
  assert.deepEqual(s.expandProposal(3, true, 2000)?.isr, [1, 2, 3]);
});

test('a follower that joins must also have reached the start of this leader\'s epoch', () => {
  const s = new LeaderState(1, view([1, 2]), 100, 100, 0);
  s.followerFetched(2, 100, 100, 1);
  s.updateHighWatermark(100);
  s.followerFetched(3, 99, 100, 1);
  assert.equal(s.expandProposal(3, true, 1), undefined);
  s.followerFetched(3, 100, 100, 2);
  assert.deepEqual(s.expandProposal(3, true, 2)?.isr, [1, 2, 3]);
});

test('property: the high watermark never passes a log end of the effective ISR and never moves back', () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('fetch' as const), id: fc.constantFrom(2, 3), back: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('shrink' as const) }),
    fc.record({ kind: fc.constant('commit' as const) }),
  );
  fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
    let leo = 10;
    let now = 0;
    let committed: number[] = [1, 2, 3];
    let epoch = 0;
    const s = new LeaderState(1, { replicas: [1, 2, 3], isr: committed, leaderEpoch: 0, partitionEpoch: 0 }, leo, 0, 0);
    const ends = new Map<number, number>();
    let previous = s.highWatermark;
    for (const st of steps) {
      now += 100;
      if (st.kind === 'append') leo += st.n;
      else if (st.kind === 'fetch') {
        // A follower fetches at most the leader's end, and its log end never goes back in a leadership.
        const offset = Math.max(ends.get(st.id) ?? 0, leo - st.back);
        ends.set(st.id, offset);
        s.followerFetched(st.id, offset, leo, now);
        const expand = s.expandProposal(st.id, true, now);
        if (expand) s.propose(expand);
      } else if (st.kind === 'shrink') {
        const shrink = s.shrinkProposal(leo, now, 250);
        if (shrink) s.propose(shrink);
      } else if (s.pendingProposal) {
        committed = [...s.pendingProposal.isr];
        s.applyCommitted({ replicas: [1, 2, 3], isr: committed, leaderEpoch: 0, partitionEpoch: ++epoch }, now);
      }
      s.updateHighWatermark(leo);
      const hw = s.highWatermark;
      assert.ok(hw >= previous, `moved back from ${previous} to ${hw}`);
      for (const id of s.effectiveIsr()) {
        if (id === 1) assert.ok(hw <= leo);
        else if (hw > previous) assert.ok(hw <= (ends.get(id) ?? -1), `high watermark ${hw} past follower ${id} at ${ends.get(id)}`);
      }
      assert.ok(s.effectiveIsr().includes(1), 'the leader never leaves');
      previous = hw;
    }
  }), { numRuns: 200 });
});
