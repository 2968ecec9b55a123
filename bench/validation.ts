// The leader's append validation alone (broker/log/append-validation.ts), no network, no disk:
// validateBatches over one batch of 100-byte records, again and again, as a producer's append reaches
// it. Uncompressed batches measure the CRC and the record walk; the lz4 row adds the decompression
// the leader does to walk a compressed batch.
import { validateBatches, type ClientAppendRules } from '../broker/log/append-validation.js';
import { CompressionType, RecordBatchBuilder, compressionName } from '../client/index.js';

export interface ValidationResult {
  name: string;
  batchBytes: number;
  recordsPerBatch: number;
  batches: number;
  seconds: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
}

const RECORD_VALUE_BYTES = 100;
/** Each case runs at least this long after its warm-up. */
const MIN_SECONDS = 1;

const rules: ClientAppendRules = {
  origin: 'client',
  maxMessageBytes: 8 * 1024 * 1024,
  requireKeys: false,
  timestampType: 'CreateTime',
};

/** One batch of keyless 100-byte records, as large as fits in batchBytes (uncompressed). */
function batchOf(batchBytes: number, compression: CompressionType): Buffer {
  const builder = new RecordBatchBuilder({ maxBytes: batchBytes, compression });
  const value = Buffer.alloc(RECORD_VALUE_BYTES, 'x');
  const timestamp = Date.now();
  while (builder.tryAppend({ value, timestamp }));
  return builder.build();
}

function measure(name: string, batch: Buffer): ValidationResult {
  const recordsPerBatch = validateBatches(batch, rules)[0]!.header.recordCount;
  for (let i = 0; i < 200; i++) validateBatches(batch, rules);
  let batches = 0;
  const started = process.hrtime.bigint();
  let seconds = 0;
  // Checking the clock every 50 batches keeps its cost out of the figure.
  while (seconds < MIN_SECONDS) {
    for (let i = 0; i < 50; i++) validateBatches(batch, rules);
    batches += 50;
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
  }
  return {
    name,
    batchBytes: batch.length,
    recordsPerBatch,
    batches,
    seconds,
    recordsPerSecond: (batches * recordsPerBatch) / seconds,
    megabytesPerSecond: (batches * batch.length) / seconds / 1e6,
  };
}

export function validationThroughput(): ValidationResult[] {
  const cases: Array<[number, CompressionType]> = [
    [256 * 1024, CompressionType.None],
    [16 * 1024, CompressionType.None],
    [256 * 1024, CompressionType.Lz4],
  ];
  return cases.map(([bytes, compression]) =>
    measure(`validate ${bytes / 1024} KiB batch, ${compressionName(compression)}`, batchOf(bytes, compression)));
}
