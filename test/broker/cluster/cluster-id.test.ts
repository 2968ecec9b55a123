// Cluster ids: Kafka's form, and never one that starts with '-' (a command line would read it as an
// option), re-drawn as Kafka's Uuid.randomUuid() does. fast-check prints the seed of a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isClusterId, randomClusterId } from '../../../broker/cluster/cluster-id.js';

const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
/** 16 bytes whose base64url starts with '-' (value 62: the first byte is 0xf8..0xfb). */
const dashFirst = bytes16.map((b) => {
  b[0] = 0xf8 | (b[0]! & 0x03);
  return b;
});

test('an id that would start with - is drawn again; the first other draw is the id', () => {
  fc.assert(fc.property(fc.array(dashFirst, { maxLength: 8 }), bytes16, (rejected, accepted) => {
    fc.pre(!accepted.toString('base64url').startsWith('-'));
    const draws = [...rejected, accepted];
    let calls = 0;
    const id = randomClusterId(() => draws[calls++]!);
    assert.equal(calls, rejected.length + 1);
    assert.equal(id, accepted.toString('base64url'));
    assert.ok(isClusterId(id));
    assert.ok(!id.startsWith('-'));
  }));
});

test('generated ids are Kafka-form and none starts with -', () => {
  // One random draw in 64 starts with '-': 20,000 ids would include ~300 without the re-draw.
  const ids = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const id = randomClusterId();
    assert.ok(isClusterId(id), id);
    assert.ok(!id.startsWith('-'), id);
    ids.add(id);
  }
  assert.equal(ids.size, 20_000);
});

test('an existing id that starts with - is still a valid cluster id', () => {
  fc.assert(fc.property(dashFirst, (b) => {
    const id = b.toString('base64url');
    assert.ok(id.startsWith('-'));
    assert.ok(isClusterId(id));
  }));
  assert.equal(isClusterId('-'.repeat(21)), false);
  assert.equal(isClusterId('A'.repeat(23)), false);
});
