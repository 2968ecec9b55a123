import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  BASE_OFFSET,
  BATCH_LENGTH,
  CRC,
  CompressionType,
  LOG_OVERHEAD,
  MAGIC,
  PARTITION_LEADER_EPOCH,
  RECORD_BATCH_OVERHEAD,
  TimestampType,
  batchIsControl,
  batchIsTransactional,
  computeBatchCrc,
  readBatchHeader,
  type ConsumedRecord,
  type ProducerRecord,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  rewriteProducerFields,
  COMPRESSION_TYPES,
  compressionName,
} from '../../../client/records/index.js';
import { writeBatch } from '../../../client/records/batch-writer.js';
import { toEncodable } from '../../../client/records/record-writer.js';
import {
  GOLDEN_BASE_TIMESTAMP,
  GOLDEN_EMPTY,
  GOLDEN_GZIP,
  GOLDEN_LZ4,
  GOLDEN_RAW_SNAPPY,
  GOLDEN_UNCOMPRESSED,
} from './golden-batches.js';

function isCorrupt(err: unknown): boolean {
  return err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE;
}

function toBuffer(data: Buffer | string | null | undefined): Buffer | null {
  if (data === null || data === undefined) return null;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

const bytesArb = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const recordArb: fc.Arbitrary<ProducerRecord> = fc.record({
  key: fc.oneof(bytesArb, fc.constant(undefined)),
  value: fc.oneof(
    bytesArb,
    // A few large values: multi-byte length varints and several snappy/lz4 blocks.
    fc.integer({ min: 0, max: 70_000 }).map((n) => Buffer.alloc(n, n & 0xff)),
  ),
  headers: fc.option(
    fc.array(
      fc.record({
        key: fc.string({ unit: 'grapheme', maxLength: 12 }),
        value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a))),
      }),
      { maxLength: 4 },
    ),
    { nil: undefined },
  ),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

function assertSameRecords(decoded: ConsumedRecord[], sent: ProducerRecord[], baseOffset: number): void {
  assert.equal(decoded.length, sent.length);
  for (let i = 0; i < sent.length; i++) {
    const got = decoded[i]!;
    const want = sent[i]!;
    assert.equal(got.offset, baseOffset + i);
    assert.equal(got.timestamp, want.timestamp);
    assert.deepEqual(got.key, toBuffer(want.key));
    assert.deepEqual(got.value, toBuffer(want.value));
    assert.deepEqual(got.headers, (want.headers ?? []).map((h) => ({ key: h.key, value: h.value })));
  }
}

test('encode -> decode round-trips any records under every codec', () => {
  fc.assert(
    fc.property(
      fc.array(recordArb, { minLength: 1, maxLength: 12 }),
      fc.constantFrom(...COMPRESSION_TYPES),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      (records, compression, baseOffset, leaderEpoch) => {
        const buf = encodeRecordBatch(records, { compression, baseOffset, partitionLeaderEpoch: leaderEpoch });
        const { header, records: decoded } = decodeRecordBatch(buf);
        assert.equal(header.sizeInBytes, buf.length);
        assert.equal(header.baseOffset, baseOffset);
        assert.equal(header.recordCount, records.length);
        assert.equal(header.lastOffsetDelta, records.length - 1);
        assert.equal(header.attributes & 7, compression, compressionName(compression));
        const timestamps = records.map((r) => r.timestamp!);
        assert.equal(header.baseTimestamp, Math.min(...timestamps));
        assert.equal(header.maxTimestamp, Math.max(...timestamps));
        assertSameRecords(decoded, records, baseOffset);
        for (const r of decoded) assert.equal(r.leaderEpoch, leaderEpoch);
      },
    ),
    { numRuns: 300 },
  );
});

