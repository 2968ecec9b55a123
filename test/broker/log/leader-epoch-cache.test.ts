import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CorruptCheckpointError } from '../../../broker/log/checkpoint-file.js';
import { LeaderEpochCache } from '../../../broker/log/leader-epoch-cache.js';
import { batch, onCleanup, openLog, tempDir } from './helpers.js';

test('endOffsetFor follows Kafka\'s LeaderEpochFileCache.endOffsetFor', (t) => {
  const cache = new LeaderEpochCache(tempDir(t));
  cache.assign(2, 10);
  cache.assign(4, 25);
  cache.assign(4, 30); // same epoch: no change
  cache.assign(3, 40); // older epoch: no change
  cache.assign(7, 50);
  const leo = 60;
  assert.deepEqual(cache.endOffsetFor(7, leo), { epoch: 7, endOffset: 60 });
  assert.deepEqual(cache.endOffsetFor(4, leo), { epoch: 4, endOffset: 50 });
  assert.deepEqual(cache.endOffsetFor(5, leo), { epoch: 4, endOffset: 50 });
  assert.deepEqual(cache.endOffsetFor(3, leo), { epoch: 2, endOffset: 25 });
  assert.deepEqual(cache.endOffsetFor(1, leo), { epoch: 1, endOffset: 10 });
  assert.equal(cache.endOffsetFor(8, leo), undefined);
  assert.equal(cache.endOffsetFor(-1, leo), undefined);
});

test('the checkpoint file is Kafka\'s format, reloads, and refuses garbage', (t) => {
  const dir = tempDir(t);
  const cache = new LeaderEpochCache(dir);
  cache.assign(1, 0);
  cache.assign(3, 17);
  assert.equal(fs.readFileSync(cache.file, 'utf8'), '0\n2\n1 0\n3 17\n');
  const again = new LeaderEpochCache(dir);
  again.load();
  assert.deepEqual(again.all(), [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 17 }]);
  fs.writeFileSync(cache.file, '0\n2\n3 0\n1 17\n');
  assert.throws(() => again.load(), CorruptCheckpointError);
});

test('truncation from the end and the start', (t) => {
  const cache = new LeaderEpochCache(tempDir(t));
  cache.assign(1, 0);
  cache.assign(2, 10);
  cache.assign(3, 20);
  cache.truncateFromEnd(20);
  assert.deepEqual(cache.all(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 10 }]);
  cache.truncateFromStart(15);
  assert.deepEqual(cache.all(), [{ epoch: 2, startOffset: 15 }]);
  // A new epoch whose start contradicts later entries replaces them.
  cache.assign(5, 12);
  assert.deepEqual(cache.all(), [{ epoch: 5, startOffset: 12 }]);
});

test('a corrupt checkpoint is rebuilt from the batches when the log opens', (t) => {
  const dir = tempDir(t);
  const log = openLog(dir);
  log.appendAsLeader(batch(2), 1);
  log.appendAsLeader(batch(2), 6);
  log.close();
  fs.writeFileSync(`${log.dir}/leader-epoch-checkpoint`, 'nonsense');
  const again = openLog(dir);
  onCleanup(t, () => again.close());
  assert.deepEqual(again.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 6, startOffset: 2 }]);
});
