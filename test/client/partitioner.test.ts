import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Murmur2Partitioner,
  RoundRobinPartitioner,
  StickyPartitioner,
  createPartitioner,
  murmur2,
  partitionForKey,
  toPositive,
} from '../../client/partitioner.js';

// Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java),
// plus the empty key and a binary key that Go clients checked against the Java client.
const VECTORS: Array<[Buffer, number]> = [
  [Buffer.from('21'), -973932308],
  [Buffer.from('foobar'), -790332482],
  [Buffer.from('a-little-bit-long-string'), -985981536],
  [Buffer.from('a-little-bit-longer-string'), -1486304829],
  [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
  [Buffer.from('abc'), 479470107],
  [Buffer.from([12, 42, 56, 24, 109, 111]), 274204207],
  [Buffer.alloc(0), 275646681],
];

test('murmur2 gives the Java client\'s values', () => {
  for (const [key, hash] of VECTORS) assert.equal(murmur2(key), hash, key.toString());
});

test('partitionForKey is toPositive(murmur2) % n and always in range', () => {
  assert.equal(toPositive(-790332482), 1357151166);
  assert.equal(partitionForKey(Buffer.from('foobar'), 10), 6);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
      const p = partitionForKey(Buffer.from(key), n);
      assert.ok(Number.isInteger(p) && p >= 0 && p < n);
      assert.equal(p, toPositive(murmur2(Buffer.from(key))) % n);
    }),
  );
  assert.throws(() => partitionForKey(Buffer.from('k'), 0), RangeError);
});

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test('sticky: keyless records stick to one partition until its batch completes', () => {
  const partitioner = new StickyPartitioner(sequence([3, 3, 3, 5, 1]));
  const first = partitioner.partition('t', null, 6);
  assert.equal(first, 3);
  for (let i = 0; i < 50; i++) assert.equal(partitioner.partition('t', null, 6), 3);
  // A completed batch of another partition does not move us.
  partitioner.onNewBatch('t', 0, 6);
  assert.equal(partitioner.partition('t', null, 6), 3);
  // Ours does, to a different partition (the draws of 3 are skipped).
  partitioner.onNewBatch('t', 3, 6);
  const next = partitioner.partition('t', null, 6);
  assert.equal(next, 5);
  for (let i = 0; i < 10; i++) assert.equal(partitioner.partition('t', null, 6), 5);
  // Topics stick independently; keyed records use murmur2.
  assert.equal(partitioner.partition('other', null, 6), 1);
  assert.equal(partitioner.partition('t', Buffer.from('foobar'), 6), partitionForKey(Buffer.from('foobar'), 6));
});

test('sticky: moves on even with a random source stuck on one value, and one partition stays put', () => {
  const stuck = new StickyPartitioner(() => 2);
  assert.equal(stuck.partition('t', null, 4), 2);
  stuck.onNewBatch('t', 2, 4);
  assert.notEqual(stuck.partition('t', null, 4), 2);
  const single = new StickyPartitioner();
  assert.equal(single.partition('t', null, 1), 0);
  single.onNewBatch('t', 0, 1);
  assert.equal(single.partition('t', null, 1), 0);
  // A partition count that shrank below the sticky choice forces a new one in range.
  const shrink = new StickyPartitioner(sequence([7, 1]));
  assert.equal(shrink.partition('t', null, 8), 7);
  assert.equal(shrink.partition('t', null, 4), 1);
});

test('sticky with the default random source spreads batches over all partitions', () => {
  const partitioner = createPartitioner('sticky');
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const p = partitioner.partition('t', null, 4);
    seen.add(p);
    partitioner.onNewBatch('t', p, 4);
  }
  assert.equal(seen.size, 4);
});

test('round-robin cycles keyless records through every partition; keyed records go by murmur2', () => {
  const partitioner = new RoundRobinPartitioner();
  const got = Array.from({ length: 9 }, () => partitioner.partition('t', null, 4));
  assert.deepEqual(got, [0, 1, 2, 3, 0, 1, 2, 3, 0]);
  assert.equal(partitioner.partition('t', Buffer.from('k'), 4), partitionForKey(Buffer.from('k'), 4));
  assert.equal(partitioner.partition('t', null, 4), 1, 'a keyed record does not advance the keyless turn');
  partitioner.onNewBatch('t', 0, 4);
  assert.equal(partitioner.partition('t', null, 4), 2);
  assert.equal(partitioner.partition('u', null, 4), 0);
});

test('murmur2 partitioner: keys by hash, keyless records in turn', () => {
  const partitioner = createPartitioner('murmur2');
  assert.ok(partitioner instanceof Murmur2Partitioner);
  assert.equal(partitioner.partition('t', Buffer.from('21'), 7), partitionForKey(Buffer.from('21'), 7));
  assert.deepEqual([0, 1, 2, 3].map(() => partitioner.partition('t', null, 3)), [0, 1, 2, 0]);
  assert.throws(() => createPartitioner('nope' as 'sticky'), RangeError);
  assert.ok(createPartitioner('round-robin') instanceof RoundRobinPartitioner);
});
