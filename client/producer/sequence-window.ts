// The idempotent producer's bookkeeping for one partition: which batches carry a sequence number
// of the partition's current producer id and epoch and are not settled yet, and what an answer
// proves about the others.
//
// The invariant that makes retries safe: from the oldest unsettled batch to the newest sequenced one
// there are never more than `capacity` (max.in.flight, at most 5) batches. The broker remembers each
// producer's last five batches per partition, so any batch of ours that it wrote but we have not
// heard about is still inside its window: a re-send is answered with the original offsets, never
// refused as out of order and never written twice.
//
// The broker takes a producer's batches of one epoch only in sequence order. So an acknowledgement
// of a batch proves every earlier one was written, and an OUT_OF_ORDER answer to the oldest batch
// still in doubt proves that the answering leader holds neither it nor any later one. When the window
// holds only batches given up on (expired or failed, the caller told), or when such an answer says
// the leader lacks the rest, the partition moves to a new epoch and those batches take new sequences
// from 0 (KIP-360).
//
// That answer says nothing of other replicas, so it never clears a batch's maybeWritten: an earlier,
// unanswered attempt may have been appended by an old leader that still holds it uncommitted, stays
// in the ISR, and leads again before it truncates (Kafka keeps such a tail then, too).
import type { ProducerBatch } from './producer-batch.js';

const MAX_SEQUENCE = 2147483647;

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from 2^31 - 1 to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > MAX_SEQUENCE - increment ? increment - (MAX_SEQUENCE - sequence) - 1 : sequence + increment;
}

export interface ProducerIdAndEpoch {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** What an OUT_OF_ORDER_SEQUENCE_NUMBER answer means for the batch it refused. */
export type OutOfOrderVerdict =
  /** An earlier batch is still unsettled: this one waits for it and goes again with its sequence. */
  | 'retry'
  /** The leader lacks it; it goes again after the partition's epoch bump, with a new sequence. */
  | 'resequence'
  /** The broker lost our state (the batch before it was acknowledged): the batch fails (maybe
   * written only when one of its attempts went unanswered). */
  | 'fail';

export class SequenceWindow {
  /** The producer id and epoch the window's batches carry; undefined until the next one is sequenced. */
  identity: ProducerIdAndEpoch | undefined;
  private nextSequence = 0;
  /** Unsettled sequenced batches, oldest first (sequence order). Acknowledged ones stay while an
   * earlier one is unsettled, so that they count against the capacity. */
  private readonly entries: ProducerBatch[] = [];
  /** An answer proved every unsettled batch unwritten: move to a new epoch once nothing is in flight. */
  private resequence = false;
  /** The broker has acknowledged a batch of the current identity. Until then one batch at a time:
   * a broker takes an unknown producer's first batch at any sequence (its state may have been lost
   * to retention), so a later batch must not overtake a first one that failed. */
  private confirmed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.length;
  }

  /** True when one more batch may take a sequence number. */
  canAssign(): boolean {
    return this.entries.length < (this.confirmed ? this.capacity : 1);
  }

  /**
   * Gives the batch the next sequence number, under `current` when the window is empty (a new epoch
   * or producer id starts at 0), else under the window's own identity.
   */
  assign(batch: ProducerBatch, current: ProducerIdAndEpoch | undefined): void {
    if (!this.canAssign()) throw new Error('sequence window is full');
    if (this.entries.length === 0 && current !== undefined && !sameIdentity(this.identity, current)) {
      this.identity = current;
      this.nextSequence = 0;
      this.confirmed = false;
    }
    const identity = this.identity;
    if (identity === undefined) throw new Error('no producer id to take a sequence number under');
    batch.producerId = identity.producerId;
    batch.producerEpoch = identity.producerEpoch;
    batch.baseSequence = this.nextSequence;
    this.nextSequence = incrementSequence(this.nextSequence, batch.recordCount);
    this.entries.push(batch);
  }

  /** True when the batch holds a sequence number of this window (a re-send keeps it). */
  holds(batch: ProducerBatch): boolean {
    return this.entries.includes(batch);
  }

  /** The broker has the batch: so it has every earlier one, including those given up on. */
  onAcknowledged(batch: ProducerBatch): void {
    batch.acked = true;
    const i = this.entries.indexOf(batch);
    if (i < 0) return;
    this.confirmed = true;
    for (let j = i - 1; j >= 0; j--) if (this.entries[j]!.abandoned) this.entries.splice(j, 1);
    while (this.entries.length > 0 && this.entries[0]!.acked) this.entries.shift();
  }

  onOutOfOrder(batch: ProducerBatch): OutOfOrderVerdict {
    const i = this.entries.indexOf(batch);
    if (i < 0) return 'retry';
    const before = this.entries.slice(0, i);
    if (before.some((b) => !b.acked && !b.abandoned)) return 'retry';
    // Nothing earlier is in doubt except batches given up on: this leader's last sequence is not the
    // one before this batch, so it holds neither this batch nor any later one. Each keeps the
    // maybeWritten its own attempts left: another replica may hold an earlier one.
    this.resequence = true;
    return before.some((b) => b.abandoned) ? 'resequence' : 'fail';
  }

  /** True when the partition must move to a new epoch before it sends again. */
  needsBump(inFlight: number): boolean {
    if (inFlight > 0 || this.entries.length === 0) return false;
    return this.resequence || this.entries.every((b) => b.acked || b.abandoned);
  }

  /**
   * Empties the window for a new epoch. The unsettled batches lose their sequence numbers (the leader
   * lacks them, so they go again as new batches) but stay where they wait: with nothing in flight,
   * each is in its partition's queue once already, back from its failed attempt.
   */
  bump(): void {
    for (const b of this.entries) if (!b.acked && !b.abandoned) b.baseSequence = -1;
    this.entries.length = 0;
    this.resequence = false;
    this.identity = undefined;
  }
}

function sameIdentity(a: ProducerIdAndEpoch | undefined, b: ProducerIdAndEpoch): boolean {
  return a !== undefined && a.producerId === b.producerId && a.producerEpoch === b.producerEpoch;
}
