import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceNumbers, incrementSequence } from '../../../client/producer/sequence-numbers.js';

test('sequences count records per partition, from 0', () => {
  const s = new SequenceNumbers();
  assert.equal(s.take('t', 0, 10), 0);
  assert.equal(s.take('t', 0, 5), 10);
  assert.equal(s.take('t', 1, 3), 0);
  assert.equal(s.take('u', 0, 1), 0);
  assert.equal(s.peek('t', 0), 15);
  s.reset();
  assert.equal(s.take('t', 0, 1), 0);
});

test('sequences wrap from 2^31-1 to 0 as Kafka brokers expect', () => {
  const max = 2147483647;
  assert.equal(incrementSequence(max - 2, 2), max);
  assert.equal(incrementSequence(max - 2, 3), 0);
  assert.equal(incrementSequence(max, 1), 0);
  assert.equal(incrementSequence(max - 1, 5), 3);
});
