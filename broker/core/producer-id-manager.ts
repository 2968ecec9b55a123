// Hands out producer ids from blocks whose end is persisted before any id of the block is used, so
// an id is never given twice, even across a crash: after a restart allocation resumes at the next
// block. (Kafka's controller hands out blocks the same way through the metadata log.)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block.json';
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdFileError extends Error {
  constructor(file: string, problem: string) {
    super(`producer id block ${file}: ${problem}`);
    this.name = 'ProducerIdFileError';
  }
}

export class ProducerIdManager {
  readonly file: string;
  private next: number;
  /** Exclusive end of the block in use; everything below it is reserved on disk. */
  private blockEnd: number;

  constructor(dataDir: string, private readonly blockSize = PRODUCER_ID_BLOCK_SIZE) {
    this.file = path.join(dataDir, PRODUCER_ID_BLOCK_FILE);
    let start = 0;
    if (existsSync(this.file)) {
      let doc: { nextBlockStart?: unknown };
      try {
        doc = JSON.parse(readFileSync(this.file, 'utf8')) as { nextBlockStart?: unknown };
      } catch (err) {
        throw new ProducerIdFileError(this.file, `not valid JSON (${(err as Error).message})`);
      }
      if (!Number.isSafeInteger(doc?.nextBlockStart) || (doc.nextBlockStart as number) < 0) {
        throw new ProducerIdFileError(this.file, 'nextBlockStart is not a non-negative integer');
      }
      start = doc.nextBlockStart as number;
    }
    this.next = start;
    this.blockEnd = start;
  }

  /** True for an id this node has handed out (before or after a restart). */
  isIssued(id: number): boolean {
    return Number.isSafeInteger(id) && id >= 0 && id < this.next;
  }

  /** The next unused producer id. */
  allocate(): number {
    if (this.next >= this.blockEnd) {
      const end = this.next + this.blockSize;
      if (!Number.isSafeInteger(end)) throw new RangeError('producer ids exhausted');
      writeFileAtomic(this.file, JSON.stringify({ nextBlockStart: end }) + '\n');
      this.blockEnd = end;
    }
    return this.next++;
  }
}
