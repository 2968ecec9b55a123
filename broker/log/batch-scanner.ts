// Walks the record batches of a segment file from a position, reading the file in large chunks so
// that many small batches cost one read. Header mode trusts the file (normal reads); checked mode
// loads each whole batch and verifies length, magic and CRC (recovery).
import fs from 'node:fs';
import { checkBatch, LOG_OVERHEAD, BATCH_LENGTH, RECORD_BATCH_OVERHEAD } from '../../client/index.js';


export type ScanStep =
  | { kind: 'batch'; position: number; size: number; buf: Buffer; at: number }
  | { kind: 'end'; position: number }
  | { kind: 'bad'; position: number; problem: string };

export class BatchScanner {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  private position: number;

  /** chunkSize: how much to read at a time; a batch larger than that is read whole. */
  constructor(private readonly fd: number, private readonly fileSize: number, start: number, private readonly chunkSize: number) {
    this.position = start;
  }

  /** The next batch; `checked` verifies it whole (and loads it whole into buf). */
  next(checked: boolean): ScanStep {
    const position = this.position;
    const remaining = this.fileSize - position;
    if (remaining <= 0) return { kind: 'end', position };
    if (remaining < RECORD_BATCH_OVERHEAD) {
      return { kind: 'bad', position, problem: `${remaining} bytes left, a batch header needs ${RECORD_BATCH_OVERHEAD}` };
    }
    this.ensure(position, RECORD_BATCH_OVERHEAD);
    const at = position - this.chunkStart;
    const size = LOG_OVERHEAD + this.chunk.readInt32BE(at + BATCH_LENGTH);
    if (size < RECORD_BATCH_OVERHEAD) return { kind: 'bad', position, problem: `batch length ${size - LOG_OVERHEAD} is smaller than a batch header` };
    if (size > remaining) return { kind: 'bad', position, problem: `batch of ${size} bytes but only ${remaining} bytes left in the file` };
    if (checked) {
      this.ensure(position, size);
      const whole = this.chunk.subarray(position - this.chunkStart, position - this.chunkStart + size);
      const check = checkBatch(whole, 0, true);
      if ('kind' in check) return { kind: 'bad', position, problem: check.message };
    }
    this.position = position + size;
    return { kind: 'batch', position, size, buf: this.chunk, at: position - this.chunkStart };
  }

  /** Makes [position, position + length) available in the chunk. */
  private ensure(position: number, length: number): void {
    const at = position - this.chunkStart;
    if (at >= 0 && at + length <= this.chunk.length) return;
    const want = Math.min(Math.max(length, this.chunkSize), this.fileSize - position);
    const buf = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const n = fs.readSync(this.fd, buf, done, want - done, position + done);
      if (n === 0) break;
      done += n;
    }
    this.chunk = buf.subarray(0, done);
    this.chunkStart = position;
  }
}
