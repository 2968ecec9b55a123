// Model-based test of the broker's idempotence checks: random producers append batches (next
// sequences, re-sends of recent and old batches, gaps, epoch bumps and stale epochs, appends that
// begin with a duplicate and go on with new batches) to a real Log, which is closed and reopened,
// crash-copied and truncated along the way; every answer is compared with a reference model that
// keeps the whole history and derives each producer's five-batch window from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { incrementSequence } from '../../../broker/log/producer-state.js';
import type { Log } from '../../../broker/log/log.js';
import { batch, openLog, tempDir } from './helpers.js';

interface Written {
  producerId: number;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface BatchSpec {
  producerId: number;
  epoch: number;
  baseSequence: number;
  count: number;
}

type Outcome =
  | { kind: 'appended'; firstOffset: number; lastOffset: number }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; code: number };

/** The reference: the log as a list of batches; a producer's state is whatever that list implies. */
class Model {
  history: Written[] = [];
  logEnd = 0;

  private producer(id: number): { epoch: number; window: Written[] } | undefined {
    const mine = this.history.filter((w) => w.producerId === id);
    if (mine.length === 0) return undefined;
    const epoch = mine.at(-1)!.epoch;
    return { epoch, window: mine.filter((w) => w.epoch === epoch).slice(-KAFKA_WINDOW) };
  }

  nextSequence(id: number): number {
    const last = this.producer(id)?.window.at(-1);
    return last ? incrementSequence(last.lastSeq, 1) : 0;
  }

  epoch(id: number): number {
    return this.producer(id)?.epoch ?? 0;
  }

  recent(id: number): Written[] {
    return this.producer(id)?.window ?? [];
  }

  older(id: number): Written[] {
    const recent = new Set(this.recent(id));
    return this.history.filter((w) => w.producerId === id && !recent.has(w));
  }

  /** What the broker must answer for an append of these batches (one partition). */
  append(specs: BatchSpec[]): Outcome {
    const staged = new Map<number, { epoch: number; lastSeq: number | undefined }>();
    let duplicate: Written | undefined;
    for (const b of specs) {
      const known = this.producer(b.producerId);
      const current = staged.get(b.producerId) ?? (known ? { epoch: known.epoch, lastSeq: known.window.at(-1)?.lastSeq } : undefined);
      const lastSeq = incrementSequence(b.baseSequence, b.count - 1);
      if (current && b.epoch < current.epoch) return { kind: 'error', code: ErrorCode.INVALID_PRODUCER_EPOCH };
      if (!staged.has(b.producerId) && known && known.epoch === b.epoch) {
        const dup = known.window.find((w) => w.firstSeq === b.baseSequence && w.lastSeq === lastSeq);
        if (dup) {
          duplicate ??= dup;
          continue;
        }
      }
      const inOrder = current === undefined || (b.epoch > current.epoch ? b.baseSequence === 0 : current.lastSeq === undefined || b.baseSequence === incrementSequence(current.lastSeq, 1));
      if (!inOrder) return { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
      staged.set(b.producerId, { epoch: b.epoch, lastSeq });
    }
    if (duplicate) {
      return specs.length === 1
        ? { kind: 'duplicate', firstOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset }
        : { kind: 'error', code: ErrorCode.DUPLICATE_SEQUENCE_NUMBER };
    }
    const firstOffset = this.logEnd;
    for (const b of specs) {
      this.history.push({
        producerId: b.producerId, epoch: b.epoch, firstSeq: b.baseSequence, lastSeq: incrementSequence(b.baseSequence, b.count - 1),
        firstOffset: this.logEnd, lastOffset: this.logEnd + b.count - 1,
      });
      this.logEnd += b.count;
    }
    return { kind: 'appended', firstOffset, lastOffset: this.logEnd - 1 };
  }

  truncateTo(offset: number): void {
    this.history = this.history.filter((w) => w.lastOffset < offset);
    this.logEnd = Math.min(this.logEnd, offset);
  }
}

/** How a batch's fields are chosen from the model's state when the operation runs. */
type SeqKind = 'next' | 'recent-dup' | 'old-dup' | 'gap' | 'bump' | 'stale-epoch' | 'wrap';
interface BatchChoice { producer: number; kind: SeqKind; count: number; pick: number }
type Op =
  | { op: 'append'; batches: BatchChoice[] }
  | { op: 'reopen' }
  | { op: 'crash' }
  | { op: 'truncate'; back: number };

const batchChoice = fc.record({
  producer: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom<SeqKind>('next', 'next', 'next', 'recent-dup', 'recent-dup', 'old-dup', 'gap', 'bump', 'stale-epoch', 'wrap'),
  count: fc.integer({ min: 1, max: 3 }),
  pick: fc.nat(),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('append' as const), batches: fc.array(batchChoice, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'crash' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), back: fc.integer({ min: 1, max: 6 }) }) },
);

