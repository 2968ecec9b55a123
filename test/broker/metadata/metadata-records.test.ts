import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MetadataRecordError, checkMetadataRecord, decodeMetadataRecord, encodeMetadataRecord, metadataRecord, type MetadataRecord,
} from '../../../broker/metadata/index.js';

const brokerId = fc.integer({ min: 0, max: 2147483647 });
const epoch = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/).filter((s) => s !== '.' && s !== '..');
const text = fc.string({ minLength: 1, maxLength: 20 });
const ids = (min: number) => fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: min, maxLength: 5 });

const recordArb: fc.Arbitrary<MetadataRecord> = fc.oneof(
  fc.record({ brokerId, incarnationId: text, brokerEpoch: epoch, host: text, port: fc.integer({ min: 1, max: 65535 }), rack: fc.option(text, { nil: undefined }) })
    .map(({ rack, ...f }) => metadataRecord('RegisterBroker', { ...f, ...(rack === undefined ? {} : { rack }), fenced: true })),
  fc.record({ brokerId, brokerEpoch: epoch }).map((f) => metadataRecord('UnregisterBroker', f)),
  fc.record({ brokerId, epoch }).map((f) => metadataRecord('FenceBroker', f)),
  fc.record({ brokerId, epoch }).map((f) => metadataRecord('UnfenceBroker', f)),
  fc.record({ brokerId, epoch }).map((f) => metadataRecord('BrokerControlledShutdown', f)),
  fc.record({ name: topicName, topicId: fc.uuid() }).map((f) => metadataRecord('Topic', f)),
  fc.record({
    topicId: fc.uuid(), partition: fc.nat({ max: 2147483647 }), replicas: ids(1), isr: ids(1),
    leader: fc.integer({ min: -1, max: 1000 }), leaderEpoch: fc.nat({ max: 2147483647 }), partitionEpoch: fc.nat({ max: 2147483647 }),
  }).map((f) => metadataRecord('Partition', f)),
  fc.record({ topicId: fc.uuid(), partition: fc.nat({ max: 1000 }), isr: fc.option(ids(1), { nil: undefined }),
    leader: fc.option(fc.integer({ min: -1, max: 1000 }), { nil: undefined }), replicas: fc.option(ids(1), { nil: undefined }),
    adding: fc.option(ids(0), { nil: undefined }), removing: fc.option(ids(0), { nil: undefined }) })
    .map(({ topicId, partition, isr, leader, replicas, adding, removing }) => metadataRecord('PartitionChange', {
      topicId, partition, ...(isr ? { isr } : {}), ...(leader !== undefined ? { leader } : {}), ...(replicas ? { replicas } : {}),
      ...(adding ? { addingReplicas: adding } : {}), ...(removing ? { removingReplicas: removing } : {}),
    })),
  fc.uuid().map((topicId) => metadataRecord('RemoveTopic', { topicId })),
  fc.record({ resourceName: topicName, name: text.filter((s) => s !== '__proto__'), value: fc.option(fc.string(), { nil: null }) })
    .map((f) => metadataRecord('Config', { resourceType: 'topic', ...f })),
  fc.record({ resourceName: fc.constantFrom('', '0', '7', '123'), name: fc.constantFrom('log.retention.ms', 'x'), value: fc.option(fc.string(), { nil: null }) })
    .map((f) => metadataRecord('Config', { resourceType: 'broker', ...f })),
  fc.record({ brokerId, brokerEpoch: epoch, nextProducerId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }).map((f) => metadataRecord('ProducerIds', f)),
  text.map((clusterId) => metadataRecord('ClusterId', { clusterId })),
  fc.record({
    requestId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), operation: text, timestamp: epoch,
    results: fc.array(fc.record({ name: text, errorCode: fc.nat({ max: 120 }), errorMessage: fc.string() }).map((r) => ({ ...r })), { maxLength: 4 }),
  }).map((f) => metadataRecord('RequestResult', f)),
);

test('every record survives encode and decode unchanged', () => {
  fc.assert(fc.property(recordArb, (record) => {
    assert.deepEqual(decodeMetadataRecord(encodeMetadataRecord(record)), record);
  }), { numRuns: 2000 });
});

