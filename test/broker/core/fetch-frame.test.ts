import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCode, type ErrorCodeValue } from '../../../client/errors.js';
import { loadProtos } from '../../../client/wire/proto.js';
import type { FetchResponse } from '../../../client/wire/generated/strait/v1/FetchResponse.js';
import type { FetchResponse__Output } from '../../../client/wire/generated/strait/v1/FetchResponse.js';
import { encodeFetchResponse, type FetchPartitionFields, type FetchTopicAnswer } from '../../../broker/core/fetch-frame.js';
import { batch, onCleanup, openLog, tempDir } from '../log/helpers.js';

const fetchMethod = () => loadProtos().proto.strait.v1.Broker.service.Fetch;
const decode = (frame: Buffer): FetchResponse__Output => fetchMethod().responseDeserialize(frame) as FetchResponse__Output;
/** The generated encoder, the reference the laid-out frame must agree with. */
const generated = (res: FetchResponse): Buffer => fetchMethod().responseSerialize(res);

const fields = (partition: number, over: Partial<FetchPartitionFields> = {}): FetchPartitionFields => ({
  partition, errorCode: ErrorCode.NONE, highWatermark: 7, lastStableOffset: 7, logStartOffset: 0,
  currentLeader: { leaderId: 1, leaderEpoch: 3 }, ...over,
});

/** The FetchResponse an answer stands for, with the records the frame carries. */
function asResponse(correlationId: number, topics: readonly FetchTopicAnswer[], records: readonly (readonly Buffer[])[]): FetchResponse {
  return {
    correlationId, errorCode: ErrorCode.NONE, throttleTimeMs: 0,
    topics: topics.map((t, i) => ({ name: t.name, partitions: t.partitions.map((p, j) => ({ ...p.fields, records: records[i]![j]! })) })),
  };
}

