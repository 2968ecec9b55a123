// batch-forwarding: which fetched batches go whole and which are re-encoded, and that either way the
// target receives exactly the source's records at or above the position (key, value, headers,
// timestamp), in order, as producer batches the target accepts. fast-check prints its seed on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ATTRIBUTES, CompressionType, CRC, DELETE_HORIZON_MASK, ErrorCode, StraitError, TimestampType, batchHasDeleteHorizon, batchIsControl,
  batchIsTransactional, batchTimestampType, checkBatch, computeBatchCrc, decodeRecordBatch, encodeRecordBatch, readBatchHeader,
  rebuildRecordBatch, setBaseOffset, type ConsumedRecord, type ProducerRecord,
} from '../../../client/index.js';
import { prepareBatches, type OutgoingBatch } from '../../../mirror/flow/batch-forwarding.js';

interface SourceBatch {
  records: ProducerRecord[];
  compression: CompressionType;
  kind: 'plain' | 'control' | 'transactional' | 'log-append-time' | 'holed' | 'delete-horizon';
}

const recordArb: fc.Arbitrary<ProducerRecord> = fc.record({
  key: fc.oneof(fc.constant(null), fc.string({ maxLength: 12 })),
  value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a))),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 5 }).map((a) => Buffer.from(a))) }), { maxLength: 2 }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_600_000_100_000 }),
});

const batchArb: fc.Arbitrary<SourceBatch> = fc.record({
  records: fc.array(recordArb, { minLength: 1, maxLength: 8 }),
  compression: fc.constantFrom(CompressionType.None, CompressionType.Gzip),
  kind: fc.constantFrom('plain', 'plain', 'plain', 'control', 'transactional', 'log-append-time', 'holed', 'delete-horizon'),
});

function fixCrc(buf: Buffer): void {
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC);
}

/** The batch as a source log stores it at baseOffset, and the records a consumer reads from it. */
function stored(b: SourceBatch, baseOffset: number): { bytes: Buffer; visible: ConsumedRecord[]; span: number } {
  const options = { compression: b.compression, baseOffset, producerId: 5, producerEpoch: 0, baseSequence: 0 };
  let bytes: Buffer;
  switch (b.kind) {
    case 'control':
      bytes = encodeRecordBatch(b.records.slice(0, 1), { ...options, control: true, transactional: true });
      break;
    case 'transactional':
      bytes = encodeRecordBatch(b.records, { ...options, transactional: true });
      break;
    case 'log-append-time': {
      bytes = encodeRecordBatch(b.records, { ...options, timestampType: TimestampType.LogAppendTime });
      break;
    }
    case 'holed': {
      // Compaction kept every other record: lastOffsetDelta still spans them all.
      const full = decodeRecordBatch(encodeRecordBatch([...b.records, { value: 'extra', timestamp: 1_600_000_000_000 }], options));
      bytes = rebuildRecordBatch(full.header, full.records.filter((_, i) => i % 2 === 0), b.compression);
      break;
    }
    case 'delete-horizon': {
      const full = decodeRecordBatch(encodeRecordBatch(b.records, options));
      bytes = rebuildRecordBatch(full.header, full.records, b.compression, 1_700_000_000_000);
      break;
    }
    default:
      bytes = encodeRecordBatch(b.records, options);
  }
  setBaseOffset(bytes, 0, baseOffset);
  const header = readBatchHeader(bytes);
  const visible = batchIsControl(header.attributes) ? [] : decodeRecordBatch(bytes).records;
  return { bytes, visible, span: header.lastOffsetDelta + 1 };
}

function comparable(r: ConsumedRecord): unknown {
  return [r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null, r.headers.map((h) => [h.key, h.value?.toString('hex') ?? null]), r.timestamp];
}

/** What a producer batch must be for the target to take it (Producer.sendRawBatch's checks and more). */
function assertProducerBatch(b: OutgoingBatch): void {
  const check = checkBatch(b.bytes, 0, true);
  assert.ok(!('kind' in check), `valid batch with its CRC: ${'kind' in check ? check.message : ''}`);
  assert.equal(check.size, b.bytes.length);
  const h = readBatchHeader(b.bytes);
  assert.equal(batchIsControl(h.attributes), false);
  assert.equal(batchIsTransactional(h.attributes), false);
  assert.equal(batchHasDeleteHorizon(h.attributes), false);
  assert.equal(batchTimestampType(h.attributes), TimestampType.CreateTime);
  assert.equal(h.recordCount, h.lastOffsetDelta + 1);
  assert.equal(h.recordCount, b.recordCount);
}

