import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode } from '../../../client/index.js';
import {
  decodeCheckpoint, decodeHeartbeat, decodeOffsetSync, encodeCheckpointKey, encodeCheckpointValue, encodeHeartbeatKey, encodeHeartbeatValue,
  encodeOffsetSyncKey, encodeOffsetSyncValue, MalformedRecordError,
} from '../../../mirror/offsets/internal-records.js';
import { assertProperty } from '../policy/policy-arbitraries.js';

const offsetArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

test('property: offset syncs, checkpoints and heartbeats decode to what was encoded', () => {
  assertProperty(fc.property(fc.string(), fc.string(), fc.nat(100_000), offsetArb, offsetArb, fc.nat(31), (name, other, partition, a, b, level) => {
    const sync = { topic: name, partition, upstream: a, downstream: b };
    assert.deepEqual(decodeOffsetSync(encodeOffsetSyncKey(name, partition, level), encodeOffsetSyncValue(sync)), sync);
    const checkpoint = { group: other, topic: name, partition, upstream: a, downstream: b, metadata: other };
    assert.deepEqual(decodeCheckpoint(encodeCheckpointKey(checkpoint), encodeCheckpointValue(checkpoint)), checkpoint);
    const heartbeat = { source: name, target: other, timestampMs: a };
    assert.deepEqual(decodeHeartbeat(encodeHeartbeatKey(heartbeat), encodeHeartbeatValue(heartbeat)), heartbeat);
  }));
});

test('keys are the same bytes for the same fields, whatever the value (compaction keeps one record per key)', () => {
  assert.deepEqual(encodeCheckpointKey({ group: 'g', topic: 'A.t', partition: 3 }), encodeCheckpointKey({ partition: 3, topic: 'A.t', group: 'g' }));
  assert.equal(encodeOffsetSyncKey('t', 0, 2).toString(), '{"v":1,"topic":"t","partition":0,"level":2}');
});

test('bytes that are not a record of this format are a MalformedRecordError (INVALID_RECORD), never a crash', () => {
  const good = encodeOffsetSyncValue({ topic: 't', partition: 0, upstream: 1, downstream: 2 });
  const key = encodeOffsetSyncKey('t', 0, 0);
  const cases: [string, Buffer | null, Buffer | null][] = [
    ['null key', null, good],
    ['null value (a tombstone)', key, null],
    ['not JSON', Buffer.from([0xff, 0x00, 0x01]), good],
    ['an array', Buffer.from('[1,2]'), good],
    ['another version', Buffer.from('{"v":2,"topic":"t","partition":0}'), good],
    ['a negative offset', key, Buffer.from('{"v":1,"upstream":-1,"downstream":2}')],
    ['a fractional offset', key, Buffer.from('{"v":1,"upstream":1.5,"downstream":2}')],
    ['an offset past 2^53', key, Buffer.from('{"v":1,"upstream":9007199254740993,"downstream":2}')],
    ['a missing field', key, Buffer.from('{"v":1,"upstream":1}')],
    ['a number for a name', Buffer.from('{"v":1,"topic":5,"partition":0}'), good],
  ];
  for (const [what, k, v] of cases) {
    assert.throws(() => decodeOffsetSync(k, v), (err: unknown) => err instanceof MalformedRecordError && err.code === ErrorCode.INVALID_RECORD, what);
  }
  assert.throws(() => decodeHeartbeat(Buffer.from('{"v":1,"source":"A"}'), Buffer.from('{"v":1,"timestamp":1}')), MalformedRecordError);
  assert.throws(() => decodeCheckpoint(encodeCheckpointKey({ group: 'g', topic: 't', partition: 0 }), Buffer.from('{"v":1,"upstream":1,"downstream":1}')), MalformedRecordError);
});