/** Kafka's ProducerStateManager.NUM_BATCHES_TO_RETAIN, written out: the model must not borrow it. */
const KAFKA_WINDOW = 5;
const PIDS = [1000, 2000, 3000];
const MAX_SEQUENCE = 2147483647;

function resolve(model: Model, c: BatchChoice): BatchSpec {
  const producerId = PIDS[c.producer]!;
  const epoch = model.epoch(producerId);
  const next = { producerId, epoch, baseSequence: model.nextSequence(producerId), count: c.count };
  const from = (list: Written[]): BatchSpec | undefined => {
    const w = list[c.pick % Math.max(1, list.length)];
    return w ? { producerId, epoch: w.epoch, baseSequence: w.firstSeq, count: w.lastOffset - w.firstOffset + 1 } : undefined;
  };
  switch (c.kind) {
    case 'next': return next;
    case 'recent-dup': return from(model.recent(producerId)) ?? next;
    case 'old-dup': return from(model.older(producerId)) ?? next;
    case 'gap': return { ...next, baseSequence: incrementSequence(next.baseSequence, 1 + (c.pick % 3)) };
    case 'bump': return { producerId, epoch: epoch + 1, baseSequence: c.pick % 2 === 0 ? 0 : 1 + (c.pick % 5), count: c.count };
    case 'stale-epoch': return epoch > 0 ? { ...next, epoch: epoch - 1 } : next;
    // An unknown producer is taken at any sequence: start it near the top so its batches wrap to 0.
    case 'wrap': return model.recent(producerId).length === 0 ? { ...next, baseSequence: MAX_SEQUENCE - (c.pick % 3) } : next;
  }
}

function outcomeOf(log: Log, bytes: Buffer): Outcome {
  try {
    const r = log.appendAsLeader(bytes, 0);
    return { kind: r.duplicate ? 'duplicate' : 'appended', firstOffset: r.firstOffset, lastOffset: r.lastOffset };
  } catch (err) {
    if (!(err instanceof StraitError)) throw err;
    return { kind: 'error', code: err.code };
  }
}

test('producer state answers every append as the reference model does, across reopen, crash and truncation', (t) => {
  const root = tempDir(t);
  let run = 0;
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
      let dir = path.join(root, `run-${run++}`);
      fs.mkdirSync(dir);
      const segmentBytes = 400; // small segments: rolls take snapshots along the way
      let log = openLog(dir, { config: { segmentBytes } });
      const model = new Model();
      try {
        for (const [i, o] of ops.entries()) {
          if (o.op === 'append') {
            const specs = o.batches.map((c) => resolve(model, c));
            const bytes = Buffer.concat(specs.map((s) => batch(s.count, { producerId: s.producerId, producerEpoch: s.epoch, baseSequence: s.baseSequence })));
            const expected = model.append(specs);
            assert.deepEqual(outcomeOf(log, bytes), expected, `op ${i}: append ${JSON.stringify(specs)}`);
            assert.equal(log.logEndOffset, model.logEnd, `op ${i}: log end`);
          } else if (o.op === 'reopen') {
            log.close();
            log = openLog(dir, { config: { segmentBytes } });
          } else if (o.op === 'crash') {
            // A copy of the files as they are, without the snapshot a close would write.
            const copy = path.join(root, `run-${run++}`);
            fs.cpSync(dir, copy, { recursive: true });
            log.close();
            dir = copy;
            log = openLog(dir, { config: { segmentBytes }, cleanShutdown: false });
          } else {
            const to = Math.max(0, model.logEnd - o.back);
            // Only at batch boundaries, as replication truncates.
            const boundary = model.history.filter((w) => w.firstOffset <= to).at(-1);
            const at = boundary && boundary.lastOffset >= to ? boundary.firstOffset : to;
            log.truncateTo(at);
            model.truncateTo(at);
          }
        }
      } finally {
        log.close();
      }
    }),
    { numRuns: 150 },
  );
});
