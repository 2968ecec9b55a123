// Idempotent-producer state of one partition (Kafka's ProducerStateManager, without transactions):
// per producer id the current epoch and the last five batches' sequence and offset ranges, so that a
// retried batch is recognised and a gap in sequences is refused. Snapshots make it survive restarts.
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, StraitError, NO_PRODUCER_EPOCH } from '../../client/index.js';
import { writeFileAtomic } from './checkpoint-file.js';
import { formatOffset } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
/** Kafka keeps the metadata of this many batches per producer for duplicate detection. */
export const NUM_BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;
/** Version 2 adds each producer's lastTimestamp (producer.id.expiration.ms); version 1 files still load. */
const SNAPSHOT_VERSION = 2;

export interface ProducerBatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  batches: ProducerBatchMetadata[];
  /** When the producer last wrote (ms): the broker's clock on append, the batch's maxTimestamp on
   * replay (as Kafka does). Drives expiry after producer.id.expiration.ms. */
  lastTimestamp: number;
}

/** What the idempotence check needs from a batch header. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

/** One batch's fate in an append: new, or an exact re-send of one of its producer's retained batches. */
export type BatchVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'duplicate'; readonly firstOffset: number; readonly lastOffset: number };

const NEW: BatchVerdict = { kind: 'new' };

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from INT32_MAX to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

function lastSequenceOf(batch: ProducerBatch): number {
  return incrementSequence(batch.baseSequence, batch.lastOffsetDelta);
}

export class ProducerStateManager {
  private producers = new Map<number, ProducerEntry>();

  constructor(readonly dir: string) {}

  get producerCount(): number {
    return this.producers.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Judges each batch of one leader append on its own, in order, as if the earlier new ones were
   * already in (Kafka's ProducerAppendInfo): a batch that exactly matches one of its producer's last
   * five batches of the same epoch is a duplicate (its original offsets); otherwise it must carry the
   * next sequence of its epoch, or sequence 0 of a newer epoch. Throws INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE_NUMBER naming the batch. Changes no state.
   */
  validate(batches: readonly ProducerBatch[]): BatchVerdict[] {
    const staged = new Map<number, { epoch: number; lastSeq: number | undefined }>();
    return batches.map((batch, index) => {
      if (batch.producerId < 0) return NEW;
      const known = this.producers.get(batch.producerId);
      const current = staged.get(batch.producerId)
        ?? (known ? { epoch: known.epoch, lastSeq: known.batches.at(-1)?.lastSeq } : undefined);
      const lastSeq = lastSequenceOf(batch);
      const where = `batch ${index}: producer ${batch.producerId}`;
      if (current && batch.producerEpoch < current.epoch) {
        throw new StraitError(ErrorCode.INVALID_PRODUCER_EPOCH,
          `${where} epoch ${batch.producerEpoch} is older than the current epoch ${current.epoch}`);
      }
      // A duplicate is only one of the batches already in the log, and only before this append has
      // moved the producer on: a re-send after a new batch would be out of order in Kafka too.
      if (!staged.has(batch.producerId) && known && known.epoch === batch.producerEpoch) {
        const dup = known.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
        if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
      }
      if (current && batch.producerEpoch > current.epoch) {
        if (batch.baseSequence !== 0 && current.epoch !== NO_PRODUCER_EPOCH) {
          throw new StraitError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            `${where} starts epoch ${batch.producerEpoch} at sequence ${batch.baseSequence}, expected 0`);
        }
      } else if (current && current.lastSeq !== undefined && batch.baseSequence !== incrementSequence(current.lastSeq, 1)) {
        throw new StraitError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `${where} sent sequence ${batch.baseSequence}, expected ${incrementSequence(current.lastSeq, 1)}`);
      }
      // An unknown producer is accepted at any sequence, as Kafka does: its state may have been lost
      // to retention, expiry or truncation, and refusing it would wedge the producer for good.
      staged.set(batch.producerId, { epoch: batch.producerEpoch, lastSeq });
      return NEW;
    });
  }

