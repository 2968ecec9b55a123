// The leader's append validation: every malformed but CRC-valid batch is refused with its named error
// and a message naming the batch and record; every well-formed batch a producer may write is accepted;
// followers take what their leader wrote. The property test at the end: whatever a mutation does to a
// valid batch, validation refuses it or the SDK's decoder reads it whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, StraitError, errorName } from '../../../client/errors.js';
import {
  CRC, CompressionType, COMPRESSION_TYPES, RECORD_BATCH_OVERHEAD, TimestampType, compressionName, decodeRecordBatch,
  encodeRecordBatch, rebuildRecordBatch, type ProducerRecord,
} from '../../../client/records/index.js';
import { validateBatches, type ClientAppendRules, type ValidationRules } from '../../../broker/log/append-validation.js';
import {
  BASE_TIMESTAMP_MS, edited, goodBatch, malformedBatches, rawBatch, records, withCrc,
} from '../../helpers/malformed-batches.js';

const createTime: ClientAppendRules = { origin: 'client', maxMessageBytes: 1024 * 1024, requireKeys: false, timestampType: 'CreateTime' };
const compacted: ClientAppendRules = { ...createTime, requireKeys: true };
const logAppendTime: ClientAppendRules = { ...createTime, timestampType: 'LogAppendTime' };
const replication: ValidationRules = { origin: 'replication' };

function refusal(bytes: Buffer, rules: ValidationRules): StraitError {
  try {
    validateBatches(bytes, rules);
  } catch (err) {
    if (err instanceof StraitError) return err;
    throw err;
  }
  assert.fail('the batch was accepted');
}

test('malformed batches with a right CRC are refused with their named error, naming batch and record', async (t) => {
  for (const c of malformedBatches()) {
    await t.test(c.name, () => {
      const err = refusal(c.bytes, createTime);
      assert.equal(errorName(err.code), errorName(c.code), err.message);
      assert.match(err.message, c.message);
    });
  }
});

test('compacted topics refuse records without a key, naming the first', () => {
  const bytes = encodeRecordBatch([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: null, value: '3' }, { value: '4' }]);
  const err = refusal(bytes, compacted);
  assert.equal(err.code, ErrorCode.INVALID_RECORD);
  assert.match(err.message, /batch 0: record 2 has no key/);
  assert.equal(validateBatches(bytes, createTime).length, 1, 'a topic without compaction takes them');
  const second = Buffer.concat([goodBatch(), encodeRecordBatch([{ key: null, value: 'x' }], { compression: CompressionType.Gzip })]);
  assert.match(refusal(second, compacted).message, /batch 1: record 0 has no key/);
});

test('a batch above max.message.bytes is MESSAGE_TOO_LARGE', () => {
  const bytes = encodeRecordBatch([{ value: Buffer.alloc(3000) }]);
  const err = refusal(bytes, { ...createTime, maxMessageBytes: 2000 });
  assert.equal(err.code, ErrorCode.MESSAGE_TOO_LARGE);
  assert.match(err.message, /batch 0: \d+ bytes, larger than max.message.bytes 2000/);
  assert.equal(validateBatches(bytes, { ...createTime, maxMessageBytes: bytes.length }).length, 1);
});

test('an empty append is CORRUPT_MESSAGE', () => {
  assert.equal(refusal(Buffer.alloc(0), createTime).code, ErrorCode.CORRUPT_MESSAGE);
});

const everyKind: ProducerRecord[] = [
  { key: 'k', value: 'v', timestamp: BASE_TIMESTAMP_MS },
  { key: null, value: 'no key', timestamp: BASE_TIMESTAMP_MS + 5 },
  { key: 'tombstone', value: null, timestamp: BASE_TIMESTAMP_MS - 5 },
  { key: null, value: null, timestamp: BASE_TIMESTAMP_MS },
  { key: '', value: '', timestamp: BASE_TIMESTAMP_MS },
  { key: 'h', value: 'headers', headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'null value', value: null }, { key: '', value: Buffer.alloc(0) }] },
  { key: 'big', value: Buffer.alloc(70_000, 7), timestamp: BASE_TIMESTAMP_MS + 1 },
];

