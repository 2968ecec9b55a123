import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRODUCER_ID_BLOCK_FILE, ProducerIdFileError, ProducerIdManager } from '../../../broker/core/producer-id-manager.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-pid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('ids are unique across restarts, even after a crash mid-block', (t) => {
  const dir = tempDir(t);
  const seen = new Set<number>();
  for (let life = 0; life < 4; life++) {
    const m = new ProducerIdManager(dir, 10);
    // Each life uses part of a block and "crashes" (the object is dropped without any shutdown).
    for (let i = 0; i < 7 + life * 5; i++) {
      const id = m.allocate();
      assert.ok(!seen.has(id), `id ${id} handed out twice`);
      assert.ok(m.isIssued(id));
      seen.add(id);
    }
    assert.ok(!m.isIssued(1_000_000));
  }
});

test('a malformed block file is a named error', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, PRODUCER_ID_BLOCK_FILE), '{"nextBlockStart":-3}');
  assert.throws(() => new ProducerIdManager(dir), ProducerIdFileError);
});