test('random bytes never decode into anything but a record or a MetadataRecordError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    try {
      checkMetadataRecord(decodeMetadataRecord(bytes));
    } catch (err) {
      assert.ok(err instanceof MetadataRecordError, String(err));
    }
  }), { numRuns: 2000 });
});

const badValues = [undefined, null, -2, 1.5, 'x', '', true, [], {}, [1, 1], Number.MAX_SAFE_INTEGER + 2, 65536];

test('a record with any one field replaced by a wrong value, removed, or added is refused by name', () => {
  fc.assert(fc.property(recordArb, fc.nat(), fc.constantFrom(...badValues), (record, pick, bad) => {
    const fields = Object.keys(record);
    const field = fields[pick % fields.length]!;
    const mutated: Record<string, unknown> = { ...record, [field]: bad };
    let accepted: MetadataRecord | undefined;
    try {
      accepted = decodeMetadataRecord(Buffer.from(JSON.stringify(mutated)));
    } catch (err) {
      assert.ok(err instanceof MetadataRecordError, String(err));
      return;
    }
    // Some replacements are still valid (a string where a string is expected, an optional field
    // removed): then the record decoded must be exactly the mutated one.
    assert.deepEqual(accepted, JSON.parse(JSON.stringify(mutated)));
  }), { numRuns: 3000 });
  fc.assert(fc.property(recordArb, (record) => {
    assert.throws(() => decodeMetadataRecord(Buffer.from(JSON.stringify({ ...record, extra: 1 }))), MetadataRecordError);
  }), { numRuns: 300 });
});

test('named errors for unknown types, versions, bad JSON and UTF-8, and bad semantics', () => {
  const ok = metadataRecord('FenceBroker', { brokerId: 1, epoch: 3 });
  const cases: unknown[] = [
    { ...ok, type: 'Nope' }, { ...ok, version: 2 }, { ...ok, version: undefined }, [ok], null, 42,
    { type: 'RegisterBroker', version: 1, brokerId: 1, incarnationId: 'a', brokerEpoch: 1, host: 'h', port: 1, fenced: false },
    { type: 'Topic', version: 1, name: 'bad name', topicId: 'x' },
    { type: 'Topic', version: 1, name: 'a'.repeat(250), topicId: 'x' },
    { type: 'Config', version: 1, resourceType: 'group', resourceName: 'g', name: 'n', value: 'v' },
    { type: 'Config', version: 1, resourceType: 'broker', resourceName: 'b1', name: 'n', value: 'v' },
    { type: 'Config', version: 1, resourceType: 'topic', resourceName: 't', name: '__proto__', value: 'v' },
    { type: 'Partition', version: 1, topicId: 't', partition: 0, replicas: [], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
    { type: 'Partition', version: 1, topicId: 't', partition: 0, replicas: [1, 1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
    { type: 'Partition', version: 1, topicId: 't', partition: 0, replicas: [1], isr: [1], leader: -2, leaderEpoch: 0, partitionEpoch: 0 },
    { type: 'ProducerIds', version: 1, brokerId: 1, brokerEpoch: 1, nextProducerId: 0 },
    { type: 'RequestResult', version: 1, requestId: 'has space', operation: 'createTopics', timestamp: 1, results: [] },
    { type: 'RequestResult', version: 1, requestId: 'x'.repeat(65), operation: 'createTopics', timestamp: 1, results: [] },
    { type: 'RequestResult', version: 1, requestId: 'r', operation: 'createTopics', timestamp: 1, results: [[]] },
    { type: 'RequestResult', version: 1, requestId: 'r', operation: 'createTopics', timestamp: 1, results: [null] },
  ];
  for (const c of cases) {
    assert.throws(() => decodeMetadataRecord(Buffer.from(JSON.stringify(c))), MetadataRecordError, JSON.stringify(c));
    assert.throws(() => encodeMetadataRecord(c as MetadataRecord), MetadataRecordError, JSON.stringify(c));
  }
  assert.throws(() => decodeMetadataRecord(Buffer.from('{"type":')), MetadataRecordError);
  assert.throws(() => decodeMetadataRecord(Buffer.from([0xff, 0xfe, 0x7b])), MetadataRecordError);
  assert.throws(() => decodeMetadataRecord(Buffer.alloc(0)), MetadataRecordError);
});
