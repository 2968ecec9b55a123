// Not a test: measures Log append and read throughput for 16 KiB .. 1 MiB batches.
//   npx tsc -p . && node dist/bench/log-append.js [MB per size]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { encodeRecordBatch } from '../client/index.js';
import { Log } from '../broker/log/log.js';
import { defaultTopicConfig } from '../broker/log/topic-config.js';

const totalMb = Number(process.argv[2] ?? 512);
const sizes = [16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024];
const rows: Array<Record<string, string | number>> = [];

for (const target of sizes) {
  const valueSize = 1000;
  const count = Math.max(1, Math.floor(target / (valueSize + 20)));
  const records = Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: Buffer.alloc(valueSize, i & 0xff) }));
  const bytes = encodeRecordBatch(records);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strait-append-bench-'));
  const log = Log.open({
    dir: path.join(dir, 'bench-0'), topic: 'bench', partition: 0,
    config: { ...defaultTopicConfig(), maxMessageBytes: 2 * 1024 * 1024 }, logger: pino({ level: 'silent' }),
  });
  const appends = Math.ceil((totalMb * 1024 * 1024) / bytes.length);
  const start = process.hrtime.bigint();
  for (let i = 0; i < appends; i++) log.appendAsLeader(bytes, 0);
  const appendSec = Number(process.hrtime.bigint() - start) / 1e9;
  const written = appends * bytes.length;

  const readStart = process.hrtime.bigint();
  let offset = 0;
  let read = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 4 * 1024 * 1024, { minOneBatch: true });
    read += r.records.length;
    const lastBase = r.records.readInt32BE(r.records.length - bytes.length) * 2 ** 32 + r.records.readUInt32BE(r.records.length - bytes.length + 4);
    offset = lastBase + count;
  }
  const readSec = Number(process.hrtime.bigint() - readStart) / 1e9;
  log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push({
    batch: `${Math.round(bytes.length / 1024)} KiB`,
    appends,
    'appends/s': Math.round(appends / appendSec),
    'append MB/s': Math.round(written / 1e6 / appendSec),
    'read MB/s': Math.round(read / 1e6 / readSec),
    segments: Math.ceil(written / defaultTopicConfig().segmentBytes),
  });
}
console.table(rows);
