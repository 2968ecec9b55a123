// The Prometheus text reader: whatever prom-client writes (any label value, counters, gauges,
// histograms, NaN and infinities) reads back as the same samples; malformed lines name their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, PrometheusTextError } from '../../cli/prometheus-text.js';

test('any label values and values prom-client writes read back exactly', async () => {
  const labelValue = fc.string({ unit: 'binary', maxLength: 12 });
  const value = fc.oneof(fc.double({ noNaN: false }), fc.integer());
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.tuple(labelValue, labelValue, value), { selector: ([a, b]) => `${a}\u0000${b}`, maxLength: 8 }), async (rows) => {
      const registry = new Registry();
      const gauge = new Gauge({ name: 'strait_test_gauge', help: 'a "gauge" \\ with\nnewline', labelNames: ['a', 'b'], registers: [registry] });
      for (const [a, b, v] of rows) gauge.set({ a, b }, v);
      const parsed = parsePrometheusText(await registry.metrics());
      assert.equal(parsed.families.get('strait_test_gauge')?.type, 'gauge');
      assert.equal(parsed.families.get('strait_test_gauge')?.help, 'a "gauge" \\ with\nnewline');
      assert.deepEqual(
        parsed.samples.map((s) => [s.labels.a, s.labels.b, s.value]),
        // The text format has no -0: prom-client writes it as 0 (String(-0)).
        rows.map(([a, b, v]) => [a, b, Object.is(v, -0) ? 0 : v]),
      );
    }),
    { numRuns: 200 },
  );
});

test('a histogram reads as its _bucket, _sum and _count samples, le included', async () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'strait_test_seconds', help: 'h', labelNames: ['flow'], buckets: [0.1, 1], registers: [registry] });
  h.observe({ flow: 'east->west' }, 0.05);
  h.observe({ flow: 'east->west' }, 0.5);
  h.observe({ flow: 'east->west' }, 5);
  new Counter({ name: 'strait_test_total', help: 'c', registers: [registry] }).inc(3);
  const { families, samples } = parsePrometheusText(await registry.metrics());
  assert.equal(families.get('strait_test_seconds')?.type, 'histogram');
  assert.equal(families.get('strait_test_total')?.type, 'counter');
  const buckets = samples.filter((s) => s.name === 'strait_test_seconds_bucket').map((s) => [s.labels.le, s.labels.flow, s.value]);
  assert.deepEqual(buckets, [['0.1', 'east->west', 1], ['1', 'east->west', 2], ['+Inf', 'east->west', 3]]);
  assert.equal(samples.find((s) => s.name === 'strait_test_seconds_count')?.value, 3);
  assert.equal(samples.find((s) => s.name === 'strait_test_seconds_sum')?.value, 5.55);
  assert.equal(samples.find((s) => s.name === 'strait_test_total')?.value, 3);
});

test('special values, timestamps and comments', () => {
  const { samples } = parsePrometheusText('# a comment\nx NaN\ny +Inf 1700000000000\nz -inf\nw{} 1e3\n');
  assert.ok(Number.isNaN(samples[0]!.value));
  assert.deepEqual(samples.slice(1).map((s) => [s.name, s.value]), [['y', Infinity], ['z', -Infinity], ['w', 1000]]);
});

test('a malformed line is an error naming the line', () => {
  const cases: [string, RegExp][] = [
    ['ok 1\n{a="b"} 1', /line 2: expected a metric name/],
    ['x{a="b} 1', /line 1: unterminated value of label a/],
    ['x{a=b} 1', /line 1: expected ="value" after label a/],
    ['x{a="\\t"} 1', /line 1: unknown escape \\t/],
    ['x{a="1",a="2"} 1', /line 1: label a appears twice/],
    ['x{a="1" b="2"} 1', /line 1: expected , or } after label a/],
    ['x one', /line 1: "one" is not a sample value/],
    ['x 1 2 3', /line 1: expected a value and an optional timestamp/],
    ['x', /line 1: "" is not a sample value/],
    ['# TYPE x gauged', /line 1: unknown metric type "gauged"/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePrometheusText(text), (err: unknown) => err instanceof PrometheusTextError && message.test(err.message), text);
  }
});
