import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import { awaitReplication, produceOutcome } from '../../../broker/replication/delayed-produce.js';
import { Purgatory } from '../../../broker/replication/purgatory.js';

function progress(init: { leading?: boolean; hw?: number; isr?: number }) {
  const state = { leading: init.leading ?? true, hw: init.hw ?? 0, isr: init.isr ?? 3 };
  return { state, view: { leading: () => state.leading, highWatermark: () => state.hw, effectiveIsrSize: () => state.isr } };
}

test('a produce with acks=all is decided by Kafka\'s checkEnoughReplicasReachOffset', () => {
  assert.equal(produceOutcome(progress({ hw: 9 }).view, 10, 2), undefined, 'waiting: the high watermark is below the batch end');
  assert.equal(produceOutcome(progress({ hw: 10 }).view, 10, 2), ErrorCode.NONE);
  assert.equal(produceOutcome(progress({ hw: 12, isr: 1 }).view, 10, 2), ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    'replicated, but the ISR shrank below min.insync.replicas meanwhile');
  assert.equal(produceOutcome(progress({ hw: 12, leading: false }).view, 10, 2), ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the leadership moved first');
});

test('a waiting produce completes when woken with its high watermark reached, and only then', async () => {
  const purgatory = new Purgatory();
  const { state, view } = progress({ hw: 5 });
  let answer: number | undefined;
  const done = awaitReplication(purgatory, 't', 0, view, 10, 2, 60_000).then((code) => (answer = code));
  purgatory.wake('t', 0);
  await Promise.resolve();
  assert.equal(answer, undefined);
  state.hw = 10;
  purgatory.wake('t', 1);
  await Promise.resolve();
  assert.equal(answer, undefined, 'another partition\'s wake-up does not try it');
  purgatory.wake('t', 0);
  await done;
  assert.equal(answer, ErrorCode.NONE);
  assert.equal(purgatory.size, 0);
});

test('a waiting produce answers NOT_LEADER_OR_FOLLOWER when the leadership ends, REQUEST_TIMED_OUT at its timeout', async () => {
  const purgatory = new Purgatory();
  const moved = progress({ hw: 0 });
  const resigned = awaitReplication(purgatory, 't', 0, moved.view, 10, 2, 60_000);
  moved.state.leading = false;
  purgatory.wake('t', 0);
  assert.equal(await resigned, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const stuck = progress({ hw: 0 });
  assert.equal(await awaitReplication(purgatory, 't', 0, stuck.view, 10, 2, 20), ErrorCode.REQUEST_TIMED_OUT);
  // Already there: answered without waiting.
  assert.equal(await awaitReplication(purgatory, 't', 0, progress({ hw: 10 }).view, 10, 2, 0), ErrorCode.NONE);
  assert.equal(purgatory.size, 0);
});
