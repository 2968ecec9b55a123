import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { assignReplicas, rackAlternatedBrokers, seededRandom, type PlacementBroker } from '../../../broker/controller/index.js';

const brokersOf = (n: number, racks?: number): PlacementBroker[] =>
  Array.from({ length: n }, (_, i) => (racks === undefined ? { brokerId: 10 + i * 3 } : { brokerId: 10 + i * 3, rack: `r${i % racks}` }));

function leaderCounts(assignment: number[][], brokers: readonly PlacementBroker[]): number[] {
  return brokers.map((b) => assignment.filter((r) => r[0] === b.brokerId).length);
}

test('every partition gets RF distinct registered replicas and leaders spread evenly', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.integer(), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    (brokerCount, partitions, rfWanted, seed, racks) => {
      const brokers = brokersOf(brokerCount, racks);
      const rf = Math.min(rfWanted, brokerCount);
      const assignment = assignReplicas(brokers, partitions, rf, { random: seededRandom(seed) });
      assert.equal(assignment.length, partitions);
      const ids = new Set(brokers.map((b) => b.brokerId));
      for (const replicas of assignment) {
        assert.equal(replicas.length, rf);
        assert.equal(new Set(replicas).size, rf);
        assert.ok(replicas.every((id) => ids.has(id)));
      }
      const counts = leaderCounts(assignment, brokers);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `leaders per broker ${counts}`);
      assert.ok(Math.min(...counts) === Math.floor(partitions / brokerCount));
    },
  ), { numRuns: 500 });
});

test('rack-aware placement puts the replicas of a partition on distinct racks when racks >= RF', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer(),
    (racks, extra, partitions, seed) => {
      const brokers = brokersOf(racks + extra, racks);
      const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
      for (let rf = 1; rf <= racks; rf++) {
        for (const replicas of assignReplicas(brokers, partitions, rf, { random: seededRandom(seed) })) {
          assert.equal(new Set(replicas.map((id) => rackOf.get(id))).size, rf, `replicas ${replicas} over racks`);
        }
      }
    },
  ), { numRuns: 300 });
});

test('with fewer racks than RF every rack still holds a replica', () => {
  const brokers = brokersOf(6, 2);
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
  for (const replicas of assignReplicas(brokers, 30, 3, { random: seededRandom(5) })) {
    assert.equal(new Set(replicas.map((id) => rackOf.get(id))).size, 2);
    assert.equal(new Set(replicas).size, 3);
  }
});

test('placement is deterministic for a seed and varies with it', () => {
  const brokers = brokersOf(5);
  const a = assignReplicas(brokers, 20, 3, { random: seededRandom(42) });
  assert.deepEqual(assignReplicas(brokers, 20, 3, { random: seededRandom(42) }), a);
  const others = [1, 2, 3, 4, 5, 6, 7, 8].map((s) => JSON.stringify(assignReplicas(brokers, 20, 3, { random: seededRandom(s) })));
  assert.ok(others.some((o) => o !== JSON.stringify(a)));
});

test("Kafka's rack-unaware layout for a fixed start index", () => {
  // AdminUtilsTest: brokers 0..4, 10 partitions, RF 3, fixedStartIndex 0.
  const brokers = [0, 1, 2, 3, 4].map((brokerId) => ({ brokerId }));
  const expected = [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1], [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
  ];
  assert.deepEqual(assignReplicas(brokers, 10, 3, { random: () => 0.5, fixedStartIndex: 0 }), expected);
  // Growing from partition 10: leaders go on round the brokers; as in Kafka, a fixed start index
  // also fixes the initial shift, which grows once at partition 10.
  assert.deepEqual(assignReplicas(brokers, 5, 3, { random: () => 0.5, fixedStartIndex: 0, startPartitionId: 10 }),
    [[0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2]]);
});

test('the rack-alternated broker list takes one broker of each rack in turn', () => {
  const brokers = [
    { brokerId: 0, rack: 'rack1' }, { brokerId: 1, rack: 'rack3' }, { brokerId: 2, rack: 'rack3' },
    { brokerId: 3, rack: 'rack2' }, { brokerId: 4, rack: 'rack2' }, { brokerId: 5, rack: 'rack1' },
  ];
  assert.deepEqual(rackAlternatedBrokers(brokers), [0, 3, 1, 5, 4, 2]);
});

test('replication factors outside 1..brokers are refused', () => {
  const brokers = brokersOf(3);
  for (const rf of [0, -1, 4, 1.5]) {
    assert.throws(() => assignReplicas(brokers, 3, rf, { random: Math.random }),
      (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REPLICATION_FACTOR);
  }
  assert.throws(() => assignReplicas([], 1, 1, { random: Math.random }),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REPLICATION_FACTOR);
});
