import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { historyLevel, PartitionSyncRules, type SyncPoint } from '../../../mirror/offsets/sync-emission.js';
import { assertProperty } from '../policy/policy-arbitraries.js';
import { mirrorPlanArb, runMirror } from './mirror-history.js';

/** MM2's OffsetSyncWriter.PartitionState, record by record, each sync sent at once (reset after it). */
class Mm2PartitionState {
  private previousUpstream = -1;
  private previousDownstream = -1;
  private lastSyncDownstream = -1;
  constructor(private readonly maxOffsetLag: number) {}
  update(upstream: number, downstream: number): boolean {
    const emit = this.lastSyncDownstream === -1
      || downstream - (this.lastSyncDownstream + 1) >= this.maxOffsetLag
      || upstream - this.previousUpstream !== 1
      || downstream < this.previousDownstream;
    if (emit) this.lastSyncDownstream = downstream;
    this.previousUpstream = upstream;
    this.previousDownstream = downstream;
    return emit;
  }
}

const batch = (upstreamOffset: number, downstreamOffset: number, recordCount: number, lastUpstreamOffset = upstreamOffset + recordCount - 1) => ({
  upstreamOffset, lastUpstreamOffset, downstreamOffset, lastDownstreamOffset: downstreamOffset + recordCount - 1, recordCount,
});

test('the first record is synced; a contiguous run is synced every offset.lag.max + 1 records; the rest waits for the flush', () => {
  const rules = new PartitionSyncRules(100);
  assert.deepEqual(rules.onBatch(batch(0, 0, 1)), [{ upstream: 0, downstream: 0 }]);
  assert.equal(rules.takePending(), undefined, 'the last record is synced already');
  assert.deepEqual(rules.onBatch(batch(1, 1, 250)), [{ upstream: 101, downstream: 101 }, { upstream: 202, downstream: 202 }]);
  assert.deepEqual(rules.takePending(), { upstream: 250, downstream: 250 });
  assert.equal(rules.takePending(), undefined);
});

test('a skip upstream, a rewind downstream and holes inside a re-encoded batch each call for a sync', () => {
  const rules = new PartitionSyncRules(100);
  rules.onBatch(batch(0, 0, 10));
  assert.deepEqual(rules.onBatch(batch(12, 10, 5)), [{ upstream: 12, downstream: 10 }], 'upstream skipped 10 and 11');
  assert.deepEqual(rules.onBatch(batch(17, 3, 2)), [{ upstream: 17, downstream: 3 }], 'the remote partition went back');
  assert.deepEqual(rules.onBatch(batch(19, 5, 3, 30)), [{ upstream: 30, downstream: 7 }], 'holes inside: the last record is synced');
});

test('offset.lag.max = 0 syncs every record (MM2\'s testOneWayReplicationWithFrequentOffsetSyncs)', () => {
  const rules = new PartitionSyncRules(0);
  assert.deepEqual(rules.onBatch(batch(5, 0, 4)).map((s) => s.upstream), [5, 6, 7, 8]);
});

test('a sync that could not be written is pending again only while it is the newest position', () => {
  const rules = new PartitionSyncRules(100);
  rules.onBatch(batch(0, 0, 5));
  const pending = rules.takePending()!;
  rules.restorePending(pending);
  assert.deepEqual(rules.takePending(), pending);
  rules.onBatch(batch(5, 5, 1));
  rules.restorePending(pending);
  assert.deepEqual(rules.takePending(), { upstream: 5, downstream: 5 }, 'the older position is not brought back');
});

test('property: over contiguous batches the rules emit exactly the syncs MM2\'s record-by-record PartitionState does', () => {
  assertProperty(fc.property(
    fc.integer({ min: 0, max: 150 }),
    fc.array(fc.record({ size: fc.integer({ min: 1, max: 80 }), skip: fc.integer({ min: 0, max: 3 }), rewind: fc.boolean() }), { minLength: 1, maxLength: 40 }),
    (maxOffsetLag, batches) => {
      const ours = new PartitionSyncRules(maxOffsetLag);
      const mm2 = new Mm2PartitionState(maxOffsetLag);
      let upstream = 0;
      let downstream = 0;
      const expected: SyncPoint[] = [];
      const actual: SyncPoint[] = [];
      for (const b of batches) {
        upstream += b.skip;
        if (b.rewind) downstream = Math.max(0, downstream - 7);
        actual.push(...ours.onBatch(batch(upstream, downstream, b.size)));
        for (let i = 0; i < b.size; i++) if (mm2.update(upstream + i, downstream + i)) expected.push({ upstream: upstream + i, downstream: downstream + i });
        upstream += b.size;
        downstream += b.size;
      }
      assert.deepEqual(actual, expected);
    },
  ));
});

test('property: syncs of one writer lifetime never go back, and every batch\'s last record is synced or pending', () => {
  assertProperty(fc.property(mirrorPlanArb({ restarts: false }), (plan) => {
    const history = runMirror(plan);
    for (let i = 1; i < history.syncs.length; i++) {
      assert.ok(history.syncs[i]!.upstream > history.syncs[i - 1]!.upstream, `upstream ascends at sync ${i}`);
      assert.ok(history.syncs[i]!.downstream > history.syncs[i - 1]!.downstream, `downstream ascends at sync ${i}`);
    }
    if (history.target.length > 0) {
      const last = history.syncs[history.syncs.length - 1]!;
      assert.deepEqual(last, { upstream: history.target[history.target.length - 1], downstream: history.target.length - 1 }, 'the final flush syncs the newest position');
    }
    for (const sync of history.syncs) assert.equal(history.target[sync.downstream], sync.upstream, 'a sync names where the record is');
  }));
});

test('history levels are the ctz of the sync number: level L recurs every 2^(L+1) syncs', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 12, 1024].map(historyLevel), [0, 1, 0, 2, 0, 1, 0, 3, 2, 10]);
  assert.equal(historyLevel(2 ** 40), 31, 'capped');
});
