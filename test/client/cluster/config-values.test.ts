import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigReader, InvalidConfigError } from '../../../client/cluster/config-values.js';
import { ErrorCode } from '../../../client/errors.js';

test('reads numbers, strings and booleans from typed or string values', () => {
  const r = new ConfigReader({ 'a.ms': '15', b: 7, c: 'true', d: false, e: ' x ', f: 'p,q , r' });
  assert.equal(r.int('a.ms', 0), 15);
  assert.equal(r.int('b', 0), 7);
  assert.equal(r.bool('c', false), true);
  assert.equal(r.bool('d', true), false);
  assert.equal(r.string('e', ''), 'x');
  assert.deepEqual(r.stringList('f'), ['p', 'q', 'r']);
  assert.equal(r.int('missing', 42), 42);
  assert.deepEqual(new ConfigReader({ x: 1, y: 2 }).unusedKeys(), ['x', 'y']);
});

test('bad values are InvalidConfigError(INVALID_CONFIG) naming the key', () => {
  const r = new ConfigReader({ n: '1.5', m: '-3', b: 'yes', o: 'sideways' });
  const check = (fn: () => unknown, key: string) =>
    assert.throws(fn, (err: InvalidConfigError) => err instanceof InvalidConfigError && err.key === key && err.code === ErrorCode.INVALID_CONFIG && err.message.startsWith(`${key}:`));
  check(() => r.int('n', 0), 'n');
  check(() => r.int('m', 0, { min: 0 }), 'm');
  check(() => r.bool('b', false), 'b');
  check(() => r.oneOf('o', 'up', ['up', 'down']), 'o');
});
