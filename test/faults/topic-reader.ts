// Reads a whole topic back for the checker: every partition from its log start offset to its end
// (the high watermark, what a consumer may see), through the SDK's Admin (ListOffsets) and Consumer
// (assign + seek), so that each partition is read from whichever node leads it.
import { Admin, Consumer, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../client/index.js';

export interface LogRecord {
  partition: number;
  offset: number;
  /** null for a record without a value (the workload never writes one). */
  value: string | null;
}

export interface PartitionLog {
  partition: number;
  startOffset: number;
  endOffset: number;
  /** In the order the consumer returned them. */
  records: LogRecord[];
}

export async function readTopic(bootstrap: string, topic: string, partitions: number, timeoutMs = 30_000): Promise<PartitionLog[]> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  let bounds: { start: number; end: number }[];
  try {
    const ids = Array.from({ length: partitions }, (_, partition) => partition);
    const starts = await admin.listOffsets(ids.map((partition) => ({ topic, partition, timestamp: EARLIEST_TIMESTAMP })));
    const ends = await admin.listOffsets(ids.map((partition) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
    bounds = ids.map((p) => ({ start: starts[p]!.offset, end: ends[p]!.offset }));
  } finally {
    await admin.close();
  }
  const logs: PartitionLog[] = bounds.map(({ start, end }, partition) => ({ partition, startOffset: start, endOffset: end, records: [] }));
  const open = logs.filter((l) => l.endOffset > l.startOffset);
  if (open.length === 0) return logs;
  const consumer = new Consumer({ 'bootstrap.servers': bootstrap, 'auto.offset.reset': 'none', 'max.poll.records': 5000 });
  try {
    consumer.assign(open.map((l) => ({ topic, partition: l.partition })));
    for (const l of open) consumer.seek({ topic, partition: l.partition }, l.startOffset);
    const next = new Map(open.map((l) => [l.partition, l.startOffset]));
    const deadline = Date.now() + timeoutMs;
    while (open.some((l) => next.get(l.partition)! < l.endOffset)) {
      if (Date.now() >= deadline) {
        const progress = open.map((l) => `${l.partition}: ${next.get(l.partition)}/${l.endOffset}`).join(', ');
        throw new Error(`reading ${topic} back did not reach the end offsets in ${timeoutMs} ms (partition: next/end ${progress})`);
      }
      for (const r of await consumer.poll(500)) {
        const log = logs[r.partition]!;
        // Records at or past the end offset arrived after it was taken: not part of this read.
        if (r.offset >= log.endOffset) continue;
        log.records.push({ partition: r.partition, offset: r.offset, value: r.value === null ? null : r.value.toString() });
        next.set(r.partition, r.offset + 1);
      }
    }
  } finally {
    await consumer.close();
  }
  return logs;
}
