// What subscribe() accepts and how it travels in the join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubscription, sameSubscription, subscriptionFields } from '../../../client/consumer/subscription.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

test('topic names: sorted, without repeats; a pattern: its source', () => {
  const names = parseSubscription(['orders', 'audit', 'orders']);
  assert.deepEqual(names, { kind: 'topics', topics: ['audit', 'orders'] });
  assert.deepEqual(subscriptionFields(names), { subscribedTopics: ['audit', 'orders'], subscribedTopicRegex: '' });
  const pattern = parseSubscription(/orders-.*/);
  assert.deepEqual(subscriptionFields(pattern), { subscribedTopics: [], subscribedTopicRegex: 'orders-.*' });
});

test('bad input is a named error', () => {
  const cases: [unknown, number][] = [
    [['bad name'], ErrorCode.INVALID_TOPIC_EXCEPTION],
    [[''], ErrorCode.INVALID_TOPIC_EXCEPTION],
    [['..'], ErrorCode.INVALID_TOPIC_EXCEPTION],
    [['x'.repeat(250)], ErrorCode.INVALID_TOPIC_EXCEPTION],
    [[42], ErrorCode.INVALID_TOPIC_EXCEPTION],
    [/orders/i, ErrorCode.INVALID_REQUEST],
    [new RegExp(''), ErrorCode.INVALID_REQUEST],
    ['orders', ErrorCode.INVALID_REQUEST],
  ];
  for (const [input, code] of cases) {
    assert.throws(() => parseSubscription(input as string[]), (e: StraitError) => e.code === code, String(input));
  }
  // A /g or /y flag changes nothing about which names match, so it is allowed.
  assert.equal(parseSubscription(/a.*/g).kind, 'pattern');
});

test('sameSubscription compares names as sets and patterns by source', () => {
  assert.ok(sameSubscription(parseSubscription(['b', 'a']), parseSubscription(['a', 'b', 'a'])));
  assert.ok(!sameSubscription(parseSubscription(['a']), parseSubscription(['a', 'b'])));
  assert.ok(sameSubscription(parseSubscription(/x.*/), parseSubscription(/x.*/)));
  assert.ok(!sameSubscription(parseSubscription(/x.*/), parseSubscription(['x'])));
});
