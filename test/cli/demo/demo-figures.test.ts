// The demo's figures: rates, lag and latency quantiles computed from two scrapes of real prom-client
// registries (a MirrorMetrics and a broker-style counter), and histogramQuantile against Prometheus'
// rule, checked on generated observations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { MirrorMetrics, type ForwardedBatch } from '../../../mirror/index.js';
import { parsePrometheusText, type Exposition } from '../../../cli/prometheus-text.js';
import { flowFigures, histogramQuantile, regionFigures, type DemoScrape } from '../../../cli/demo/demo-figures.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

function cumulative(observations: readonly number[], bounds: readonly number[] = LATENCY_BUCKETS): Map<number, number> {
  return new Map([...bounds, Infinity].map((b) => [b, observations.filter((o) => o <= b).length]));
}

test('histogramQuantile follows Prometheus: linear inside the bucket, +Inf gives the highest finite bound', () => {
  // 10 observations in (0, 1], 10 in (1, 2]: the median is the top of the first bucket, p75 the middle of the second.
  const b = new Map([[1, 10], [2, 20], [Infinity, 20]]);
  assert.equal(histogramQuantile(0.5, b), 1);
  assert.equal(histogramQuantile(0.75, b), 1.5);
  assert.equal(histogramQuantile(0.25, b), 0.5);
  assert.equal(histogramQuantile(0.99, new Map([[1, 1], [2, 1], [Infinity, 5]])), 2);
  assert.equal(histogramQuantile(0.5, new Map([[1, 0], [Infinity, 0]])), undefined);
});

test('the quantile lies in the bucket that holds the true quantile of the observations', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0.0001, max: 5000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (observations, q) => {
      const estimate = histogramQuantile(q, cumulative(observations))!;
      const sorted = [...observations].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil(q * sorted.length));
      const truth = sorted[rank - 1]!;
      // The bucket of the true value: (lower, upper], capped at the highest finite bound like Prometheus.
      const upper = LATENCY_BUCKETS.find((bound) => truth <= bound) ?? LATENCY_BUCKETS.at(-1)!;
      const lower = [0, ...LATENCY_BUCKETS].filter((bound) => bound < upper).at(-1)!;
      assert.ok(estimate >= lower && estimate <= upper, `q=${q}: ${estimate} outside (${lower}, ${upper}] of the true ${truth}`);
    }),
    { numRuns: 300 },
  );
});

function batch(partition: number, records: number, latencyMs: number, now: number): ForwardedBatch {
  return {
    sourceTopic: 'orders', remoteTopic: 'east.orders', partition, upstreamOffset: 0, lastUpstreamOffset: records - 1,
    downstreamOffset: 0, lastDownstreamOffset: records - 1, recordCount: records, bytes: records * 100,
    firstTimestamp: now - latencyMs, maxTimestamp: now - latencyMs, acknowledgedAtMs: now, whole: true,
  };
}

async function scrapeOf(registry: Registry): Promise<Exposition> {
  return parsePrometheusText(await registry.metrics());
}

test('flow figures: records per second, lag summed and its max age, latency of the batches between the scrapes', async () => {
  const metrics = new MirrorMetrics(new Registry(), { defaultMetrics: false });
  const flow = metrics.flow('east', 'west');
  const other = metrics.flow('west', 'east');
  const now = Date.now();
  // Before the first scrape: slow batches, which must not count in the second interval's latency.
  for (let i = 0; i < 10; i++) flow.onForwarded(batch(0, 10, 4000, now));
  other.onForwarded(batch(0, 5, 1, now));
  const before = await scrapeOf(metrics.registry);
  for (let i = 0; i < 99; i++) flow.onForwarded(batch(i % 3, 4, 20, now));
  flow.onForwarded(batch(1, 4, 700, now));
  flow.setLag('orders', 0, 30, 0.4);
  flow.setLag('orders', 1, 12, 1.5);
  const after = await scrapeOf(metrics.registry);
  const scrape = (atMs: number, mirror: Exposition): DemoScrape => ({ atMs, regions: new Map(), mirror });
  const [eastWest, westEast] = flowFigures(scrape(0, before), scrape(2000, after), [{ source: 'east', target: 'west' }, { source: 'west', target: 'east' }]);
  assert.equal(eastWest!.recordsPerSec, 200); // 400 records in 2 s
  assert.equal(eastWest!.lagRecords, 42);
  assert.equal(eastWest!.lagSeconds, 1.5);
  // 99 batches at 20 ms (bucket (10, 25] ms) and one at 700 ms: the median in the 20 ms bucket, p99 too.
  assert.ok(eastWest!.latencyP50Seconds! > 0.01 && eastWest!.latencyP50Seconds! <= 0.025, String(eastWest!.latencyP50Seconds));
  assert.ok(eastWest!.latencyP99Seconds! > 0.01 && eastWest!.latencyP99Seconds! <= 0.025, String(eastWest!.latencyP99Seconds));
  assert.equal(westEast!.recordsPerSec, 0);
  assert.equal(westEast!.latencyP50Seconds, undefined, 'no batch of west->east between the scrapes');
  assert.equal(westEast!.lagRecords, undefined, 'no partition of west->east reports lag here');
  const missing = flowFigures(scrape(0, before), { atMs: 2000, regions: new Map(), mirror: undefined }, [{ source: 'east', target: 'west' }]);
  assert.equal(missing[0]!.recordsPerSec, undefined);
});

test("region figures: the region's topic appends per second over its nodes, nothing when a node's scrape failed", async () => {
  const registries = [new Registry(), new Registry()];
  const counters = registries.map((registry) => new Counter({ name: 'strait_broker_messages_in_total', help: 'h', labelNames: ['topic'], registers: [registry] }));
  counters[0]!.inc({ topic: 'orders' }, 100);
  counters[1]!.inc({ topic: 'orders' }, 50);
  counters[1]!.inc({ topic: 'west.orders' }, 1000);
  const first = await Promise.all(registries.map(scrapeOf));
  counters[0]!.inc({ topic: 'orders' }, 300);
  counters[1]!.inc({ topic: 'orders' }, 100);
  counters[1]!.inc({ topic: 'west.orders' }, 1000);
  const second = await Promise.all(registries.map(scrapeOf));
  const at = (atMs: number, nodes: (Exposition | undefined)[]): DemoScrape => ({ atMs, regions: new Map([['east', nodes]]), mirror: undefined });
  assert.deepEqual(regionFigures(at(1000, first), at(3000, second), 'orders'), [{ region: 'east', producedPerSec: 200 }]);
  assert.deepEqual(regionFigures(at(1000, first), at(3000, [second[0], undefined]), 'orders'), [{ region: 'east', producedPerSec: undefined }]);
});