test('the target gets exactly the records at or above the position, in order, as batches it accepts', () => {
  fc.assert(fc.property(fc.array(batchArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 1000 }), (batches, skip, start) => {
    let offset = start;
    const parts = batches.map((b) => {
      const s = stored(b, offset);
      offset += s.span;
      return { ...s, kind: b.kind };
    });
    const position = Math.min(start + skip, offset);
    const fetched = Buffer.concat(parts.map((p) => p.bytes));
    const expected = parts.flatMap((p) => p.visible).filter((r) => r.offset >= position);
    const out = prepareBatches(Buffer.from(fetched), position);
    for (const b of out) assertProducerBatch(b);
    const got = out.flatMap((b) => decodeRecordBatch(b.bytes).records);
    assert.deepEqual(got.map(comparable), expected.map(comparable));
    // Upstream offsets say where each batch's records came from.
    let i = 0;
    for (const b of out) {
      assert.equal(b.upstreamOffset, expected[i]!.offset);
      assert.equal(b.lastUpstreamOffset, expected[i + b.recordCount - 1]!.offset);
      i += b.recordCount;
    }
    // Whole exactly when the source batch is a plain producer batch at or above the position.
    const wholeSources = parts.filter((p) => (p.kind === 'plain' || p.kind === 'delete-horizon') && readBatchHeader(p.bytes).baseOffset >= position);
    assert.deepEqual(out.filter((b) => b.whole).map((b) => b.upstreamOffset), wholeSources.map((p) => readBatchHeader(p.bytes).baseOffset));
  }));
});

test('a whole batch is the fetched bytes themselves: no copy, no record decoded', () => {
  const a = encodeRecordBatch([{ value: 'a', timestamp: 10 }, { value: 'b', timestamp: 11 }], { baseOffset: 7 });
  const b = encodeRecordBatch([{ value: 'c', timestamp: 12 }], { baseOffset: 9 });
  const fetched = Buffer.concat([a, b]);
  const out = prepareBatches(fetched, 7);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.bytes.buffer, fetched.buffer);
  assert.equal(out[0]!.bytes.byteOffset, fetched.byteOffset);
  assert.equal(out[1]!.bytes.byteOffset, fetched.byteOffset + a.length);
  assert.deepEqual(out.map((o) => [o.upstreamOffset, o.lastUpstreamOffset, o.recordCount, o.firstTimestamp, o.maxTimestamp, o.whole]), [[7, 8, 2, 10, 11, true], [9, 9, 1, 12, 12, true]]);
});

test('a delete-horizon batch goes whole with the bit cleared, the CRC fixed and the timestamps kept', () => {
  const full = decodeRecordBatch(encodeRecordBatch([{ value: 'a', timestamp: 100 }, { value: 'b', timestamp: 150 }], { baseOffset: 3 }));
  const bytes = rebuildRecordBatch(full.header, full.records, CompressionType.None, 9_999);
  setBaseOffset(bytes, 0, 3);
  const [out] = prepareBatches(bytes, 0);
  assert.equal(out!.whole, true);
  assert.equal(readBatchHeader(out!.bytes).attributes & DELETE_HORIZON_MASK, 0);
  assert.deepEqual(decodeRecordBatch(out!.bytes).records.map((r) => r.timestamp), [100, 150]);
});

test('a batch with a wrong CRC is refused with CORRUPT_MESSAGE rather than given a valid one', () => {
  const bytes = encodeRecordBatch([{ value: 'a', timestamp: 1 }]);
  bytes.writeInt16BE(bytes.readInt16BE(ATTRIBUTES), ATTRIBUTES);
  bytes[bytes.length - 1] ^= 0xff;
  assert.throws(() => prepareBatches(bytes, 0), (e: StraitError) => e.code === ErrorCode.CORRUPT_MESSAGE);
  fixCrc(bytes);
  assert.equal(prepareBatches(bytes, 0).length, 1);
});
