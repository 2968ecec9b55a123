// Where a partition without a position starts when the consumer has a group: the committed offset;
// a lookup that cannot be made now leaves it for a later poll (never a reset); a position that fell
// out of the log is reset by policy, not to the committed offset again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePositions } from '../../../client/consumer/positions.js';
import { parseConsumerConfig } from '../../../client/consumer/consumer-config.js';
import { PartitionState } from '../../../client/consumer/partition-state.js';
import { Cluster } from '../../../client/cluster/cluster.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

// auto.offset.reset=none: a reset would throw, so any test that reaches one shows it.
const config = parseConsumerConfig({ 'bootstrap.servers': '127.0.0.1:1', 'group.id': 'g', 'auto.offset.reset': 'none' });
const cluster = new Cluster(config);
test.after(() => cluster.close());

test('committed offsets become positions, with their leader epoch', async () => {
  const a = new PartitionState('t', 0);
  const b = new PartitionState('t', 1);
  const asked: string[] = [];
  await resolvePositions([a, b], cluster, config, async (tps) => {
    asked.push(...tps.map((tp) => `${tp.topic}-${tp.partition}`));
    return tps.map((tp) => ({ ...tp, offset: 40 + tp.partition, leaderEpoch: 3, metadata: '' }));
  });
  assert.deepEqual(asked, ['t-0', 't-1']);
  assert.deepEqual([a.position, a.consumed, a.consumedLeaderEpoch, b.position], [40, 40, 3, 41]);
});

test('a lookup that cannot be made now leaves the positions unset, without a reset', async () => {
  const a = new PartitionState('t', 0);
  await resolvePositions([a], cluster, config, async () => undefined);
  assert.equal(a.position, undefined);
});

test('no committed offset: auto.offset.reset decides (none: OFFSET_OUT_OF_RANGE)', async () => {
  const a = new PartitionState('t', 0);
  await assert.rejects(
    resolvePositions([a], cluster, config, async (tps) => tps.map((tp) => ({ ...tp, offset: -1, leaderEpoch: -1, metadata: '' }))),
    (e: StraitError) => e.code === ErrorCode.OFFSET_OUT_OF_RANGE,
  );
});

test('a seek while the lookup was out wins; a detached partition is left alone', async () => {
  const a = new PartitionState('t', 0);
  const b = new PartitionState('t', 1);
  await resolvePositions([a, b], cluster, config, async (tps) => {
    a.seek(7);
    b.detached = true;
    return tps.map((tp) => ({ ...tp, offset: 100, leaderEpoch: 0, metadata: '' }));
  });
  assert.deepEqual([a.position, b.position], [7, undefined]);
});

test('after OFFSET_OUT_OF_RANGE the committed offset is not asked for again', async () => {
  const a = new PartitionState('t', 0);
  a.resetByPolicy = true;
  let asked = false;
  await assert.rejects(resolvePositions([a], cluster, config, async () => {
    asked = true;
    return [];
  }), (e: StraitError) => e.code === ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal(asked, false);
});
