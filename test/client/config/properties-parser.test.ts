import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProperties, PropertiesSyntaxError } from '../../../client/config/properties-parser.js';

const asMap = (text: string): Record<string, string> =>
  Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value]));

test('separators: =, :, whitespace, with surrounding blanks', () => {
  assert.deepEqual(asMap('a=1\nb:2\nc 3\nd   =   4\ne\t:\t5\nf\n'), { a: '1', b: '2', c: '3', d: '4', e: '5', f: '' });
});

test('comments with # and ! and blank lines are skipped; line numbers are kept', () => {
  const entries = parseProperties('# comment\n! other\n\n   \nkey=value\n  # indented comment\nnext=x');
  assert.deepEqual(entries, [
    { key: 'key', value: 'value', line: 5 },
    { key: 'next', value: 'x', line: 7 },
  ]);
});

test('line continuations join lines and drop leading blanks of the next line', () => {
  const entries = parseProperties('list=a,\\\n    b,\\\n    c\nafter=1');
  assert.deepEqual(entries, [
    { key: 'list', value: 'a,b,c', line: 1 },
    { key: 'after', value: '1', line: 4 },
  ]);
});

test('an even number of trailing backslashes is not a continuation', () => {
  assert.deepEqual(asMap('path=C:\\\\\nnext=1'), { path: 'C:\\', next: '1' });
});

test('escapes: \\t \\n \\u0041-style unicode, escaped separators in keys', () => {
  assert.deepEqual(asMap('k\\=ey\\:x\\ y=v\\tw\\u0041\\n'), { 'k=ey:x y': 'v\twA\n' });
});

test('a malformed \\u escape is a PropertiesSyntaxError with its line', () => {
  assert.throws(() => parseProperties('ok=1\nbad=\\u12'), (err: unknown) => err instanceof PropertiesSyntaxError && err.line === 2);
});

test('a later duplicate wins when turned into a map', () => {
  assert.deepEqual(asMap('a=1\na=2'), { a: '2' });
});

test('property: simple key=value lines round-trip', () => {
  const key = fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/);
  const value = fc.stringMatching(/^[A-Za-z0-9,./:_-]{0,30}$/);
  fc.assert(fc.property(fc.dictionary(key, value), (dict) => {
    const text = Object.entries(dict).map(([k, v]) => `${k}=${v}`).join('\n');
    assert.deepEqual(asMap(text), { ...dict });
  }));
});
