import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OffsetSyncStore } from '../../../mirror/offsets/offset-sync-store.js';
import { assertProperty } from '../policy/policy-arbitraries.js';
import { mirrorPlanArb, runMirror, type MirrorHistory } from './mirror-history.js';

const T = 'orders';

function storeOf(history: MirrorHistory, maxSyncsPerPartition?: number): OffsetSyncStore {
  const store = new OffsetSyncStore(maxSyncsPerPartition === undefined ? {} : { maxSyncsPerPartition });
  for (const s of history.syncs) store.add({ topic: T, partition: 0, ...s });
  store.markReadToEnd();
  return store;
}

/** Committed offsets worth asking about: every source offset (holes included) and one past the end. */
function committedOffsets(history: MirrorHistory): number[] {
  const end = history.source[history.source.length - 1]! + 1;
  return Array.from({ length: end + 1 }, (_, i) => i);
}

/**
 * No record missed: a group that committed `committed` on the source and resumes on the remote
 * partition at `translated` gets every source record at or after `committed`, either from a copy at or
 * after `translated` or, for records not yet (re-)sent, later at the end of the remote partition.
 */
function assertNothingMissed(history: MirrorHistory, committed: number, translated: number): void {
  assert.ok(translated <= history.target.length, `translation ${translated} is past the remote end ${history.target.length}`);
  const resent = new Set(history.target.slice(translated));
  const notYetSent = new Set(history.source.slice(history.position));
  for (const u of history.source) {
    if (u < committed) continue;
    assert.ok(resent.has(u) || notYetSent.has(u), `committed ${committed} -> ${translated}: source record ${u} is missed`);
  }
}

test('MM2\'s translation rule: the newest sync at or below the committed offset, +1 when past it, nothing below the oldest', () => {
  const store = new OffsetSyncStore();
  store.add({ topic: T, partition: 0, upstream: 10, downstream: 0 });
  store.add({ topic: T, partition: 0, upstream: 20, downstream: 8 });
  assert.equal(store.translateDownstream(T, 0, 20), undefined, 'nothing before the syncs topic was read to its end');
  store.markReadToEnd();
  assert.equal(store.translateDownstream(T, 0, 5), undefined, 'below every sync: never extrapolated');
  assert.equal(store.translateDownstream(T, 0, 10), 0);
  assert.equal(store.translateDownstream(T, 0, 15), 1);
  assert.equal(store.translateDownstream(T, 0, 20), 8);
  assert.equal(store.translateDownstream(T, 0, 1000), 9);
  assert.equal(store.translateDownstream(T, 1, 7), undefined, 'a partition without syncs');
  assert.equal(store.translateDownstream(T, 1, 0), 0, 'offset 0 of a partition that never got records, once its topic has syncs');
  assert.equal(store.translateDownstream('other', 0, 0), undefined, 'no checkpoint before anything of the topic was mirrored');
  assert.equal(store.translateUpstream(T, 0, 8), 20);
  assert.equal(store.translateUpstream(T, 0, 5), 11);
  assert.equal(store.translateUpstream(T, 0, 0), 10);
});

test('history beyond MM2\'s 64 syncs: a group far behind the newest sync translates exactly (KAFKA-14666)', () => {
  const store = new OffsetSyncStore();
  for (let i = 0; i <= 2000; i++) store.add({ topic: T, partition: 0, upstream: i * 100, downstream: i * 100 + 7 });
  store.markReadToEnd();
  assert.equal(store.translateDownstream(T, 0, 500), 507, '1995 syncs behind the newest');
  assert.equal(store.translateDownstream(T, 0, 150_000), 150_007);
});

test('a sync that goes back drops the syncs at or after it; thinning keeps the oldest and the newest half', () => {
  const store = new OffsetSyncStore({ maxSyncsPerPartition: 8 });
  for (let i = 0; i < 9; i++) store.add({ topic: T, partition: 0, upstream: i * 10, downstream: i * 10 });
  const kept = store.syncsOf(T, 0).map((s) => s.upstream);
  assert.deepEqual(kept, [0, 20, 40, 50, 60, 70, 80]);
  store.add({ topic: T, partition: 0, upstream: 55, downstream: 90 });
  assert.deepEqual(store.syncsOf(T, 0).map((s) => [s.upstream, s.downstream]), [[0, 0], [20, 20], [40, 40], [50, 50], [55, 90]], 're-sent from 55: the first copies of 55.. are no longer the newest');
  store.add({ topic: T, partition: 0, upstream: 60, downstream: 30 });
  assert.deepEqual(store.syncsOf(T, 0).map((s) => [s.upstream, s.downstream]), [[0, 0], [20, 20], [60, 30]], 'the remote partition went back to 30');
});

