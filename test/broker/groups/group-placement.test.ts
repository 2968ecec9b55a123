// Coordinator placement: Java's String.hashCode and Kafka's Utils.abs, so a group maps to the same
// __consumer_offsets partition here as in Kafka. The expected values are worked out by hand from
// Java's rule h = 31·h + c over UTF-16 code units with int32 overflow (shown in the comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { javaStringHashCode, kafkaAbs, partitionForGroup } from '../../../broker/groups/group-placement.js';

test('Java String.hashCode, values worked by hand', () => {
  assert.equal(javaStringHashCode(''), 0);
  // 'a' = 97
  assert.equal(javaStringHashCode('a'), 97);
  // 97·31 + 98 = 3105; 3105·31 + 99 = 96354
  assert.equal(javaStringHashCode('abc'), 96354);
  // 104 -> 104·31+101 = 3325 -> 3325·31+108 = 103183 -> 103183·31+108 = 3198781 -> 3198781·31+111 = 99162322
  assert.equal(javaStringHashCode('hello'), 99162322);
  // The classic collision: 'A'·31 + 'a' = 65·31 + 97 = 2112 = 66·31 + 66 = 'B'·31 + 'B'
  assert.equal(javaStringHashCode('Aa'), 2112);
  assert.equal(javaStringHashCode('BB'), 2112);
  // Non-ASCII: 'é' is one UTF-16 unit, 233.
  assert.equal(javaStringHashCode('é'), 233);
  // An emoji is two UTF-16 units (a surrogate pair), not one code point: 0xD83D·31 + 0xDE00 = 55357·31 + 56832 = 1772899
  assert.equal(javaStringHashCode('😀'), 1772899);
  // Overflow: 'hellohello' = 99162322·31^5 + 99162322 mod 2^32, as a signed int:
  // 31^5 = 28629151; 99162322·28629151 = 2838932009289422 ... mod 2^32 (worked with exact integers below).
  assert.equal(javaStringHashCode('hellohello'), referenceHash('hellohello'));
  // The famous string whose hashCode is Integer.MIN_VALUE (-2^31).
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
});

test('Kafka\'s Utils.abs maps Integer.MIN_VALUE to 0; placement uses it', () => {
  assert.equal(kafkaAbs(-5), 5);
  assert.equal(kafkaAbs(-2147483648), 0);
  // 'polygenelubricants' lands on partition 0 whatever the count (Math.abs would give a negative index).
  assert.equal(partitionForGroup('polygenelubricants', 50), 0);
  // 96354 % 50 = 4; 99162322 % 50 = 22; 2112 % 50 = 12
  assert.equal(partitionForGroup('abc', 50), 4);
  assert.equal(partitionForGroup('hello', 50), 22);
  assert.equal(partitionForGroup('Aa', 50), 12);
  assert.equal(partitionForGroup('BB', 50), 12);
  // A negative hash: 'polygenelubricantsa' = MIN_VALUE·31 + 97 = -2^31·31 + 97 ≡ -2^31 + 97 (mod 2^32) = -2147483551
  assert.equal(javaStringHashCode('polygenelubricantsa'), -2147483551);
  assert.equal(partitionForGroup('polygenelubricantsa', 50), 2147483551 % 50);
});

/** Java's definition with exact integers: sum of s[i]·31^(n-1-i), reduced to a signed 32-bit int. */
function referenceHash(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
  return Number(BigInt.asIntN(32, h));
}

test('the hash equals Java\'s definition computed with exact integers, for any string', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
    assert.equal(javaStringHashCode(s), referenceHash(s));
    const p = partitionForGroup(s, 50);
    assert.ok(Number.isInteger(p) && p >= 0 && p < 50);
  }));
});
