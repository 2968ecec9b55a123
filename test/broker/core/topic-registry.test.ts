import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileTopicRegistry, TOPIC_REGISTRY_FILE, TopicRegistryFileError } from '../../../broker/core/topic-registry.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('changes persist and reload; no temp file is left behind', (t) => {
  const dir = tempDir(t);
  const r = new FileTopicRegistry(dir);
  const a = r.create('a', 3, { 'retention.ms': '1' });
  r.create('b', 1, {});
  r.setPartitions('a', 5);
  r.setConfigs('b', { 'cleanup.policy': 'compact' });
  r.create('c', 1, {});
  assert.equal(r.delete('c'), true);
  assert.equal(r.delete('c'), false);
  const again = new FileTopicRegistry(dir);
  assert.deepEqual(again.get('a'), { name: 'a', topicId: a.topicId, partitions: 5, configs: { 'retention.ms': '1' } });
  assert.deepEqual(again.get('b')?.configs, { 'cleanup.policy': 'compact' });
  assert.equal(again.get('c'), undefined);
  assert.deepEqual(readdirSync(dir), [TOPIC_REGISTRY_FILE]);
});

test('a malformed file is a named error, not a crash or a silent reset', (t) => {
  const dir = tempDir(t);
  for (const text of ['{not json', '{"version":9,"topics":[]}', '{"version":1,"topics":[{"name":"a","topicId":"x","partitions":0,"configs":{}}]}']) {
    writeFileSync(path.join(dir, TOPIC_REGISTRY_FILE), text);
    assert.throws(() => new FileTopicRegistry(dir), TopicRegistryFileError, text);
  }
});
