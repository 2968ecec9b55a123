import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CompressionType,
  NO_TIMESTAMP,
  RecordBatchBuilder,
  batchIsTransactional,
  decodeRecordBatch,
  type ProducerRecord,
} from '../../../client/records/index.js';

const recordArb: fc.Arbitrary<ProducerRecord> = fc.record({
  key: fc.oneof(fc.constant(null), fc.string({ maxLength: 30 })),
  value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a))),
  timestamp: fc.integer({ min: 1_000_000, max: 1_000_000 + 2 ** 30 }),
});

test('sizeInBytes is the exact uncompressed size, also when an earlier timestamp arrives late', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { minLength: 1, maxLength: 40 }), (records) => {
      const builder = new RecordBatchBuilder({ maxBytes: Number.POSITIVE_INFINITY });
      for (const record of records) {
        assert.ok(builder.tryAppend(record));
        assert.equal(builder.build().length, builder.sizeInBytes);
      }
      assert.equal(builder.recordCount, records.length);
    }),
    { numRuns: 100 },
  );
});

test('tryAppend refuses a record that would pass maxBytes, and the batch stays within it', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 61, max: 4000 }), (records, maxBytes) => {
      const builder = new RecordBatchBuilder({ maxBytes });
      let accepted = 0;
      for (const record of records) {
        const before = builder.sizeInBytes;
        if (builder.tryAppend(record)) {
          accepted++;
        } else {
          assert.ok(builder.recordCount >= 1);
          assert.equal(builder.sizeInBytes, before, 'a refused record changes nothing');
          break;
        }
      }
      const built = builder.build();
      assert.equal(builder.recordCount, accepted);
      if (accepted > 1) assert.ok(built.length <= maxBytes, `${built.length} > ${maxBytes}`);
      assert.equal(decodeRecordBatch(built).records.length, accepted);
    }),
    { numRuns: 200 },
  );
});

test('the first record is always accepted, however large', () => {
  const builder = new RecordBatchBuilder({ maxBytes: 100 });
  assert.ok(builder.tryAppend({ value: Buffer.alloc(10_000) }));
  assert.ok(!builder.tryAppend({ value: 'x' }));
  assert.equal(builder.recordCount, 1);
});

test('producer fields set at send time land in the header; offsets run 0..n-1', () => {
  const builder = new RecordBatchBuilder({ maxBytes: 1 << 20, compression: CompressionType.Lz4, baseOffset: 50 });
  for (let i = 0; i < 5; i++) builder.tryAppend({ key: `k${i}`, value: `v${i}`, timestamp: 100 + i });
  const unstamped = decodeRecordBatch(builder.build()).header;
  assert.deepEqual([unstamped.producerId, unstamped.producerEpoch, unstamped.baseSequence], [-1, -1, -1]);
  builder.setProducerFields({ producerId: 9, producerEpoch: 1, baseSequence: 500, transactional: true });
  const { header, records } = decodeRecordBatch(builder.build());
  assert.deepEqual([header.producerId, header.producerEpoch, header.baseSequence], [9, 1, 500]);
  assert.ok(batchIsTransactional(header.attributes));
  assert.equal(header.attributes & 7, CompressionType.Lz4);
  assert.deepEqual(records.map((r) => r.offset), [50, 51, 52, 53, 54]);
  assert.equal(header.baseTimestamp, 100);
  assert.equal(header.maxTimestamp, 104);
});

test('an empty builder builds an empty batch with no timestamps', () => {
  const { header, records } = decodeRecordBatch(new RecordBatchBuilder({ maxBytes: 1000 }).build());
  assert.equal(header.recordCount, 0);
  assert.equal(header.baseTimestamp, NO_TIMESTAMP);
  assert.deepEqual(records, []);
});

test('a malformed record throws and leaves the builder as it was', () => {
  const builder = new RecordBatchBuilder({ maxBytes: 1000 });
  builder.tryAppend({ value: 'ok', timestamp: 1 });
  const size = builder.sizeInBytes;
  assert.throws(() => builder.tryAppend({ value: {} as unknown as Buffer }));
  assert.equal(builder.recordCount, 1);
  assert.equal(builder.sizeInBytes, size);
  assert.throws(() => new RecordBatchBuilder({ maxBytes: 0 }), RangeError);
});
