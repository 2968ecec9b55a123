// Malformed batches with right CRCs, sent to a real broker process with raw gRPC Produce calls: each
// is refused with its named error per partition, the log end does not move, the good records sent
// around them are read back intact by the SDK's Consumer, and the broker keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, ErrorCode, errorName } from '../../../client/index.js';
import type { ProduceResponse__Output } from '../../../client/wire/generated/strait/v1/ProduceResponse.js';
import { adminClient, brokerClient, rpc, within } from '../../helpers/grpc-clients.js';
import { batchOf, createTopic, latestOffset, produce } from '../../helpers/broker-calls.js';
import { malformedBatches, rawBatch, records } from '../../helpers/malformed-batches.js';
import { pollUntil, randomTopic, startTestBroker } from '../../client/helpers/client-broker.js';

test('a broker process refuses malformed batches, writes none of them, and keeps serving', async (t) => {
  const broker = await startTestBroker(t);
  const client = brokerClient(broker.address);
  const admin = adminClient(broker.address);
  t.after(() => { client.close(); admin.close(); });
  const topic = randomTopic();
  assert.equal((await createTopic(admin, topic, 2)).topics[0]!.errorCode, ErrorCode.NONE);

  // The good values of partition 0, in the order the broker acknowledged them.
  const written: string[] = [];
  const produceGood = async (value: string): Promise<void> => {
    const res = await produce(client, topic, 0, batchOf([value]));
    assert.equal(res.errorCode, ErrorCode.NONE, res.errorMessage);
    assert.equal(res.baseOffset, written.length);
    written.push(value);
  };

  await t.test('each malformed batch gets its error and moves nothing', async (tt) => {
    for (const [i, c] of malformedBatches().entries()) {
      await tt.test(c.name, async () => {
        await produceGood(`before ${i}`);
        const before = await latestOffset(client, topic);
        const res = await produce(client, topic, 0, c.bytes);
        // A produce request carries one batch per partition (Kafka's rule): the handler refuses an
        // append of two before the log judges their contents.
        const twoBatches = c.name.startsWith('batch 1 of 2');
        assert.equal(errorName(res.errorCode), errorName(twoBatches ? ErrorCode.INVALID_RECORD : c.code), res.errorMessage);
        assert.match(res.errorMessage, twoBatches ? /one record batch per partition/ : c.message);
        assert.equal(res.baseOffset, -1);
        assert.equal(await latestOffset(client, topic), before, 'the log end offset moved');
        await produceGood(`after ${i}`);
      });
    }
  });

  await t.test('in one request, the malformed partition is refused and the other one written', async () => {
    const before = await latestOffset(client, topic, 0);
    const res = await rpc<ProduceResponse__Output>((cb) => client.Produce({
      acks: -1,
      timeoutMs: 5000,
      topics: [{ name: topic, partitions: [
        { partition: 0, records: rawBatch(records(3), { lastOffsetDelta: 9 }) },
        { partition: 1, records: batchOf(['p1-a', 'p1-b']) },
      ] }],
    }, within(10_000), cb));
    const [p0, p1] = res.topics[0]!.partitions;
    assert.equal(errorName(p0!.errorCode), 'INVALID_RECORD', p0!.errorMessage);
    assert.equal(p1!.errorCode, ErrorCode.NONE, p1!.errorMessage);
    assert.equal(await latestOffset(client, topic, 0), before);
    assert.equal(await latestOffset(client, topic, 1), 2);
  });

  await t.test('a compacted topic refuses a keyless record and keeps the keyed ones around it', async () => {
    const compacted = randomTopic();
    assert.equal((await createTopic(admin, compacted, 1, { 'cleanup.policy': 'compact' })).topics[0]!.errorCode, ErrorCode.NONE);
    const keyed = (value: string): Buffer => rawBatch([{ offsetDelta: 0, key: Buffer.from('k'), value: Buffer.from(value) }]);
    assert.equal((await produce(client, compacted, 0, keyed('a'))).errorCode, ErrorCode.NONE);
    const keyless = await produce(client, compacted, 0, rawBatch([{ offsetDelta: 0 }, { offsetDelta: 1, key: null }]));
    assert.equal(errorName(keyless.errorCode), 'INVALID_RECORD');
    assert.match(keyless.errorMessage, /batch 0: record 1 has no key/);
    assert.equal(await latestOffset(client, compacted), 1);
    assert.equal((await produce(client, compacted, 0, keyed('b'))).baseOffset, 1);
  });

  await t.test('the SDK consumer reads every good record back intact, at consecutive offsets', async () => {
    const consumer = new Consumer({ 'bootstrap.servers': broker.address, 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': '200' });
    t.after(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const got = await pollUntil((ms) => consumer.poll(ms), written.length, 30_000);
    assert.deepEqual(got.map((r) => [r.offset, r.value?.toString()]), written.map((value, offset) => [offset, value]));
  });

  await t.test('the broker process is still up and serving', async () => {
    assert.doesNotThrow(() => process.kill(broker.pid, 0));
    await produceGood('last');
    assert.doesNotMatch(broker.output(), /"level":(50|60)/, 'the broker logged an unexpected error');
  });
});
