// Producer and consumer throughput through one broker: records of a fixed size into one partition
// with acks=1, then read back from the beginning.
import { Admin, Consumer, Producer, type OutgoingRecord } from '../client/index.js';

export interface ThroughputResult {
  name: string;
  records: number;
  recordBytes: number;
  seconds: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
}

function result(name: string, records: number, recordBytes: number, seconds: number): ThroughputResult {
  return {
    name,
    records,
    recordBytes,
    seconds,
    recordsPerSecond: records / seconds,
    megabytesPerSecond: (records * recordBytes) / seconds / 1e6,
  };
}

export async function createBenchTopic(address: string, topic: string, partitions = 1): Promise<void> {
  const admin = new Admin({ 'bootstrap.servers': address });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 1 }]);
  } finally {
    await admin.close();
  }
}

/** How the producer acknowledges: the bench's historical rows (acks=1, no idempotence) or the SDK's
 * default contract (acks=all, idempotent). */
export type Delivery = 'acks=1' | 'idempotent';

export function deliveryOptions(delivery: Delivery): Record<string, string | number | boolean> {
  return delivery === 'acks=1' ? { acks: 1, 'enable.idempotence': false } : { acks: 'all', 'enable.idempotence': true };
}

export const deliveryLabel = (delivery: Delivery): string => (delivery === 'acks=1' ? 'acks=1' : 'acks=all, idempotent');

/**
 * Sends `total` records of `size` bytes (keyless) through the bulk path, keeping a bounded number of
 * chunks in flight so memory stays flat. The records go to partition 0, or to partitions
 * 0..partitions-1 in turn.
 */
export async function produceThroughput(
  address: string, topic: string, total: number, size: number, delivery: Delivery = 'acks=1', partitions = 1,
): Promise<ThroughputResult> {
  const producer = new Producer({
    'bootstrap.servers': address,
    ...deliveryOptions(delivery),
    'linger.ms': 5,
    'batch.size': 256 * 1024,
    'max.request.size': 8 * 1024 * 1024,
  });
  const value = Buffer.alloc(size, 'x');
  const chunkSize = 10_000;
  const chunk: OutgoingRecord[] = Array.from({ length: chunkSize }, (_, i) => ({ value, partition: i % partitions, timestamp: 0 }));
  const maxChunksInFlight = 16;
  // Warm up connections and metadata outside the timed section.
  for (let partition = 0; partition < partitions; partition++) await producer.send(topic, { value, partition });
  const inFlight = new Set<Promise<void>>();
  const started = process.hrtime.bigint();
  const now = Date.now();
  for (const r of chunk) r.timestamp = now;
  for (let sent = 0; sent < total; sent += chunkSize) {
    const n = Math.min(chunkSize, total - sent);
    const p = producer.sendMany(topic, n === chunkSize ? chunk : chunk.slice(0, n));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= maxChunksInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.close();
  return result(`produce ${size} B, ${deliveryLabel(delivery)}${partitions > 1 ? `, ${partitions} partitions` : ''}`, total, size, seconds);
}

/**
 * Sends `total` records of `size` bytes one send() call (one promise) each, as an application that
 * produces record by record would; at most `maxPending` unanswered sends so memory stays flat.
 */
export async function produceThroughputPerRecord(address: string, topic: string, total: number, size: number, delivery: Delivery = 'acks=1'): Promise<ThroughputResult> {
  const producer = new Producer({
    'bootstrap.servers': address,
    ...deliveryOptions(delivery),
    'linger.ms': 5,
    'batch.size': 256 * 1024,
    'max.request.size': 8 * 1024 * 1024,
  });
  const value = Buffer.alloc(size, 'x');
  const maxPending = 100_000;
  await producer.send(topic, { value, partition: 0 });
  const started = process.hrtime.bigint();
  // A ring of the unanswered sends: before reusing a slot, wait for the send that held it.
  const ring: (Promise<unknown> | undefined)[] = new Array<Promise<unknown> | undefined>(maxPending);
  for (let sent = 0; sent < total; sent++) {
    const slot = sent % maxPending;
    if (ring[slot]) await ring[slot];
    ring[slot] = producer.send(topic, { value, partition: 0 });
  }
  await Promise.all(ring);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.close();
  return result(`produce ${size} B, ${deliveryLabel(delivery)}, send() per record`, total, size, seconds);
}

/** Reads `total` records of one partition from offset 0 and times it. */
export async function consumeThroughput(address: string, topic: string, total: number, size: number): Promise<ThroughputResult> {
  const consumer = new Consumer({
    'bootstrap.servers': address,
    'auto.offset.reset': 'earliest',
    'max.partition.fetch.bytes': 8 * 1024 * 1024,
    'fetch.max.bytes': 64 * 1024 * 1024,
    // Handed out 10,000 at a time the records die young; 100,000 per poll outlived scavenges and were
    // promoted, and the consumer spent a quarter of its time in GC (see bench/README.md).
    'max.poll.records': 10_000,
  });
  consumer.assign([{ topic, partition: 0 }]);
  consumer.seek({ topic, partition: 0 }, 0);
  let seen = 0;
  let bytes = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + 120_000;
  while (seen < total && Date.now() < deadline) {
    const records = await consumer.poll(1000);
    for (const r of records) bytes += r.value === null ? 0 : r.value.length;
    seen += records.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.close();
  if (seen < total) throw new Error(`consumer saw ${seen} of ${total} records before its deadline`);
  if (bytes < total * size) throw new Error(`consumer read ${bytes} value bytes, expected ${total * size}`);
  return result(`consume ${size} B`, seen, size, seconds);
}
