// The demo's region and its load on real processes: a region is a 3-node cluster with the topic
// replicated three ways; the load's drain() returns only when every record sent is acknowledged, and
// the topic then holds exactly those records; with no mirror running there is no remote copy to count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LATEST_TIMESTAMP } from '../../../client/index.js';
import { flowProgress, startRegion, stopRegion, type Region } from '../../../cli/demo/demo-regions.js';
import { RegionLoad } from '../../../cli/demo/region-load.js';

test('a region takes the load; drain leaves every record acknowledged and in the topic once', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-demo-region-'));
  let region: Region | undefined;
  t.after(async () => {
    if (region) await stopRegion(region);
    rmSync(dir, { recursive: true, force: true });
  });
  region = await startRegion('east', dir, 'orders', 3);
  const described = (await region.admin.describeTopics(['orders']))[0]!;
  assert.deepEqual(described.partitions.map((p) => p.replicas.length), [3, 3, 3]);

  const load = new RegionLoad('east', region.plan.bootstrap, 'orders', 400);
  load.start();
  for (let i = 0; i < 100 && load.snapshot().acknowledged < 200; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const counts = await load.drain();
  assert.ok(counts.sent >= 200, `sent ${counts.sent}`);
  assert.deepEqual({ acknowledged: counts.acknowledged, failed: counts.failed }, { acknowledged: counts.sent, failed: 0 }, counts.firstError);
  const ends = await region.admin.listOffsets([0, 1, 2].map((partition) => ({ topic: 'orders', partition, timestamp: LATEST_TIMESTAMP })));
  assert.equal(ends.reduce((sum, e) => sum + e.offset, 0), counts.sent, 'the idempotent producer wrote each record once');

  const progress = await flowProgress({ source: 'east', target: 'east' }, [region], 'orders', 3);
  assert.equal(progress.sourceRecords, counts.sent);
  assert.equal(progress.remoteRecords, undefined, 'east.orders does not exist: nothing mirrored it');
  assert.equal(progress.caughtUp, false);
});