test('valid batches are accepted: every codec, headers, null and empty keys and values', async (t) => {
  for (const compression of COMPRESSION_TYPES) {
    await t.test(compressionName(compression), () => {
      const bytes = encodeRecordBatch(everyKind, { compression });
      const [batch] = validateBatches(bytes, createTime);
      assert.equal(batch!.header.recordCount, everyKind.length);
      assert.equal(batch!.position, 0);
    });
  }
});

test('valid batches are accepted: large and small timestamps', () => {
  for (const timestamps of [[0], [0, 1], [Number.MAX_SAFE_INTEGER], [0, Number.MAX_SAFE_INTEGER], [1, 2 ** 40, 7]]) {
    const bytes = encodeRecordBatch(timestamps.map((timestamp) => ({ value: 'x', timestamp })));
    assert.equal(validateBatches(bytes, createTime).length, 1, `timestamps ${timestamps.join(', ')}`);
  }
  // Kafka's Java builder takes the first record's timestamp as the base: later deltas may be negative.
  const kafkaStyle = rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, timestampDelta: -100 }, { offsetDelta: 2, timestampDelta: 50 }]);
  assert.equal(validateBatches(kafkaStyle, createTime)[0]!.header.maxTimestamp, BASE_TIMESTAMP_MS + 50);
  // Records timestamped before 1970 give maxTimestamp -1 (NO_TIMESTAMP), as Kafka's builders write it.
  const negative = rawBatch([{ offsetDelta: 0, timestampDelta: -5 }], { baseTimestamp: 0, maxTimestamp: -1 });
  assert.equal(validateBatches(negative, createTime).length, 1);
});

test('valid batches are accepted: producer ids, several batches, compacted and LogAppendTime topics', () => {
  const idempotent = encodeRecordBatch([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { producerId: 12, producerEpoch: 0, baseSequence: 2 ** 31 - 2 });
  assert.equal(validateBatches(idempotent, compacted)[0]!.header.producerId, 12);
  const three = Buffer.concat([goodBatch(), encodeRecordBatch(everyKind, { compression: CompressionType.Zstd }), goodBatch()]);
  const batches = validateBatches(three, createTime);
  assert.deepEqual(batches.map((b) => b.header.recordCount), [3, everyKind.length, 3]);
  assert.equal(batches[2]!.position + batches[2]!.header.sizeInBytes, three.length);
  assert.equal(validateBatches(goodBatch(), logAppendTime).length, 1);
  // On a LogAppendTime topic the broker stamps the batch anyway: a producer's LogAppendTime bit is harmless.
  const stamped = encodeRecordBatch([{ value: 'x' }], { timestampType: TimestampType.LogAppendTime });
  assert.equal(validateBatches(stamped, logAppendTime).length, 1);
  assert.equal(refusal(stamped, createTime).code, ErrorCode.INVALID_TIMESTAMP);
});

test('validation reads the bytes and changes none of them', () => {
  const bytes = Buffer.concat([goodBatch(), encodeRecordBatch(everyKind, { compression: CompressionType.Lz4 })]);
  const before = Buffer.from(bytes);
  validateBatches(bytes, createTime);
  assert.deepEqual(bytes, before);
});

test('followers take what their leader wrote: control, transactional and compacted-empty batches', () => {
  const control = encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], { control: true, producerId: 3, producerEpoch: 0, baseSequence: -1, transactional: true });
  const header = decodeRecordBatch(goodBatch()).header;
  const emptied = rebuildRecordBatch(header, [], CompressionType.None);
  const batches = validateBatches(Buffer.concat([control, emptied, goodBatch()]), replication);
  assert.deepEqual(batches.map((b) => b.header.recordCount), [1, 0, 3]);
  assert.equal(refusal(control, createTime).code, ErrorCode.INVALID_RECORD);
  const badCrc = goodBatch();
  badCrc[RECORD_BATCH_OVERHEAD]! ^= 1;
  const err = refusal(badCrc, replication);
  assert.equal(err.code, ErrorCode.CORRUPT_MESSAGE);
  assert.match(err.message, /batch 0: at byte 0: CRC mismatch/);
});

