// End-to-end latency at a steady rate: each record carries its send time; the consumer, long-polling
// in the same process, records now - sent in an HDR histogram (microseconds).
import * as hdr from 'hdr-histogram-js';
import { Consumer, Producer } from '../client/index.js';
import { deliveryLabel, deliveryOptions, type Delivery } from './throughput.js';

export interface LatencyResult {
  name: string;
  ratePerSecond: number;
  records: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export async function endToEndLatency(
  address: string, topic: string, ratePerSecond: number, seconds: number, size = 100, delivery: Delivery = 'acks=1',
): Promise<LatencyResult> {
  const producer = new Producer({ 'bootstrap.servers': address, ...deliveryOptions(delivery), 'linger.ms': 0 });
  const consumer = new Consumer({ 'bootstrap.servers': address, 'fetch.max.wait.ms': 500, 'fetch.min.bytes': 1 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const total = Math.round(ratePerSecond * seconds);
  const warmup = Math.min(ratePerSecond, 2000);
  consumer.assign([{ topic, partition: 0 }]);
  await consumer.seekToEnd([{ topic, partition: 0 }]);
  await producer.send(topic, { value: Buffer.alloc(size), partition: 0 });

  let received = 0;
  const consuming = (async () => {
    const deadline = Date.now() + (seconds + 30) * 1000;
    while (received < total + 1 && Date.now() < deadline) {
      const records = await consumer.poll(500);
      const now = process.hrtime.bigint();
      for (const r of records) {
        received += 1;
        if (r.value === null || r.value.length < 8) continue;
        const sentAt = r.value.readBigUInt64BE(0);
        // The first records warm up the JIT and connections; they are not measured.
        if (received > warmup) histogram.recordValue(Number((now - sentAt) / 1000n));
      }
    }
  })();

  const started = Date.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * ratePerSecond) / 1000));
    while (sent < due) {
      const value = Buffer.alloc(size);
      value.writeBigUInt64BE(process.hrtime.bigint(), 0);
      pending.push(producer.send(topic, { value, partition: 0 }));
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  await consuming;
  await producer.close();
  await consumer.close();
  if (received < total) throw new Error(`latency run received ${received} of ${total} records`);
  const ms = (us: number): number => us / 1000;
  const out: LatencyResult = {
    name: `end-to-end ${size} B at ${ratePerSecond}/s${delivery === 'acks=1' ? '' : `, ${deliveryLabel(delivery)}`}`,
    ratePerSecond,
    records: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
  };
  histogram.destroy();
  return out;
}
