import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointLedger } from '../../../mirror/index.js';

const cp = (upstream: number, downstream: number, group = 'g') => ({ group, topic: 'A.t', partition: 0, upstream, downstream, metadata: '' });

test('MM2\'s checkpointIsMoreRecent: the first, a rewind of the group, a downstream advance; never a lower downstream for the same or a later upstream', () => {
  const ledger = new CheckpointLedger();
  assert.equal(ledger.supersedes(cp(50, 45)), true, 'the first');
  ledger.record(cp(50, 45));
  assert.equal(ledger.supersedes(cp(50, 45)), false, 'a repeat');
  assert.equal(ledger.supersedes(cp(55, 44)), false, 'a poorer translation of a later offset');
  assert.equal(ledger.supersedes(cp(50, 1)), false, 'a poorer translation of the same offset');
  assert.equal(ledger.supersedes(cp(60, 58)), true, 'forward');
  assert.equal(ledger.supersedes(cp(10, 9)), true, 'the group rewound on the source');
  assert.equal(ledger.supersedes(cp(50, 1, 'h')), true, 'groups are apart');
  ledger.load(cp(70, 66, 'h'));
  assert.deepEqual(ledger.ofGroup('h'), [cp(70, 66, 'h')]);
  assert.deepEqual(ledger.groupIds().sort(), ['g', 'h']);
});
