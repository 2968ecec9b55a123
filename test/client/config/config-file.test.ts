import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseYamlConfig, readConfigEntries } from '../../../client/index.js';

function tempFile(t: { after(fn: () => void): void }, name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-config-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('a properties file gives its entries with the line each starts on', (t) => {
  const file = tempFile(t, 'x.properties', '# c\nclusters = A, B\nA->B.enabled = true\n');
  assert.deepEqual(readConfigEntries(file), [
    { key: 'clusters', value: 'A, B', line: 2 },
    { key: 'A->B.enabled', value: 'true', line: 3 },
  ]);
});

test('YAML: nested maps, flat dotted keys and A->B keys flatten the same way, each with its line', () => {
  const text = [
    'clusters: [A, B]',
    'A:',
    '  bootstrap.servers: 127.0.0.1:9092',
    '"A->B":',
    '  enabled: true',
    '  topics:',
    '    - orders.*',
    '    - audit',
    'B->A.enabled: false',
  ].join('\n');
  assert.deepEqual(parseYamlConfig(text, 'm.yaml'), [
    { key: 'clusters', value: 'A,B', line: 1 },
    { key: 'A.bootstrap.servers', value: '127.0.0.1:9092', line: 3 },
    { key: 'A->B.enabled', value: 'true', line: 5 },
    { key: 'A->B.topics', value: 'orders.*,audit', line: 6 },
    { key: 'B->A.enabled', value: 'false', line: 9 },
  ]);
});

test('YAML: a key inside a flow map gets its parent\'s line; an empty value is the empty string', () => {
  const text = 'x: 1\n"A->B": {enabled: true, topics: [a, b]}\nempty:\n';
  assert.deepEqual(parseYamlConfig(text, 'm.yaml'), [
    { key: 'x', value: '1', line: 1 },
    { key: 'A->B.enabled', value: 'true', line: 2 },
    { key: 'A->B.topics', value: 'a,b', line: 2 },
    { key: 'empty', value: '', line: 3 },
  ]);
});

test('YAML that does not parse, or is not a map, is a ConfigError with file and line', (t) => {
  assert.throws(() => parseYamlConfig('a: 1\nb: [unclosed\n', 'bad.yaml'), (err: unknown) =>
    err instanceof ConfigError && err.file === 'bad.yaml' && (err.line ?? 0) >= 2);
  assert.throws(() => parseYamlConfig('- a\n- b\n', 'list.yaml'), (err: unknown) => err instanceof ConfigError && err.line === 1);
  const missing = path.join(os.tmpdir(), 'strait-no-such-dir', 'none.properties');
  assert.throws(() => readConfigEntries(missing), (err: unknown) => err instanceof ConfigError && err.file === missing);
  const badEscape = tempFile(t, 'e.properties', 'ok=1\nbad=\\u12\n');
  assert.throws(() => readConfigEntries(badEscape), (err: unknown) => err instanceof ConfigError && err.line === 2 && err.file === badEscape);
});
