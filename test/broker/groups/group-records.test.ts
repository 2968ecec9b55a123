// The __consumer_offsets record codec: round trips of both record kinds, refusal of value versions
// newer than this broker knows (UNSUPPORTED_VERSION, never a misread), unknown key types reported
// as such (a loader skips them), and bytes that do not parse refused as CORRUPT_MESSAGE only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { assignmentOf, type Assignment } from '../../../broker/groups/assignment.js';
import type { GroupMember, GroupSnapshot } from '../../../broker/groups/consumer-group.js';
import {
  GROUP_VALUE_VERSION, OFFSET_COMMIT_VALUE_VERSION, decodeGroupValue, decodeKey, decodeOffsetCommitValue, encodeGroupKey,
  encodeGroupValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
} from '../../../broker/groups/group-records.js';

const text = fc.string({ maxLength: 30 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const assignment: fc.Arbitrary<Assignment> = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.array(fc.nat({ max: 500 }), { maxLength: 8 })), { maxLength: 4 })
  .map((entries) => assignmentOf(entries));
const member: fc.Arbitrary<GroupMember> = fc.record({
  memberId: fc.string({ minLength: 1, maxLength: 20 }),
  instanceId: fc.option(text, { nil: undefined }),
  clientId: text, clientHost: text, rackId: text,
  subscribedTopicNames: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 5 }).map((a) => a.sort()),
  subscribedTopicRegex: text, serverAssignor: text,
  sessionTimeoutMs: fc.nat(), rebalanceTimeoutMs: fc.nat(), memberEpoch: int32, previousMemberEpoch: int32,
  status: fc.constantFrom('stable' as const, 'unrevoked' as const, 'unreleased' as const),
  assigned: assignment, pendingRevocation: assignment,
});
const snapshot: fc.Arbitrary<GroupSnapshot> = fc.record({
  groupEpoch: int32, assignmentEpoch: int32, subscriptionFingerprint: text,
  emptySinceMs: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  members: fc.uniqueArray(member, { selector: (m) => m.memberId, maxLength: 5 }),
  targets: fc.array(assignment, { minLength: 5, maxLength: 5 }),
}).map(({ members, targets, ...rest }) => ({
  ...rest,
  members: new Map(members.map((m) => [m.memberId, m])),
  target: new Map(members.map((m, i) => [m.memberId, targets[i]!])),
}));

test('keys round-trip; an unknown key type is reported, not guessed at', () => {
  fc.assert(fc.property(text, text, fc.nat({ max: 2 ** 31 - 1 }), (group, topic, partition) => {
    assert.deepEqual(decodeKey(encodeOffsetCommitKey(group, topic, partition)), { type: 'offset', group, topic, partition });
    assert.deepEqual(decodeKey(encodeGroupKey(group)), { type: 'group', group });
  }));
  const future = Buffer.from([0x00, 0x09, 0xde, 0xad]);
  assert.deepEqual(decodeKey(future), { type: 'unknown', keyType: 9 });
});

test('offset commit values round-trip', () => {
  fc.assert(fc.property(fc.record({
    offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), leaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    metadata: fc.string({ maxLength: 200 }), commitTimestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  }), (v) => {
    assert.deepEqual(decodeOffsetCommitValue(encodeOffsetCommitValue(v)), { ...v });
  }));
});

test('group values round-trip: epochs, members with their subscriptions and assignments, targets', () => {
  fc.assert(fc.property(snapshot, (s) => {
    const back = decodeGroupValue(encodeGroupValue(s));
    assert.equal(back.groupEpoch, s.groupEpoch);
    assert.equal(back.assignmentEpoch, s.assignmentEpoch);
    assert.equal(back.subscriptionFingerprint, s.subscriptionFingerprint);
    assert.equal(back.emptySinceMs, s.emptySinceMs);
    assert.deepEqual([...back.members].map(([id, m]) => [id, { ...m }]), [...s.members].map(([id, m]) => [id, { ...m }]));
    assert.deepEqual([...back.target], [...s.target]);
  }));
});

test('a value version newer than this broker reads is refused with UNSUPPORTED_VERSION', () => {
  const offset = encodeOffsetCommitValue({ offset: 5, leaderEpoch: -1, metadata: '', commitTimestampMs: 1 });
  offset.writeInt16BE(OFFSET_COMMIT_VALUE_VERSION + 1, 0);
  assert.throws(() => decodeOffsetCommitValue(offset), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.UNSUPPORTED_VERSION);
  const group = encodeGroupValue({ groupEpoch: 1, assignmentEpoch: 1, subscriptionFingerprint: '', emptySinceMs: undefined, members: new Map(), target: new Map() });
  group.writeInt16BE(GROUP_VALUE_VERSION + 1, 0);
  assert.throws(() => decodeGroupValue(group), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.UNSUPPORTED_VERSION);
  group.writeInt16BE(0, 0);
  assert.throws(() => decodeGroupValue(group), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE);
});

test('truncated, extended and random bytes are CORRUPT_MESSAGE (or a version refusal), never another throw', () => {
  const value = encodeOffsetCommitValue({ offset: 7, leaderEpoch: 3, metadata: 'meta', commitTimestampMs: 99 });
  for (let cut = 0; cut < value.length; cut++) {
    assert.throws(() => decodeOffsetCommitValue(value.subarray(0, cut)), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE);
  }
  assert.throws(() => decodeOffsetCommitValue(Buffer.concat([value, Buffer.from([0])])), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE);
  const known = new Set<number>([ErrorCode.CORRUPT_MESSAGE, ErrorCode.UNSUPPORTED_VERSION]);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
    const buf = Buffer.from(bytes);
    for (const decode of [decodeKey, decodeOffsetCommitValue, decodeGroupValue] as ((b: Buffer) => unknown)[]) {
      try {
        decode(buf);
      } catch (err) {
        assert.ok(err instanceof StraitError && known.has(err.code), `unexpected ${String(err)}`);
      }
    }
  }));
});
