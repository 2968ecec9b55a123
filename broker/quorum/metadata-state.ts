// The node's applied view of the metadata log: the MetadataImage, the last Raft index applied, and
// the callers waiting for an index to be applied. Voters and non-voting brokers both feed it the
// committed entries in order (or a snapshot first); listeners hear about every new image.
import type { Logger } from 'pino';
import { ErrorCode, StraitError } from '../../client/index.js';
import { MetadataApplyError, MetadataImage, MetadataRecordError, type AppliedRecord } from '../metadata/index.js';
import { decodeRecordBatch } from './metadata-batch.js';
import type { LogEntry } from './raft/index.js';

export type ImageListener = (image: MetadataImage, previous: MetadataImage) => void;

interface Waiter {
  index: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class MetadataState {
  private current = MetadataImage.EMPTY;
  private applied = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: ImageListener[] = [];

  constructor(private readonly logger: Logger) {}

  get image(): MetadataImage {
    return this.current;
  }

  /** The last Raft log index applied (noop entries included), 0 before any. */
  get appliedIndex(): number {
    return this.applied;
  }

  onChange(listener: ImageListener): void {
    this.listeners.push(listener);
  }

  /** Replaces the image with a snapshot taken at lastIndex. */
  loadSnapshot(lastIndex: number, data: Buffer): void {
    const image = MetadataImage.fromSnapshot(data);
    this.publish(image, lastIndex);
  }

  /** Applies committed entries in index order; a record the image refuses is logged and skipped
   * (the controller validated it, so only a bug gets here). */
  applyCommitted(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    const records: AppliedRecord[] = [];
    let last = this.applied;
    for (const entry of entries) {
      if (entry.index <= last) continue;
      last = entry.index;
      if (entry.kind !== 'data') continue;
      try {
        records.push(...decodeRecordBatch(entry.index, entry.data));
      } catch (err) {
        if (!(err instanceof MetadataRecordError)) throw err;
        this.logger.error({ err, offset: entry.index }, 'unreadable metadata record skipped');
      }
    }
    let image = this.current;
    try {
      // One decision is one entry: its records apply together or (on a contradiction) one by one.
      image = image.applyAll(records);
    } catch (err) {
      if (!(err instanceof MetadataApplyError)) throw err;
      // Apply one by one so that only the contradicting record is lost.
      for (const r of records) {
        try {
          image = image.apply(r.record, r.offset);
        } catch (inner) {
          if (!(inner instanceof MetadataApplyError)) throw inner;
          this.logger.error({ err: inner, offset: r.offset, type: r.record.type }, 'metadata record contradicts the image; skipped');
        }
      }
    }
    this.publish(image, last);
  }

  private publish(image: MetadataImage, index: number): void {
    const previous = this.current;
    this.current = image;
    this.applied = Math.max(this.applied, index);
    if (image !== previous) {
      for (const listener of this.listeners) {
        try {
          listener(image, previous);
        } catch (err) {
          this.logger.error({ err }, 'metadata listener failed');
        }
      }
    }
    for (const w of this.waiters) {
      if (w.index <= this.applied) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves once the index is applied here; REQUEST_TIMED_OUT after timeoutMs. */
  waitFor(index: number, timeoutMs: number): Promise<void> {
    if (index <= this.applied) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        index, resolve, reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new StraitError(ErrorCode.REQUEST_TIMED_OUT, `Metadata offset ${index} was not applied within ${timeoutMs} ms.`));
        }, Math.max(0, timeoutMs)),
      };
      // A waiting caller (an RPC in flight) keeps the process alive, not this timer.
      waiter.timer.unref();
      this.waiters.add(waiter);
    });
  }

  /** Answers every waiter with the error (shutdown). */
  failAll(err: Error): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
  }
}
