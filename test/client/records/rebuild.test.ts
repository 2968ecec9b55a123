import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  COMPRESSION_TYPES,
  type CompressionType,
  TimestampType,
  batchDeleteHorizon,
  batchHasDeleteHorizon,
  batchIsControl,
  batchIsTransactional,
  decodeRecordBatch,
  encodeRecordBatch,
  rebuildRecordBatch,
} from '../../../client/records/index.js';

test('rebuildRecordBatch keeps offsets, timestamps, producer state and header bits of any subset', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          key: fc.string({ maxLength: 8 }),
          value: fc.oneof(fc.constant(null), fc.string({ maxLength: 30 })),
          timestamp: fc.integer({ min: 0, max: 2 ** 42 }),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      fc.constantFrom(...COMPRESSION_TYPES),
      fc.constantFrom(...COMPRESSION_TYPES),
      fc.boolean(),
      (records, keep, from, to, control) => {
        const original = encodeRecordBatch(records, {
          compression: from,
          baseOffset: 7_000,
          partitionLeaderEpoch: 12,
          producerId: 31,
          producerEpoch: 4,
          baseSequence: 900,
          transactional: true,
          control,
        });
        const decoded = decodeRecordBatch(original);
        const kept = decoded.records.filter((_, i) => keep[i]);
        const rebuilt = decodeRecordBatch(rebuildRecordBatch(decoded.header, kept, to));
        const h = rebuilt.header;
        assert.equal(h.baseOffset, 7_000);
        assert.equal(h.partitionLeaderEpoch, 12);
        assert.equal(h.lastOffsetDelta, records.length - 1);
        assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence], [31, 4, 900]);
        assert.ok(batchIsTransactional(h.attributes));
        assert.equal(batchIsControl(h.attributes), control);
        assert.equal(h.attributes & 7, to);
        assert.equal(h.recordCount, kept.length);
        assert.deepEqual(rebuilt.records, kept);
        if (kept.length > 0) {
          assert.equal(h.baseTimestamp, Math.min(...kept.map((r) => r.timestamp)));
          assert.equal(h.maxTimestamp, Math.max(...kept.map((r) => r.timestamp)));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a rebuilt LogAppendTime batch keeps the append time of its records', () => {
  const original = decodeRecordBatch(
    encodeRecordBatch([{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 2 }, { value: 'c', timestamp: 3 }], {
      timestampType: TimestampType.LogAppendTime,
    }),
  );
  const rebuilt = decodeRecordBatch(rebuildRecordBatch(original.header, [original.records[0]!], 0));
  assert.equal(rebuilt.header.maxTimestamp, 3);
  assert.deepEqual(rebuilt.records.map((r) => [r.offset, r.timestamp]), [[0, 3]]);
});

test('an empty rebuild keeps the producer state and the offset range', () => {
  const original = decodeRecordBatch(
    encodeRecordBatch([{ value: 'a', timestamp: 10 }, { value: 'b', timestamp: 20 }], {
      baseOffset: 40,
      producerId: 5,
      producerEpoch: 0,
      baseSequence: 8,
      compression: 1,
    }),
  );
  const empty = decodeRecordBatch(rebuildRecordBatch(original.header, [], 1));
  assert.equal(empty.header.recordCount, 0);
  assert.equal(empty.header.baseOffset, 40);
  assert.equal(empty.header.lastOffsetDelta, 1);
  assert.deepEqual([empty.header.producerId, empty.header.baseSequence], [5, 8]);
  assert.equal(empty.header.maxTimestamp, 20);
  assert.deepEqual(empty.records, []);
});

test('records that do not belong to the batch, or are out of order, are refused', () => {
  const { header, records } = decodeRecordBatch(
    encodeRecordBatch([{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 2 }], { baseOffset: 10 }),
  );
  const invalid = (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_RECORD;
  assert.throws(() => rebuildRecordBatch(header, [records[1]!, records[0]!], 0), invalid);
  assert.throws(() => rebuildRecordBatch(header, [{ ...records[0]!, offset: 9 }], 0), invalid);
  assert.throws(() => rebuildRecordBatch(header, [{ ...records[0]!, offset: 12 }], 0), invalid);
  assert.throws(
    () => rebuildRecordBatch(header, records, 9 as CompressionType),
    (err: unknown) => err instanceof StraitError && err.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  );
});

test('a rebuild with a delete horizon sets bit 6 and baseTimestamp, and every record keeps its timestamp', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ value: fc.oneof(fc.constant(null), fc.string({ maxLength: 10 })), timestamp: fc.integer({ min: 0, max: 2 ** 44 }) }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      fc.integer({ min: 0, max: 2 ** 50 }),
      fc.constantFrom(...COMPRESSION_TYPES),
      (records, keep, horizon, compression) => {
        const decoded = decodeRecordBatch(encodeRecordBatch(records.map((r, i) => ({ key: `k${i}`, ...r })), { compression, baseOffset: 50 }));
        const kept = decoded.records.filter((_, i) => keep[i]);
        const rebuilt = decodeRecordBatch(rebuildRecordBatch(decoded.header, kept, compression, horizon));
        assert.ok(batchHasDeleteHorizon(rebuilt.header.attributes));
        assert.equal(batchDeleteHorizon(rebuilt.header), horizon);
        assert.deepEqual(rebuilt.records, kept);
        if (kept.length > 0) assert.equal(rebuilt.header.maxTimestamp, Math.max(...kept.map((r) => r.timestamp)));
        // Rebuilt again without one, the bit goes and baseTimestamp is a record timestamp again.
        const plain = decodeRecordBatch(rebuildRecordBatch(rebuilt.header, kept, compression));
        assert.equal(batchDeleteHorizon(plain.header), undefined);
        assert.deepEqual(plain.records, kept);
      },
    ),
    { numRuns: 200 },
  );
  const { header, records } = decodeRecordBatch(encodeRecordBatch([{ value: 'a', timestamp: 1 }]));
  assert.throws(() => rebuildRecordBatch(header, records, 0, -1), RangeError);
  assert.throws(() => rebuildRecordBatch(header, records, 0, 2 ** 53), RangeError);
});