test('property: translation never misses a record, whatever the holes, batch sizes, restarts and flushes', () => {
  assertProperty(fc.property(mirrorPlanArb(), (plan) => {
    const history = runMirror(plan);
    const store = storeOf(history);
    for (const committed of committedOffsets(history)) {
      const translated = store.translateDownstream(T, 0, committed);
      if (translated !== undefined) assertNothingMissed(history, committed, translated);
    }
  }), 300);
});

test('property: with a small history cap (thinned) translation still never misses a record and answers at or after the oldest sync', () => {
  assertProperty(fc.property(mirrorPlanArb({ maxOffsetLag: fc.constantFrom(0, 1, 3) }), (plan) => {
    const history = runMirror(plan);
    const store = storeOf(history, 4);
    const oldest = store.syncsOf(T, 0)[0];
    for (const committed of committedOffsets(history)) {
      const translated = store.translateDownstream(T, 0, committed);
      if (oldest && committed >= oldest.upstream) assert.notEqual(translated, undefined, `committed ${committed} at or after the oldest sync ${oldest.upstream}`);
      if (translated !== undefined) assertNothingMissed(history, committed, translated);
    }
  }), 300);
});

test('property: for one store state translation is monotonic in the committed offset, both ways', () => {
  assertProperty(fc.property(mirrorPlanArb(), (plan) => {
    const history = runMirror(plan);
    const store = storeOf(history);
    let previous = -1;
    for (const committed of committedOffsets(history)) {
      const translated = store.translateDownstream(T, 0, committed);
      if (translated === undefined) continue;
      assert.ok(translated >= previous, `translate(${committed}) = ${translated} < ${previous}`);
      previous = translated;
    }
    previous = -1;
    for (let d = 0; d <= history.target.length; d++) {
      const translated = store.translateUpstream(T, 0, d);
      if (translated === undefined) continue;
      assert.ok(translated >= previous, `translateUpstream(${d}) = ${translated} < ${previous}`);
      previous = translated;
    }
  }), 300);
});

test('property: without restarts, a group resuming from a translation after the flush re-reads fewer than offset.lag.max records (1 at lag 0)', () => {
  assertProperty(fc.property(mirrorPlanArb({ restarts: false, holes: false }), (plan) => {
    const history = runMirror(plan);
    const store = storeOf(history);
    const mirrored = history.target.length;
    for (let committed = 0; mirrored > 0 && committed <= mirrored; committed++) {
      const translated = store.translateDownstream(T, 0, committed);
      assert.notEqual(translated, undefined, `committed ${committed} of ${mirrored} mirrored`);
      // Without holes or restarts the record at source offset c is at downstream c.
      const reread = committed - translated!;
      assert.ok(reread >= 0, 'never past the committed record');
      assert.ok(reread < Math.max(1, plan.maxOffsetLag), `committed ${committed} -> ${translated}: ${reread} re-read at offset.lag.max ${plan.maxOffsetLag}`);
    }
  }), 300);
});

test('property: failback translation (remote offset -> source offset) never skips a record the group had not read', () => {
  assertProperty(fc.property(mirrorPlanArb(), (plan) => {
    const history = runMirror(plan);
    const store = storeOf(history);
    for (let d = 0; d <= history.target.length; d++) {
      const resumeAt = store.translateUpstream(T, 0, d);
      if (resumeAt === undefined) continue;
      // Every source record below resumeAt must have a copy the group read (below d).
      const read = new Set(history.target.slice(0, d));
      for (const u of history.source) {
        if (u >= resumeAt) break;
        assert.ok(read.has(u), `remote ${d} -> source ${resumeAt}: source record ${u} was never read`);
      }
    }
  }), 300);
});