  /** Records a batch that is now in the log (leader append, follower append, or replay). */
  update(batch: ProducerBatch, firstOffset: number, timestamp: number): void {
    if (batch.producerId < 0) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch > entry.epoch) {
      entry = { producerId: batch.producerId, epoch: batch.producerEpoch, batches: [], lastTimestamp: timestamp };
      this.producers.set(batch.producerId, entry);
    } else if (batch.producerEpoch < entry.epoch) {
      return;
    }
    entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequenceOf(batch),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
    });
    if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
  }

  /** Forgets producers idle for expirationMs or more (Kafka's producer.id.expiration.ms); returns
   * how many. A forgotten producer's next batch is accepted at any sequence, as a new one. */
  removeExpired(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (now - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.producers.clear();
  }

  snapshotPath(offset: number): string {
    return path.join(this.dir, formatOffset(offset) + SNAPSHOT_SUFFIX);
  }

  /** Snapshot offsets on disk, ascending. */
  listSnapshots(): number[] {
    return fs.readdirSync(this.dir)
      .filter((f) => /^\d{20}\.snapshot$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .filter((n) => Number.isSafeInteger(n))
      .sort((a, b) => a - b);
  }

  /** Writes the state as of `offset` (the log end offset) and keeps only the two newest snapshots. */
  takeSnapshot(offset: number): void {
    const body = { version: SNAPSHOT_VERSION, offset, producers: [...this.producers.values()] };
    writeFileAtomic(this.snapshotPath(offset), JSON.stringify(body));
    const all = this.listSnapshots();
    for (const old of all.slice(0, Math.max(0, all.length - 2))) fs.rmSync(this.snapshotPath(old), { force: true });
  }

  deleteSnapshotsAbove(offset: number): void {
    for (const s of this.listSnapshots()) if (s > offset) fs.rmSync(this.snapshotPath(s), { force: true });
  }

  deleteAllSnapshots(): void {
    for (const s of this.listSnapshots()) fs.rmSync(this.snapshotPath(s), { force: true });
  }

  /** Loads the newest readable snapshot at or below maxOffset and returns its offset (the point to
   * replay the log from), or undefined when there is none. Unreadable snapshots are deleted and
   * reported through onCorrupt. */
  loadSnapshot(maxOffset: number, now: number, onCorrupt: (file: string, err: Error) => void): number | undefined {
    this.producers.clear();
    const candidates = this.listSnapshots().filter((s) => s <= maxOffset).reverse();
    for (const offset of candidates) {
      const file = this.snapshotPath(offset);
      try {
        this.producers = parseSnapshot(fs.readFileSync(file, 'utf8'), offset, now);
        return offset;
      } catch (err) {
        onCorrupt(file, err as Error);
        fs.rmSync(file, { force: true });
      }
    }
    return undefined;
  }
}

function parseSnapshot(text: string, offset: number, loadedAt: number): Map<number, ProducerEntry> {
  const body = JSON.parse(text) as { version?: unknown; offset?: unknown; producers?: unknown };
  const version = body.version;
  if ((version !== 1 && version !== SNAPSHOT_VERSION) || body.offset !== offset || !Array.isArray(body.producers)) {
    throw new Error('snapshot header does not match its file name or version');
  }
  const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
  const out = new Map<number, ProducerEntry>();
  for (const p of body.producers as ProducerEntry[]) {
    if (!isInt(p?.producerId) || !isInt(p.epoch) || !Array.isArray(p.batches)) throw new Error('malformed producer entry');
    for (const b of p.batches) {
      if (!isInt(b?.firstSeq) || !isInt(b.lastSeq) || !isInt(b.firstOffset) || !isInt(b.lastOffset)) throw new Error('malformed batch entry');
    }
    // A version 1 snapshot has no timestamps: its producers count as active from the load on.
    const lastTimestamp = version === 1 ? loadedAt : p.lastTimestamp;
    if (!isInt(lastTimestamp)) throw new Error('malformed producer timestamp');
    out.set(p.producerId, { producerId: p.producerId, epoch: p.epoch, batches: p.batches.slice(-NUM_BATCHES_TO_RETAIN), lastTimestamp });
  }
  return out;
}
