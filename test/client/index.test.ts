// The client's entry is the one door the broker, the mirror and the CLI use into the shared protocol.
// It re-exports the records folder with `export *`, which an explicit export of the same name shadows
// without a word: the name would then mean something else to every module behind the door (the
// RecordBatch header's maxTimestamp position and the ListOffsets query MAX_TIMESTAMP once shared a name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as entry from '../../client/index.js';
import * as records from '../../client/records/index.js';

test('every export of the records folder reaches the entry as the records folder defines it', () => {
  const exported = entry as Record<string, unknown>;
  for (const [name, value] of Object.entries(records)) assert.equal(exported[name], value, `records export ${name}`);
});

test('the generated wire types leave nothing behind at run time', () => {
  assert.equal(Object.hasOwn(entry, 'wire'), false);
});
