// The demo's live view: every figure sits under its header column, and a missing one shows as '-'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viewHeader, viewLine } from '../../../cli/demo/demo-view.js';

test('each figure ends where its column header ends', () => {
  const flows = [{ source: 'east', target: 'west' }, { source: 'west', target: 'east' }];
  const [titles, columns] = viewHeader(['east', 'west'], flows).trimEnd().split('\n') as [string, string];
  assert.match(titles, /east in\/s +west in\/s +east -> west +west -> east/);
  const line = viewLine(12.4, [{ region: 'east', producedPerSec: 512.4 }, { region: 'west', producedPerSec: undefined }], [
    { ...flows[0]!, recordsPerSec: 498, lagRecords: 1234, lagSeconds: 0.75, latencyP50Seconds: 0.0123, latencyP99Seconds: 0.25 },
    { ...flows[1]!, recordsPerSec: undefined, lagRecords: undefined, lagSeconds: undefined, latencyP50Seconds: undefined, latencyP99Seconds: undefined },
  ]).trimEnd();
  assert.equal(line.length, columns.length);
  const ends = (text: string): number[] => [...text.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
  // Region columns have no second-line title: compare the figure ends with the title line's instead.
  assert.deepEqual(ends(line).slice(3), ends(columns).slice(1));
  assert.deepEqual(line.trim().split(/\s+/), ['12s', '512', '-', '498', '1234', '0.8', '12.3', '250.0', '-', '-', '-', '-', '-']);
});
