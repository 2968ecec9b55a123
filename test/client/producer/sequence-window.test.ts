// What an OUT_OF_ORDER_SEQUENCE_NUMBER answer proves about a partition's unsettled batches: that the
// answering leader does not hold them (so they may take new sequences), never that no replica does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProducerBatch } from '../../../client/producer/producer-batch.js';
import { SequenceWindow } from '../../../client/producer/sequence-window.js';

const IDENTITY = { producerId: 7, producerEpoch: 0 };

function batch(): ProducerBatch {
  const b = new ProducerBatch('t', 0, undefined, 0);
  b.recordCount = 10;
  return b;
}

/** A window whose identity the broker has acknowledged once, so that several batches may be unsettled. */
function confirmedWindow(): SequenceWindow {
  const window = new SequenceWindow(5);
  const first = batch();
  window.assign(first, IDENTITY);
  window.onAcknowledged(first);
  return window;
}

test('OUT_OF_ORDER after a batch given up on re-sequences the later ones and keeps what their own attempts left unknown', () => {
  const window = confirmedWindow();
  const [expired, unanswered, refused] = [batch(), batch(), batch()];
  for (const b of [expired, unanswered, refused]) window.assign(b, IDENTITY);
  expired.maybeWritten = true; // expired in flight
  expired.abandoned = true;
  unanswered.maybeWritten = true; // an attempt timed out: an old leader may have appended it
  assert.equal(window.onOutOfOrder(unanswered), 'resequence');
  assert.equal(unanswered.maybeWritten, true, 'a refusal by this leader does not prove the earlier attempt unwritten');
  assert.equal(refused.maybeWritten, false);
  assert.equal(window.needsBump(0), true);
  window.bump();
  // They go again from where they wait in the queue, as new batches of the next epoch.
  assert.deepEqual([unanswered.baseSequence, refused.baseSequence], [-1, -1]);
  assert.equal(unanswered.maybeWritten, true, 'the bump keeps what the earlier attempt left unknown');
});

test('OUT_OF_ORDER for the batch after an acknowledged one fails it, maybe written when an attempt went unanswered', () => {
  const window = confirmedWindow();
  const unanswered = batch();
  window.assign(unanswered, IDENTITY);
  unanswered.maybeWritten = true;
  assert.equal(window.onOutOfOrder(unanswered), 'fail');
  assert.equal(unanswered.maybeWritten, true);

  const clean = confirmedWindow();
  const answered = batch();
  clean.assign(answered, IDENTITY);
  assert.equal(clean.onOutOfOrder(answered), 'fail');
  assert.equal(answered.maybeWritten, false, 'every attempt answered and refused: certainly not written');
});

test('OUT_OF_ORDER while an earlier batch is still in doubt only asks for a retry', () => {
  const window = confirmedWindow();
  const [earlier, later] = [batch(), batch()];
  window.assign(earlier, IDENTITY);
  window.assign(later, IDENTITY);
  later.maybeWritten = true;
  assert.equal(window.onOutOfOrder(later), 'retry');
  assert.equal(later.maybeWritten, true);
});
