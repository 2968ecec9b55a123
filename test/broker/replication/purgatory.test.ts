import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Purgatory } from '../../../broker/replication/purgatory.js';

function op(complete: () => boolean) {
  const events: string[] = [];
  return { events, op: { tryComplete: () => { events.push('try'); return complete(); }, expire: () => { events.push('expire'); } } };
}

test('a wake-up reaches only the operations watching that partition', () => {
  const p = new Purgatory();
  const a = op(() => true);
  const b = op(() => true);
  p.watch(a.op, [{ topic: 't', partition: 0 }], 10_000);
  p.watch(b.op, [{ topic: 't', partition: 1 }], 10_000);
  p.wake('t', 0);
  assert.deepEqual(a.events, ['try']);
  assert.deepEqual(b.events, []);
  assert.equal(p.size, 1);
  p.wake('t', 0);
  assert.deepEqual(a.events, ['try'], 'a completed operation is not tried again');
  p.expireAll();
  assert.deepEqual(b.events, ['expire']);
  assert.equal(p.size, 0);
});

test('an operation that is not complete keeps waiting; timeout expires it once', async () => {
  const p = new Purgatory();
  const a = op(() => false);
  p.watch(a.op, [{ topic: 't', partition: 0 }, { topic: 'u', partition: 0 }], 30);
  p.wake('u', 0);
  assert.deepEqual(a.events, ['try']);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(a.events, ['try', 'expire']);
  p.wake('t', 0);
  assert.deepEqual(a.events, ['try', 'expire']);
  assert.equal(p.size, 0);
});

test('cancel removes the wait without expiring it', () => {
  const p = new Purgatory();
  const a = op(() => true);
  const cancel = p.watch(a.op, [{ topic: 't', partition: 0 }], 10_000);
  cancel();
  p.wake('t', 0);
  p.expireAll();
  assert.deepEqual(a.events, []);
});

test('an operation that throws is expired instead of breaking the wake-up', () => {
  const p = new Purgatory();
  const events: string[] = [];
  p.watch({ tryComplete: () => { throw new Error('boom'); }, expire: () => events.push('expire') }, [{ topic: 't', partition: 0 }], 10_000);
  assert.doesNotThrow(() => p.wake('t', 0));
  assert.deepEqual(events, ['expire']);
});