test('header fields sit at Kafka offsets: a hand-checked batch', () => {
  const buf = encodeRecordBatch(
    [
      { key: 'k', value: 'v', timestamp: 1_000 },
      { key: null, value: Buffer.from([1, 2]), timestamp: 990, headers: [{ key: 'h', value: null }] },
    ],
    {
      baseOffset: 0x0102030405,
      partitionLeaderEpoch: 7,
      producerId: 4242,
      producerEpoch: 3,
      baseSequence: 11,
      transactional: true,
      timestampType: TimestampType.CreateTime,
    },
  );
  // record 1: attributes 0, tsDelta 10 (zz 20), offsetDelta 0, key 'k', value 'v', no headers
  const r1 = [0, 20, 0, 2, 0x6b, 2, 0x76, 0];
  // record 2: tsDelta 0, offsetDelta 1 (zz 2), null key (zz -1 = 1), value 2 bytes, 1 header 'h' = null
  const r2 = [0, 0, 2, 1, 4, 1, 2, 2, 2, 0x68, 1];
  const records = [r1.length * 2, ...r1, r2.length * 2, ...r2];
  const expected = Buffer.alloc(RECORD_BATCH_OVERHEAD + records.length);
  expected.writeBigInt64BE(0x0102030405n, 0);
  expected.writeInt32BE(expected.length - 12, 8);
  expected.writeInt32BE(7, 12);
  expected[16] = 2;
  expected.writeInt16BE(0x10, 21); // transactional, no compression, CreateTime
  expected.writeInt32BE(1, 23);
  expected.writeBigInt64BE(990n, 27);
  expected.writeBigInt64BE(1000n, 35);
  expected.writeBigInt64BE(4242n, 43);
  expected.writeInt16BE(3, 51);
  expected.writeInt32BE(11, 53);
  expected.writeInt32BE(2, 57);
  Buffer.from(records).copy(expected, 61);
  expected.writeUInt32BE(computeBatchCrc(expected, 0, expected.length), 17);
  assert.deepEqual(buf, expected);
  const header = readBatchHeader(buf);
  assert.equal(header.producerId, 4242);
  assert.ok(batchIsTransactional(header.attributes));
  assert.ok(!batchIsControl(header.attributes));
});

test('golden: encoding sarama\'s uncompressed batch gives its exact bytes, CRC included', () => {
  const record = toEncodable(
    {
      key: Buffer.from([1, 2, 3, 4]),
      value: Buffer.from([5, 6, 7]),
      headers: [{ key: '\x08\x09\x0a', value: Buffer.from([11, 12]) }],
      timestamp: GOLDEN_BASE_TIMESTAMP + 5,
    },
    0,
    0,
  );
  const buf = writeBatch(
    {
      baseOffset: 0,
      partitionLeaderEpoch: 0,
      compression: CompressionType.None,
      timestampType: TimestampType.CreateTime,
      transactional: false,
      control: false,
      lastOffsetDelta: 0,
      baseTimestamp: GOLDEN_BASE_TIMESTAMP,
      maxTimestamp: 0,
      producerId: 0,
      producerEpoch: 0,
      baseSequence: 0,
    },
    [record],
  );
  assert.deepEqual(buf, GOLDEN_UNCOMPRESSED);
});

test('golden: sarama\'s batches decode under every codec, raw snappy blocks included', () => {
  for (const golden of [GOLDEN_UNCOMPRESSED, GOLDEN_GZIP, GOLDEN_RAW_SNAPPY, GOLDEN_LZ4]) {
    const { header, records } = decodeRecordBatch(golden);
    assert.equal(header.recordCount, 1);
    assert.equal(header.baseTimestamp, GOLDEN_BASE_TIMESTAMP);
    assert.equal(records.length, 1);
    const [r] = records;
    assert.equal(r!.offset, 0);
    assert.equal(r!.timestamp, GOLDEN_BASE_TIMESTAMP + 5);
    assert.deepEqual(r!.key, Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(r!.value, Buffer.from([5, 6, 7]));
    assert.deepEqual(r!.headers, [{ key: '\x08\x09\x0a', value: Buffer.from([11, 12]) }]);
  }
  const empty = decodeRecordBatch(GOLDEN_EMPTY);
  assert.equal(empty.header.recordCount, 0);
  assert.deepEqual(empty.records, []);
});

test('keys, values and header values are views of the batch, not copies', () => {
  const buf = encodeRecordBatch([{ key: 'key', value: 'value', headers: [{ key: 'h', value: Buffer.from('hv') }], timestamp: 1 }]);
  const [r] = decodeRecordBatch(buf).records;
  assert.equal(r!.key!.buffer, buf.buffer);
  assert.equal(r!.value!.buffer, buf.buffer);
  assert.equal(r!.headers[0]!.value!.buffer, buf.buffer);
});

test('LogAppendTime batches give every record the batch max timestamp', () => {
  const buf = encodeRecordBatch(
    [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 9 }],
    { timestampType: TimestampType.LogAppendTime },
  );
  const { records } = decodeRecordBatch(buf);
  assert.deepEqual(records.map((r) => [r.timestamp, r.timestampType]), [[9, TimestampType.LogAppendTime], [9, TimestampType.LogAppendTime]]);
});