// Bytes a mutation may touch: all but baseOffset and partitionLeaderEpoch (the broker's to write) and
// the CRC (recomputed after the mutation, so that the contents are what is tested).
function mutable(batch: Buffer): fc.Arbitrary<number> {
  return fc.integer({ min: 8, max: batch.length - 1 }).filter((i) => (i < 12 || i > 15) && (i < CRC || i >= CRC + 4));
}

test('property: a mutated batch with its CRC recomputed is refused, or decodes record by record', () => {
  const sources = [
    goodBatch(),
    encodeRecordBatch(everyKind.slice(0, 6), { producerId: 9, producerEpoch: 1, baseSequence: 40 }),
    rawBatch(records(4, { headers: [{ key: Buffer.from('h'), value: Buffer.from('hv') }] })),
    encodeRecordBatch(everyKind.slice(0, 6), { compression: CompressionType.Gzip }),
    encodeRecordBatch(everyKind.slice(0, 6), { compression: CompressionType.Lz4 }),
  ];
  const mutation = fc.integer({ min: 0, max: sources.length - 1 }).chain((which) => {
    const source = sources[which]!;
    return fc.oneof(
      // Flipped bits or overwritten bytes.
      fc.array(fc.tuple(mutable(source), fc.integer({ min: 1, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 })
        .map((edits) => edited(source, (b) => {
          for (const [at, x, flip] of edits) b[at] = flip ? b[at]! ^ x : x;
        })),
      // A run of bytes (count, lengths, a varint) set to one value.
      fc.tuple(mutable(source), fc.integer({ min: 1, max: 8 }), fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x01))
        .map(([at, length, value]) => edited(source, (b) => b.fill(value, at, Math.min(b.length, at + length)))),
      // Bytes cut out of or put into the records, the batch length made to agree.
      fc.tuple(fc.integer({ min: RECORD_BATCH_OVERHEAD, max: source.length }), fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 8 }))
        .map(([at, cut, insert]) => {
          const b = Buffer.concat([source.subarray(0, at), Buffer.from(insert), source.subarray(Math.min(source.length, at + cut))]);
          b.writeInt32BE(b.length - 12, 8);
          return withCrc(b);
        }),
    );
  });
  fc.assert(fc.property(mutation, (bytes) => {
    let accepted: ReturnType<typeof validateBatches>;
    try {
      accepted = validateBatches(bytes, createTime);
    } catch (err) {
      assert.ok(err instanceof StraitError, `validation threw ${String(err)}, not a StraitError`);
      assert.ok(
        [ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_TIMESTAMP, ErrorCode.MESSAGE_TOO_LARGE].includes(err.code as never),
        `unexpected ${errorName(err.code)}: ${err.message}`,
      );
      assert.match(err.message, /^batch \d+: /);
      return;
    }
    for (const { position, header } of accepted) {
      const { records: decoded } = decodeRecordBatch(bytes, position);
      assert.equal(decoded.length, header.recordCount);
      assert.deepEqual(decoded.map((r) => r.offset), Array.from({ length: header.recordCount }, (_, i) => header.baseOffset + i));
    }
  }), {
    numRuns: 3000,
    // fast-check prints the seed and the path with the counterexample; this names them for a rerun.
    reporter: (details) => {
      if (details.failed) throw new Error(`property failed with seed ${details.seed} (path ${details.counterexamplePath}): ${fc.defaultReportMessage(details)}`);
    },
  });
});
