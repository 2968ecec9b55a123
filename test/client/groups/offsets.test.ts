// The wire shapes of committed offsets: partitions grouped by topic and back, per-partition errors as one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { byTopic, fromTopics, partitionErrors } from '../../../client/groups/offsets.js';
import { ErrorCode } from '../../../client/errors.js';

test('byTopic groups in first-seen order and fromTopics flattens back', () => {
  const tps = [{ topic: 'b', partition: 1 }, { topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }];
  assert.deepEqual(byTopic(tps), [{ topic: 'b', partitions: [1, 0] }, { topic: 'a', partitions: [0] }]);
  fc.assert(fc.property(fc.array(fc.record({ topic: fc.constantFrom('a', 'b', 'c'), partition: fc.nat(50) })), (list) => {
    const back = fromTopics(byTopic(list));
    const key = (x: { topic: string; partition: number }) => `${x.topic}/${x.partition}`;
    assert.deepEqual(back.map(key).sort(), list.map(key).sort());
  }));
});

test('partition errors become one error naming each failed partition, with the first code', () => {
  assert.equal(partitionErrors('commit', [{ name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.NONE, errorMessage: '' }] }]), undefined);
  const err = partitionErrors('commit', [
    { name: 't', partitions: [{ partition: 0, errorCode: ErrorCode.NONE, errorMessage: '' }, { partition: 1, errorCode: ErrorCode.STALE_MEMBER_EPOCH, errorMessage: 'epoch 3' }] },
    { name: 'u', partitions: [{ partition: 2, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: '' }] },
  ])!;
  assert.equal(err.code, ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal(err.message, 'commit failed for 2 partition(s): t-1: STALE_MEMBER_EPOCH (epoch 3); u-2: UNKNOWN_TOPIC_OR_PARTITION');
});