test('several topics and partitions: each partition\'s records are read into the frame itself, and the frame decodes as the generated encoder\'s bytes do', (t) => {
  const a = openLog(tempDir(t));
  const b = openLog(tempDir(t));
  onCleanup(t, () => {
    a.close();
    b.close();
  });
  for (let i = 0; i < 3; i++) a.appendAsLeader(batch(2, { valueSize: 40 }), 1);
  b.appendAsLeader(batch(1), 3);
  const storedA = a.read(0, 1 << 20, { minOneBatch: true }).records;
  const storedB = b.read(0, 1 << 20, { minOneBatch: true }).records;
  const twoBatches = storedA.subarray(0, (storedA.length / 3) * 2);
  const topics: FetchTopicAnswer[] = [
    {
      name: 'orders',
      partitions: [
        // Asks for less than the log holds: the cut third batch is left out, and the fields written
        // after the records overwrite its start.
        { fields: fields(0), read: a.locate(0, storedA.length - 10, { minOneBatch: true }) },
        { fields: fields(1, { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 }), read: undefined },
      ],
    },
    { name: 'payments-é', partitions: [{ fields: fields(4), read: b.locate(0, 1 << 20, { minOneBatch: true }) }] },
    { name: 'missing', partitions: [] },
  ];
  const encoded = encodeFetchResponse(42, ErrorCode.NONE, 0, topics);
  assert.deepEqual(encoded.records, [[twoBatches, Buffer.alloc(0)], [storedB], []]);
  assert.equal(encoded.records[0]![0]!.buffer, encoded.frame.buffer, 'the records are a view of the frame: no copy made them');
  const decoded = decode(encoded.frame);
  assert.deepEqual(decoded, decode(generated(asResponse(42, topics, encoded.records))));
  assert.deepEqual(decoded.topics[0]!.partitions[0]!.records, twoBatches);
  assert.deepEqual(decoded.topics[1]!.partitions[0]!.records, storedB);
  assert.equal(decoded.topics[0]!.partitions[1]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

test('a read that fails (its log closed under it) gives that partition KAFKA_STORAGE_ERROR and no records; the next partition is whole', (t) => {
  const a = openLog(tempDir(t));
  const b = openLog(tempDir(t));
  onCleanup(t, () => b.close());
  a.appendAsLeader(batch(2), 0);
  b.appendAsLeader(batch(3), 0);
  const failing = a.locate(0, 1 << 20, { minOneBatch: true });
  a.close();
  const topics: FetchTopicAnswer[] = [{ name: 't', partitions: [{ fields: fields(0), read: failing }, { fields: fields(1), read: b.locate(0, 1 << 20, { minOneBatch: true }) }] }];
  const encoded = encodeFetchResponse(1, ErrorCode.NONE, 0, topics);
  const parts = decode(encoded.frame).topics[0]!.partitions;
  assert.equal(parts[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal(parts[0]!.records.length, 0);
  assert.equal(topics[0]!.partitions[0]!.fields.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, 'the caller sees the error too');
  assert.equal(parts[1]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(parts[1]!.records, b.read(0, 1 << 20, { minOneBatch: true }).records);
});

test('any fields and records: the laid-out frame decodes to what the generated encoder\'s bytes decode to', (t) => {
  // One real log whose batches the generated answers read from, at any offset and byte bound.
  const log = openLog(tempDir(t), { config: { segmentBytes: 4096 } });
  onCleanup(t, () => log.close());
  for (let i = 0; i < 40; i++) log.appendAsLeader(batch(1 + (i % 4), { valueSize: 20 + ((i * 37) % 200) }), 1 + (i >> 3));
  const end = log.logEndOffset;
  const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const int64 = fc.oneof(fc.constantFrom(0, -1, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER), fc.maxSafeInteger());
  const errorCode = fc.constantFrom<ErrorCodeValue>(ErrorCode.NONE, ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const partitionFields = fc.record({
    partition: int32, errorCode, highWatermark: int64, lastStableOffset: int64, logStartOffset: int64,
    divergingEpoch: fc.option(fc.record({ epoch: int32, endOffset: int64 }), { nil: undefined }),
    currentLeader: fc.option(fc.record({ leaderId: int32, leaderEpoch: int32 }), { nil: undefined }),
  }, { requiredKeys: ['partition', 'errorCode', 'highWatermark', 'lastStableOffset', 'logStartOffset'] });
  const read = fc.option(fc.record({ offset: fc.integer({ min: 0, max: end }), maxBytes: fc.integer({ min: 0, max: 6000 }), minOneBatch: fc.boolean() }), { nil: undefined });
  const topic = fc.record({ name: fc.string({ unit: 'grapheme', maxLength: 20 }), partitions: fc.array(fc.record({ fields: partitionFields, read }), { maxLength: 4 }) });
  fc.assert(fc.property(fc.maxSafeInteger().map(Math.abs), fc.array(topic, { maxLength: 4 }), (correlationId, spec) => {
    const topics: FetchTopicAnswer[] = spec.map((s) => ({
      name: s.name,
      partitions: s.partitions.map((p) => ({ fields: { ...p.fields }, read: p.read && log.locate(p.read.offset, p.read.maxBytes, { minOneBatch: p.read.minOneBatch }) })),
    }));
    const encoded = encodeFetchResponse(correlationId, ErrorCode.NONE, 0, topics);
    assert.equal(encoded.records.length, topics.length);
    assert.deepEqual(decode(encoded.frame), decode(generated(asResponse(correlationId, topics, encoded.records))));
    // What each partition carries is what Log.read gives for the same request.
    spec.forEach((s, i) => s.partitions.forEach((p, j) => {
      const want = p.read ? log.read(p.read.offset, p.read.maxBytes, { minOneBatch: p.read.minOneBatch }).records : Buffer.alloc(0);
      assert.deepEqual(encoded.records[i]![j], want);
    }));
  }), { numRuns: 300 });
});
