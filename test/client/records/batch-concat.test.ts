// concatRecordBatches: for any run of uncompressed producer batches, the joined batch decodes to every
// record in order (key, value, headers, timestamp; offsets 0..n-1) with a valid CRC; what it cannot
// join is refused with INVALID_RECORD. fast-check prints its seed on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CompressionType, ErrorCode, StraitError, TimestampType, checkBatch, concatRecordBatches, decodeRecordBatch, encodeRecordBatch, setBaseOffset,
  type ProducerRecord,
} from '../../../client/index.js';

const recordArb: fc.Arbitrary<ProducerRecord> = fc.record({
  key: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 })),
  value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 5 }).map((a) => Buffer.from(a))) }), { maxLength: 2 }),
  // Wide enough that a joined batch's timestamp deltas go negative and take several bytes.
  timestamp: fc.integer({ min: 1_000_000, max: 1_000_000 + 2 ** 40 }),
});

test('the joined batch holds every record in order, timestamps kept, offsets renumbered', () => {
  fc.assert(fc.property(fc.array(fc.array(recordArb, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 6 }), fc.nat(1000), (batches, base) => {
    let offset = base;
    const encoded = batches.map((records) => {
      const b = encodeRecordBatch(records);
      setBaseOffset(b, 0, offset);
      offset += records.length;
      return b;
    });
    const joined = concatRecordBatches(encoded);
    const check = checkBatch(joined, 0, true);
    assert.ok(!('kind' in check) && check.size === joined.length);
    const got = decodeRecordBatch(joined).records;
    const want = encoded.flatMap((b) => decodeRecordBatch(b).records);
    assert.deepEqual(got.map((r) => r.offset), want.map((_, i) => i));
    const view = (r: (typeof got)[number]): unknown => [r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null, r.timestamp, r.headers.map((h) => [h.key, h.value?.toString('hex') ?? null])];
    assert.deepEqual(got.map(view), want.map(view));
  }));
});

test('compressed, LogAppendTime, control, transactional or holed batches are refused', () => {
  const one = [{ value: 'x', timestamp: 1 }];
  const holed = encodeRecordBatch([{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 1 }]);
  holed.writeInt32BE(2, 23);
  for (const bad of [
    encodeRecordBatch(one, { compression: CompressionType.Gzip }),
    encodeRecordBatch(one, { timestampType: TimestampType.LogAppendTime }),
    encodeRecordBatch(one, { control: true }),
    encodeRecordBatch(one, { transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 }),
    holed,
  ]) {
    assert.throws(() => concatRecordBatches([encodeRecordBatch(one), bad]), (e: StraitError) => e.code === ErrorCode.INVALID_RECORD);
  }
});
