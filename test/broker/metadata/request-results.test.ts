// The image's table of forwarded-write answers: filled by RequestResult records, bounded by entries,
// items and age (all decided by the records, so every node replaying the log has the same table),
// and carried whole through snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MetadataImage, MetadataSnapshotError, REQUEST_RESULTS_MAX_AGE_MS, REQUEST_RESULTS_MAX_ENTRIES, REQUEST_RESULTS_MAX_ITEMS,
  metadataRecord, type AppliedRecord,
} from '../../../broker/metadata/index.js';

const T0 = 1_700_000_000_000;

function answer(requestId: string, timestamp: number, items = 1): AppliedRecord['record'] {
  return metadataRecord('RequestResult', {
    requestId, operation: 'createTopics', timestamp,
    results: Array.from({ length: items }, (_, i) => ({ name: `${requestId}-${i}`, errorCode: 0, errorMessage: '' })),
  });
}

function applied(records: AppliedRecord['record'][], from = MetadataImage.EMPTY): MetadataImage {
  let offset = from.highestOffset;
  return from.applyAll(records.map((record) => ({ record, offset: ++offset })));
}

test('answers are found by request id, newest last, and survive a snapshot byte for byte', () => {
  const image = applied([answer('a', T0), answer('b', T0 + 5, 3)]);
  assert.deepEqual(image.requestResult('a'), {
    requestId: 'a', operation: 'createTopics', timestamp: T0, offset: 0, results: [{ name: 'a-0', errorCode: 0, errorMessage: '' }],
  });
  assert.equal(image.requestResult('b')!.results.length, 3);
  assert.equal(image.requestResult('c'), undefined);
  const restored = MetadataImage.fromSnapshot(image.toSnapshot());
  assert.deepEqual(restored.requestResults(), image.requestResults());
  assert.deepEqual(restored.toSnapshot(), image.toSnapshot());
  // A restored image goes on bounding exactly as the original (replay and snapshot agree).
  const later = [answer('c', T0 + REQUEST_RESULTS_MAX_AGE_MS + 1)];
  assert.deepEqual(applied(later, restored).toSnapshot(), applied(later, image).toSnapshot());
  assert.deepEqual(applied(later, image).requestResults().map((r) => r.requestId), ['b', 'c']);
  // An image without answers writes no table: older snapshots keep their bytes.
  assert.equal(JSON.parse(MetadataImage.EMPTY.toSnapshot().toString()).requestResults, undefined);
  assert.ok(Object.isFrozen(image.requestResult('a')!) && Object.isFrozen(image.requestResult('a')!.results[0]));
});

test('the table is bounded by entries, by items and by age, oldest out first', () => {
  const many = applied(Array.from({ length: REQUEST_RESULTS_MAX_ENTRIES + 5 }, (_, i) => answer(`r${i}`, T0 + i)));
  const ids = many.requestResults().map((r) => r.requestId);
  assert.equal(ids.length, REQUEST_RESULTS_MAX_ENTRIES);
  assert.equal(ids[0], 'r5');
  assert.equal(ids.at(-1), `r${REQUEST_RESULTS_MAX_ENTRIES + 4}`);

  const half = REQUEST_RESULTS_MAX_ITEMS / 2;
  const big = applied([answer('x', T0, half), answer('y', T0, half), answer('z', T0, 1)]);
  assert.deepEqual(big.requestResults().map((r) => r.requestId), ['y', 'z']);
  // One answer larger than the bound is still kept: it is the one its retry needs.
  const huge = applied([answer('huge', T0, REQUEST_RESULTS_MAX_ITEMS + 1)], big);
  assert.deepEqual(huge.requestResults().map((r) => r.requestId), ['huge']);

  const aged = applied([answer('old', T0), answer('mid', T0 + REQUEST_RESULTS_MAX_AGE_MS), answer('new', T0 + REQUEST_RESULTS_MAX_AGE_MS + 1)]);
  assert.deepEqual(aged.requestResults().map((r) => r.requestId), ['mid', 'new']);
  // A controller whose clock is behind forgets nothing newer than its own horizon.
  assert.deepEqual(applied([answer('behind', T0)], aged).requestResults().map((r) => r.requestId), ['mid', 'new', 'behind']);
});

test('a request decided again after its answer was forgotten replaces the entry as the newest', () => {
  const image = applied([answer('a', T0), answer('b', T0 + 1), answer('a', T0 + 2, 2)]);
  assert.deepEqual(image.requestResults().map((r) => [r.requestId, r.results.length]), [['b', 1], ['a', 2]]);
});

test('a snapshot with a malformed answer table is refused by name', () => {
  const doc = JSON.parse(applied([answer('a', T0), answer('b', T0 + 1)]).toSnapshot().toString()) as Record<string, unknown>;
  const table = doc.requestResults as Record<string, unknown>[];
  const variants: unknown[] = [
    { ...doc, requestResults: 'x' },
    { ...doc, requestResults: [table[0], table[0]] },
    { ...doc, requestResults: [table[1], table[0]] },
    { ...doc, requestResults: [{ ...table[0], requestId: 'has space' }] },
    { ...doc, requestResults: [{ ...table[0], offset: (doc.highestOffset as number) + 1 }] },
    { ...doc, requestResults: [{ ...table[0], results: [1] }] },
    { ...doc, requestResults: [{ ...table[0], extra: 1 }] },
    { ...doc, requestResults: [{ ...table[0], timestamp: -1 }] },
  ];
  for (const v of variants) {
    assert.throws(() => MetadataImage.fromSnapshot(Buffer.from(JSON.stringify(v))), MetadataSnapshotError, JSON.stringify(v).slice(0, 300));
  }
});
