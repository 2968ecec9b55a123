import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  VarintReader,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../client/records/varint.js';

function isCorrupt(err: unknown): boolean {
  return err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE;
}

test('varints match the bytes of Kafka ByteUtils.writeVarint', () => {
  // zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -64 -> 127, 64 -> 128 (two bytes), int32 min -> 0xffffffff.
  const cases: Array<[number, number[]]> = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [value, bytes] of cases) {
    const buf = Buffer.alloc(10);
    const end = writeVarint(buf, value, 0);
    assert.deepEqual([...buf.subarray(0, end)], bytes, `varint ${value}`);
    assert.equal(sizeOfVarint(value), bytes.length);
    const reader = new VarintReader(buf, 0, end);
    assert.equal(reader.readVarint(), value);
    assert.equal(reader.pos, end);
  }
});

test('varlongs beyond 32 bits match Kafka ByteUtils.writeVarlong', () => {
  const cases: Array<[number, number[]]> = [
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [-(2 ** 31) - 1, [0x81, 0x80, 0x80, 0x80, 0x10]],
    [1479847795000, [0xf0, 0xe4, 0xea, 0xdc, 0x91, 0x56]],
    [-(2 ** 52) - 1, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]],
    [2 ** 52 + 1, [0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]],
    [Number.MAX_SAFE_INTEGER, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]],
    [Number.MIN_SAFE_INTEGER, [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]],
  ];
  for (const [value, bytes] of cases) {
    const buf = Buffer.alloc(12);
    const end = writeVarlong(buf, value, 0);
    assert.deepEqual([...buf.subarray(0, end)], bytes, `varlong ${value}`);
    assert.equal(sizeOfVarlong(value), bytes.length);
    const reader = new VarintReader(buf, 0, end);
    assert.equal(reader.readVarlong(), value);
  }
});

test('any int32 and any safe integer round-trip, sizes agree with the bytes written', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.maxSafeInteger(), (i, l) => {
      const buf = Buffer.alloc(20);
      const mid = writeVarint(buf, i, 0);
      const end = writeVarlong(buf, l, mid);
      assert.equal(mid, sizeOfVarint(i));
      assert.equal(end - mid, sizeOfVarlong(l));
      const reader = new VarintReader(buf, 0, end);
      assert.equal(reader.readVarint(), i);
      assert.equal(reader.readVarlong(), l);
      assert.equal(reader.pos, end);
    }),
    { numRuns: 2000 },
  );
});

test('a varint running past its range, or longer than Kafka allows, is CORRUPT_MESSAGE', () => {
  const cut = new VarintReader(Buffer.from([0x80, 0x80]), 0, 2);
  assert.throws(() => cut.readVarint(), isCorrupt);
  const tooLong = new VarintReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0, 6);
  assert.throws(() => tooLong.readVarint(), isCorrupt);
  const longVarlong = new VarintReader(Buffer.alloc(11, 0x80), 0, 11);
  assert.throws(() => longVarlong.readVarlong(), isCorrupt);
  // zigzag 2^54 is 2^53 in value: one past the safe range.
  const huge = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  assert.throws(() => new VarintReader(huge, 0, huge.length).readVarlong(), isCorrupt);
  const tenBytes = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.throws(() => new VarintReader(tenBytes, 0, tenBytes.length).readVarlong(), isCorrupt);
  // The range end counts, not the buffer's end.
  assert.throws(() => new VarintReader(Buffer.from([0x02, 0x02]), 1, 1).readVarint(), isCorrupt);
});
