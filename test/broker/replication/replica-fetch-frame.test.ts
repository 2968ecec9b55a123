import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { loadProtos } from '../../../client/wire/proto.js';
import type { ReplicaFetchResponse__Output } from '../../../client/wire/generated/strait/v1/ReplicaFetchResponse.js';
import type { LocatedRead } from '../../../broker/log/index.js';
import {
  encodeReplicaFetchError, encodeReplicaFetchResponse, splitRecords, type PartitionAnswer,
} from '../../../broker/replication/replica-fetch-frame.js';
import { batch, onCleanup, openLog, tempDir } from '../log/helpers.js';

const decode = (frame: Buffer): ReplicaFetchResponse__Output =>
  loadProtos().proto.strait.v1.Replica.service.ReplicaFetch.responseDeserialize(frame) as ReplicaFetchResponse__Output;

const fields = (partition: number) => ({
  topicId: 'tid', partition, errorCode: ErrorCode.NONE, errorMessage: '', highWatermark: 7, logEndOffset: 9, logStartOffset: 0, recordsSize: 0,
});

test('an answer carries each partition\'s batches as stored, behind a 6-byte head, and decodes as plain protobuf', (t) => {
  const a = openLog(tempDir(t));
  const b = openLog(tempDir(t));
  onCleanup(t, () => {
    a.close();
    b.close();
  });
  for (let i = 0; i < 3; i++) a.appendAsLeader(batch(2, { valueSize: 40 }), 1);
  b.appendAsLeader(batch(1), 3);
  const stored = [a.read(0, 1 << 20, { minOneBatch: true }).records, b.read(0, 1 << 20, { minOneBatch: true }).records];
  // Partition 1 asks for less than its log holds: the part of a batch read past the bound is dropped.
  const answers: PartitionAnswer[] = [
    { fields: fields(0), read: a.locate(0, stored[0]!.length - 10, { minOneBatch: true }) },
    { fields: { ...fields(1), divergingEpoch: { epoch: 2, endOffset: 5 } }, read: undefined },
    { fields: fields(2), read: b.locate(0, 1 << 20, { minOneBatch: true }) },
  ];
  const encoded = encodeReplicaFetchResponse(42, answers);
  const twoBatches = stored[0]!.subarray(0, (stored[0]!.length / 3) * 2);
  // The records sit in the frame itself, straight after the head: no copy made them.
  assert.deepEqual(encoded.frame.subarray(6, 6 + twoBatches.length), twoBatches);
  const decoded = decode(encoded.frame);
  assert.equal(decoded.correlationId, 42);
  assert.equal(decoded.records.buffer, encoded.frame.buffer, 'the decoder hands the records over as a view');
  const parts = splitRecords(decoded)!;
  assert.deepEqual(parts.map((p) => p.partition.partition), [0, 1, 2]);
  assert.deepEqual(parts[0]!.records, twoBatches);
  assert.equal(parts[1]!.records.length, 0);
  assert.deepEqual(parts[1]!.partition.divergingEpoch, { epoch: 2, endOffset: 5 });
  assert.deepEqual(parts[2]!.records, stored[1]);
  assert.deepEqual(parts.map((p) => [p.partition.highWatermark, p.partition.logEndOffset]), [[7, 9], [7, 9], [7, 9]]);
});

test('a partition whose read fails gets KAFKA_STORAGE_ERROR and no records; the others are unharmed', (t) => {
  const a = openLog(tempDir(t));
  onCleanup(t, () => a.close());
  a.appendAsLeader(batch(2), 0);
  const failing: LocatedRead = {
    firstOffset: 0, length: 100,
    readInto: () => { throw new StraitError(ErrorCode.KAFKA_STORAGE_ERROR, 'read at 0 of topic-0 failed: EIO: i/o error, read, and a long tail of words'); },
  };
  const encoded = encodeReplicaFetchResponse(1, [{ fields: fields(0), read: failing }, { fields: fields(1), read: a.locate(0, 1 << 20, { minOneBatch: true }) }]);
  const parts = splitRecords(decode(encoded.frame))!;
  assert.equal(parts[0]!.partition.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal(parts[0]!.records.length, 0);
  assert.equal(parts[1]!.partition.errorCode, ErrorCode.NONE);
  assert.deepEqual(parts[1]!.records, a.read(0, 1 << 20, { minOneBatch: true }).records);
});

test('an answer without records, a request-level error, and sizes that do not add up', () => {
  const empty = decode(encodeReplicaFetchResponse(3, [{ fields: fields(0), read: undefined }]).frame);
  assert.equal(empty.records.length, 0);
  assert.equal(splitRecords(empty)!.length, 1);
  const refused = decode(encodeReplicaFetchError(4, ErrorCode.STALE_BROKER_EPOCH, 'stale').frame);
  assert.deepEqual([refused.correlationId, refused.errorCode, refused.errorMessage, refused.partitions.length], [4, ErrorCode.STALE_BROKER_EPOCH, 'stale', 0]);
  const damaged = { ...empty, partitions: [{ ...empty.partitions[0]!, recordsSize: 5 }] };
  assert.equal(splitRecords(damaged), undefined);
  assert.equal(splitRecords({ ...empty, records: Buffer.alloc(3) }), undefined, 'records no partition accounts for');
});
