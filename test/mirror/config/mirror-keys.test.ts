// mirror/README.md is the configuration reference users read: it must list every key the code knows,
// with the default the code uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOW_KEYS, UNIMPLEMENTED_KEYS, UNIMPLEMENTED_PREFIXES, refusedMirrorKey, unimplementedKey, type FlowKeyDef } from '../../../mirror/config/mirror-keys.js';

const README = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../mirror/README.md'), 'utf8');

test('the README\'s table has a row for every flow setting, with its default', () => {
  const rows = README.split('\n').filter((line) => line.startsWith('| `'));
  for (const [key, def] of Object.entries(FLOW_KEYS) as [string, FlowKeyDef<unknown>][]) {
    const row = rows.find((line) => line.startsWith(`| \`${key}\``));
    assert.ok(row, `a row for ${key}`);
    assert.ok(row.includes(`| \`${def.default}\` |`), `${key}: default ${def.default} in ${row}`);
    if (def.legacyName) assert.ok(row.includes(`\`${def.legacyName}\``), `${key}: its legacy name ${def.legacyName}`);
  }
});

test('the README names every MM2 key Strait does not implement, and every prefix', () => {
  for (const key of Object.keys(UNIMPLEMENTED_KEYS)) assert.ok(README.includes(`\`${key}`), key);
  for (const [prefix] of UNIMPLEMENTED_PREFIXES) assert.ok(README.includes(`\`${prefix}`), prefix);
});

test('a flow setting is never also listed as unimplemented or refused', () => {
  for (const [key, def] of Object.entries(FLOW_KEYS) as [string, FlowKeyDef<unknown>][]) {
    assert.equal(UNIMPLEMENTED_KEYS[key], undefined, key);
    assert.equal(refusedMirrorKey(key, def.default), undefined, key);
  }
  // A prefix that would catch a flow setting is looked at only after the flow settings.
  assert.ok(unimplementedKey('offset.storage.replication.factor'), 'offset.storage.* is Connect\'s, but this one key is the positions topic\'s');
});

test('every default parses (the model is built from them when a file sets nothing)', () => {
  for (const [key, def] of Object.entries(FLOW_KEYS) as [string, FlowKeyDef<unknown>][]) {
    assert.doesNotThrow(() => def.parse(def.default), key);
  }
});
