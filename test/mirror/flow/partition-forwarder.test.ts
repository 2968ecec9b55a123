// PartitionForwarder's ordering rules, with a target whose answers the test releases in any order:
// listeners and the recorded position follow partition order whatever order the acknowledgements come
// in; a fetch of control batches only moves the position in turn; a failed batch stops the partition
// (nothing after it counts) until rewind(), which resumes at the last acknowledged position; batches
// queued behind a full window go as one joined batch with every record in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { decodeRecordBatch, encodeRecordBatch, setBaseOffset, StraitError, ErrorCode, type FetchedBatches, type RawBatchMetadata } from '../../../client/index.js';
import { MirrorMetrics } from '../../../mirror/metrics/mirror-metrics.js';
import { PartitionForwarder } from '../../../mirror/flow/partition-forwarder.js';
import type { ForwardedBatch } from '../../../mirror/flow/forwarded-batch.js';

interface Sent { bytes: Buffer; resolve: (m: RawBatchMetadata) => void; reject: (e: StraitError) => void }

function harness(maxInFlightBatches = 5) {
  const sent: Sent[] = [];
  const told: ForwardedBatch[] = [];
  const positions: number[] = [];
  const failures: unknown[] = [];
  let inFlight = 0;
  const forwarder = new PartitionForwarder({
    sourceTopic: 't', remoteTopic: 'A.t', partition: 0, start: 0,
    maxInFlightBatches,
    target: { sendRawBatch: (_topic: string, _partition: number, bytes: Buffer) => new Promise<RawBatchMetadata>((resolve, reject) => sent.push({ bytes, resolve, reject })) },
    listeners: [{ onForwarded: (b) => told.push(b) }],
    metrics: new MirrorMetrics(new Registry(), { defaultMetrics: false }).flow('A', 'B'),
    positions: { record: (_t, _p, next) => positions.push(next) },
    onInFlight: (bytes) => (inFlight += bytes),
    onFailed: (_f, err) => failures.push(err),
    onListenerError: (err) => assert.fail(String(err)),
  });
  return { forwarder, sent, told, positions, failures, inFlight: () => inFlight };
}

function fetched(baseOffset: number, counts: number[], opts: { control?: boolean } = {}): FetchedBatches {
  let offset = baseOffset;
  const parts = counts.map((n) => {
    const b = encodeRecordBatch(Array.from({ length: n }, (_, i) => ({ value: `v${offset + i}`, timestamp: 1000 + offset + i })), opts.control ? { control: true } : {});
    setBaseOffset(b, 0, offset);
    offset += n;
    return b;
  });
  return { topic: 't', partition: 0, records: Buffer.concat(parts), position: baseOffset, nextOffset: offset, highWatermark: offset };
}

const ack = (s: Sent, baseOffset: number): void => s.resolve({ topic: 'A.t', partition: 0, baseOffset, logAppendTime: -1 });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('acknowledgements out of order are reported in partition order, the position after each', async () => {
  const h = harness();
  h.forwarder.forward(fetched(0, [2, 3, 1]));
  assert.equal(h.sent.length, 3);
  ack(h.sent[2]!, 5);
  ack(h.sent[1]!, 2);
  await tick();
  assert.equal(h.told.length, 0);
  assert.equal(h.positions.length, 0);
  ack(h.sent[0]!, 0);
  await tick();
  assert.deepEqual(h.told.map((b) => [b.upstreamOffset, b.lastUpstreamOffset, b.downstreamOffset, b.lastDownstreamOffset, b.recordCount, b.whole]),
    [[0, 1, 0, 1, 2, true], [2, 4, 2, 4, 3, true], [5, 5, 5, 5, 1, true]]);
  assert.deepEqual(h.positions, [6]);
  assert.equal(h.forwarder.acknowledged, 6);
  assert.equal(h.inFlight(), 0);
});

test('a fetch of control batches only moves the position once what came before is acknowledged', async () => {
  const h = harness();
  h.forwarder.forward(fetched(0, [2]));
  h.forwarder.forward(fetched(2, [1], { control: true }));
  assert.equal(h.sent.length, 1);
  assert.equal(h.positions.length, 0);
  ack(h.sent[0]!, 10);
  await tick();
  assert.deepEqual(h.positions, [3]);
});

test('a failed batch stops the partition at the last acknowledged position until rewind', async () => {
  const h = harness();
  h.forwarder.forward(fetched(0, [2, 2, 2]));
  ack(h.sent[0]!, 0);
  h.sent[1]!.reject(new StraitError(ErrorCode.INVALID_RECORD, 'refused'));
  ack(h.sent[2]!, 4);
  await tick();
  assert.equal(h.failures.length, 1);
  assert.equal(h.forwarder.acknowledged, 2, 'nothing after the failed batch counts');
  assert.deepEqual(h.told.map((b) => b.upstreamOffset), [0]);
  h.forwarder.forward(fetched(6, [1]));
  assert.equal(h.sent.length, 3, 'ignored while failed');
  await h.forwarder.idle();
  assert.equal(h.forwarder.rewind(), 2);
  h.forwarder.forward({ ...fetched(0, [2, 2, 2, 1]), position: 2 });
  assert.equal(h.sent.length, 6, 'the batches from the position on go again');
  h.sent.slice(3).forEach((s, i) => ack(s, 10 + 2 * i));
  await tick();
  assert.deepEqual(h.told.map((b) => b.upstreamOffset), [0, 2, 4, 6]);
  assert.equal(h.forwarder.acknowledged, 7);
});

test('batches queued behind a full window are joined into one, records and timestamps in order', async () => {
  const h = harness(2);
  h.forwarder.forward(fetched(0, [2, 3]));
  h.forwarder.forward(fetched(5, [1, 4]));
  assert.equal(h.sent.length, 2, 'two in flight, whole; two wait');
  assert.equal(decodeRecordBatch(h.sent[1]!.bytes).records.length, 3);
  ack(h.sent[0]!, 100);
  await tick();
  assert.equal(h.sent.length, 3, 'the two waiting went as one');
  const joined = decodeRecordBatch(h.sent[2]!.bytes).records;
  assert.deepEqual(joined.map((r) => [r.offset, r.value!.toString(), r.timestamp]), Array.from({ length: 5 }, (_, i) => [i, `v${i + 5}`, 1005 + i]));
  ack(h.sent[1]!, 102);
  ack(h.sent[2]!, 105);
  await tick();
  assert.deepEqual(h.told.map((b) => [b.upstreamOffset, b.lastUpstreamOffset, b.downstreamOffset, b.lastDownstreamOffset, b.recordCount, b.whole]),
    [[0, 1, 100, 101, 2, true], [2, 4, 102, 104, 3, true], [5, 9, 105, 109, 5, false]]);
  assert.equal(h.forwarder.acknowledged, 10);
  assert.equal(h.inFlight(), 0);
});