test('records without a timestamp get the current time', () => {
  const before = Date.now();
  const { records } = decodeRecordBatch(encodeRecordBatch([{ value: 'x' }]));
  assert.ok(records[0]!.timestamp >= before && records[0]!.timestamp <= Date.now());
});

test('malformed records are refused with a named error', () => {
  const invalid = (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_RECORD;
  assert.throws(() => encodeRecordBatch([{ value: 42 as unknown as Buffer }]), invalid);
  assert.throws(() => encodeRecordBatch([{ value: 'v', headers: [{ key: 3 as unknown as string, value: null }] }]), invalid);
  const badTime = (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_TIMESTAMP;
  assert.throws(() => encodeRecordBatch([{ value: 'v', timestamp: 1.5 }]), badTime);
  assert.throws(() => encodeRecordBatch([{ value: 'v', timestamp: -3 }]), badTime);
});

const FLIP_RECORDS: ProducerRecord[] = [
  { key: 'alpha', value: 'one two three four', timestamp: 1_700_000_000_000, headers: [{ key: 'trace', value: Buffer.from('abc') }] },
  { key: null, value: Buffer.alloc(50, 9), timestamp: 1_700_000_000_123 },
  { key: 'gamma', value: null, timestamp: 1_699_999_999_999 },
];

/** What a byte flip at index i must do to decodeRecordBatch, for a batch at base offset 1000, epoch 5. */
function checkFlip(original: Buffer, index: number, mask: number): void {
  const buf = Buffer.from(original);
  buf[index]! ^= mask;
  if (index < BATCH_LENGTH) {
    // baseOffset is outside the CRC: the batch decodes with the new offset, unless that is no safe integer.
    const hi = buf.readInt32BE(BASE_OFFSET);
    const newBase = hi * 2 ** 32 + buf.readUInt32BE(BASE_OFFSET + 4);
    if (Number.isSafeInteger(newBase)) {
      const { records } = decodeRecordBatch(buf);
      assert.deepEqual(records.map((r) => r.offset), [newBase, newBase + 1, newBase + 2]);
    } else {
      assert.throws(() => decodeRecordBatch(buf), isCorrupt);
    }
  } else if (index >= PARTITION_LEADER_EPOCH && index < MAGIC) {
    const { records } = decodeRecordBatch(buf);
    const epoch = buf.readInt32BE(PARTITION_LEADER_EPOCH);
    assert.notEqual(epoch, 5);
    assert.deepEqual(records.map((r) => r.leaderEpoch), [epoch, epoch, epoch]);
    assert.deepEqual(records.map((r) => r.value), decodeRecordBatch(original).records.map((r) => r.value));
  } else {
    // batchLength, magic, CRC and everything the CRC covers.
    assert.throws(() => decodeRecordBatch(buf), isCorrupt, `flip ${mask} at byte ${index}`);
  }
}

test('every single flipped byte is caught, except in baseOffset and partitionLeaderEpoch', () => {
  for (const compression of COMPRESSION_TYPES) {
    const original = encodeRecordBatch(FLIP_RECORDS, { compression, baseOffset: 1000, partitionLeaderEpoch: 5 });
    for (let i = 0; i < original.length; i++) checkFlip(original, i, 0xff);
    fc.assert(
      fc.property(fc.nat(original.length - 1), fc.integer({ min: 1, max: 255 }), (i, mask) => checkFlip(original, i, mask)),
      { numRuns: 300 },
    );
  }
});

test('every truncation is caught; decodeRecordBatches ignores a trailing partial batch', () => {
  for (const compression of COMPRESSION_TYPES) {
    const first = encodeRecordBatch(FLIP_RECORDS, { compression, baseOffset: 0 });
    const second = encodeRecordBatch(FLIP_RECORDS, { compression, baseOffset: 3 });
    const both = Buffer.concat([first, second]);
    assert.equal(decodeRecordBatches(both).length, 2);
    for (let cut = 0; cut < second.length; cut++) {
      assert.throws(() => decodeRecordBatch(second.subarray(0, cut)), isCorrupt);
      const batches = decodeRecordBatches(both.subarray(0, first.length + cut));
      assert.equal(batches.length, 1);
      assert.deepEqual(batches[0]!.records.map((r) => r.offset), [0, 1, 2]);
    }
  }
  assert.deepEqual(decodeRecordBatches(Buffer.alloc(0)), []);
});

test('decodeRecordBatches throws on a corrupt whole batch', () => {
  const first = encodeRecordBatch(FLIP_RECORDS);
  const bad = Buffer.from(first);
  bad[bad.length - 1]! ^= 1;
  assert.throws(() => decodeRecordBatches(Buffer.concat([first, bad])), isCorrupt);
  const shortLength = Buffer.from(first);
  shortLength.writeInt32BE(10, BATCH_LENGTH);
  assert.throws(() => decodeRecordBatches(shortLength), isCorrupt);
});

function withCrc(buf: Buffer): Buffer {
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
  return buf;
}

test('hostile records behind a valid CRC end in CORRUPT_MESSAGE, never in another error', () => {
  for (const compression of COMPRESSION_TYPES) {
    const original = encodeRecordBatch(FLIP_RECORDS, { compression });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(original.length - RECORD_BATCH_OVERHEAD - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (flips) => {
          const buf = Buffer.from(original);
          for (const [i, mask] of flips) buf[RECORD_BATCH_OVERHEAD + i]! ^= mask;
          withCrc(buf);
          try {
            decodeRecordBatch(buf);
          } catch (err) {
            assert.ok(isCorrupt(err), `${compressionName(compression)}: ${String(err)}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  }
});

test('a record count that disagrees with the records is CORRUPT_MESSAGE', () => {
  for (const compression of COMPRESSION_TYPES) {
    const original = encodeRecordBatch(FLIP_RECORDS, { compression });
    for (const count of [0, 2, 4, 1_000_000]) {
      const buf = Buffer.from(original);
      buf.writeInt32BE(count, 57);
      buf.writeInt32BE(Math.max(count - 1, 2), 23);
      assert.throws(() => decodeRecordBatch(withCrc(buf)), isCorrupt, `${compressionName(compression)} count ${count}`);
    }
  }
});

test('an unknown codec in a CRC-valid batch is UNSUPPORTED_COMPRESSION_TYPE', () => {
  const buf = Buffer.from(encodeRecordBatch(FLIP_RECORDS));
  buf.writeInt16BE(6, 21);
  assert.throws(
    () => decodeRecordBatch(withCrc(buf)),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  );
});

test('decodeRecordBatch reads a batch at an offset inside a larger buffer', () => {
  const a = encodeRecordBatch([{ value: 'a', timestamp: 1 }]);
  const b = encodeRecordBatch([{ value: 'b', timestamp: 2 }], { baseOffset: 1 });
  const both = Buffer.concat([a, b]);
  const { header, records } = decodeRecordBatch(both, a.length);
  assert.equal(header.baseOffset, 1);
  assert.deepEqual(records[0]!.value, Buffer.from('b'));
  assert.equal(header.sizeInBytes, b.length);
  assert.equal(LOG_OVERHEAD + both.readInt32BE(a.length + BATCH_LENGTH), b.length);
});

test('rewriteProducerFields re-stamps producer state and CRC, leaving the records alone', () => {
  for (const compression of COMPRESSION_TYPES) {
    const buf = encodeRecordBatch(FLIP_RECORDS, { compression });
    const before = decodeRecordBatch(buf).records;
    rewriteProducerFields(buf, 0, { producerId: 77, producerEpoch: 2, baseSequence: 40, transactional: true });
    const { header, records } = decodeRecordBatch(buf);
    assert.equal(header.producerId, 77);
    assert.equal(header.producerEpoch, 2);
    assert.equal(header.baseSequence, 40);
    assert.ok(batchIsTransactional(header.attributes));
    assert.equal(header.attributes & 7, compression);
    assert.deepEqual(records, before);
  }
  const buf = encodeRecordBatch(FLIP_RECORDS);
  const copy = Buffer.from(buf);
  assert.throws(() => rewriteProducerFields(buf, 0, { producerId: 1, producerEpoch: 70_000, baseSequence: 0 }), RangeError);
  assert.deepEqual(buf, copy);
});

test('decodeRecordBatch with an origin gives the same records, each carrying the topic and partition', () => {
  const buf = encodeRecordBatch([{ key: 'a', value: 'x', timestamp: 5 }, { key: null, value: null, timestamp: 6, headers: [{ key: 'h', value: null }] }], { baseOffset: 40 });
  const plain = decodeRecordBatch(buf).records;
  const withOrigin = decodeRecordBatch(buf, 0, { topic: 'orders', partition: 3 }).records;
  assert.equal(Object.hasOwn(plain[0]!, 'topic'), false);
  assert.deepEqual(withOrigin, plain.map((r) => ({ ...r, topic: 'orders', partition: 3 })));
});
