// The demo's live figures, computed from two scrapes of the processes' /metrics a moment apart, the
// way the Grafana dashboards compute them from Prometheus: rates from counter increases, lag from the
// mirror's gauges, and latency quantiles from the histogram buckets that filled in between
// (Prometheus' histogram_quantile: linear within the bucket the rank falls in). Pure.
import type { Exposition, Sample } from '../prometheus-text.js';

/** One moment's scrapes: each region's nodes (a failed scrape is undefined) and the mirror worker. */
export interface DemoScrape {
  atMs: number;
  regions: ReadonlyMap<string, readonly (Exposition | undefined)[]>;
  mirror: Exposition | undefined;
}

export interface RegionFigures {
  region: string;
  /** Records appended to the region's own topic per second; undefined when a scrape is missing. */
  producedPerSec: number | undefined;
}

export interface FlowFigures {
  source: string;
  target: string;
  recordsPerSec: number | undefined;
  lagRecords: number | undefined;
  lagSeconds: number | undefined;
  /** Replication latency of the batches acknowledged between the scrapes; undefined when none was. */
  latencyP50Seconds: number | undefined;
  latencyP99Seconds: number | undefined;
}

function matches(s: Sample, name: string, labels: Readonly<Record<string, string>>): boolean {
  return s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
}

function sum(expositions: readonly Exposition[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const e of expositions) for (const s of e.samples) if (matches(s, name, labels)) total += s.value;
  return total;
}

function max(e: Exposition, name: string, labels: Readonly<Record<string, string>>): number | undefined {
  let found: number | undefined;
  for (const s of e.samples) if (matches(s, name, labels)) found = Math.max(found ?? -Infinity, s.value);
  return found;
}

/** Increase per second of a counter; a counter that went down (a restart) counts from zero. */
function ratePerSec(before: number, after: number, seconds: number): number {
  return (after >= before ? after - before : after) / seconds;
}

/** Cumulative bucket counts by upper bound, summed over the matching series. */
function buckets(e: Exposition, name: string, labels: Readonly<Record<string, string>>): Map<number, number> {
  const byBound = new Map<number, number>();
  for (const s of e.samples) {
    if (!matches(s, `${name}_bucket`, labels) || s.labels.le === undefined) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + s.value);
  }
  return byBound;
}

/**
 * Prometheus' histogram_quantile over cumulative buckets: the rank q × total falls in the first
 * bucket whose count reaches it, and is placed linearly between that bucket's lower and upper bound
 * (the lowest bucket starts at 0; a rank in the +Inf bucket gives the highest finite bound).
 * undefined when the buckets hold no observation.
 */
export function histogramQuantile(q: number, cumulative: ReadonlyMap<number, number>): number | undefined {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Infinity) ?? 0;
  if (total <= 0 || bounds.length === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = cumulative.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      if (count === lowerCount) return bound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

/** What the buckets gained between two scrapes. */
function bucketIncrease(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, count] of after) {
    const previous = before.get(le) ?? 0;
    out.set(le, count >= previous ? count - previous : count);
  }
  return out;
}

export function regionFigures(before: DemoScrape, after: DemoScrape, topic: string): RegionFigures[] {
  const seconds = (after.atMs - before.atMs) / 1000;
  return [...after.regions.keys()].map((region) => {
    const was = before.regions.get(region) ?? [];
    const now = after.regions.get(region) ?? [];
    const complete = (list: readonly (Exposition | undefined)[]): list is readonly Exposition[] => list.length > 0 && list.every((e) => e !== undefined);
    if (seconds <= 0 || !complete(was) || !complete(now) || was.length !== now.length) return { region, producedPerSec: undefined };
    const labels = { topic };
    return { region, producedPerSec: ratePerSec(sum(was, 'strait_broker_messages_in_total', labels), sum(now, 'strait_broker_messages_in_total', labels), seconds) };
  });
}

export function flowFigures(before: DemoScrape, after: DemoScrape, flows: readonly { source: string; target: string }[]): FlowFigures[] {
  const seconds = (after.atMs - before.atMs) / 1000;
  return flows.map(({ source, target }) => {
    const labels = { source, target };
    const none: FlowFigures = { source, target, recordsPerSec: undefined, lagRecords: undefined, lagSeconds: undefined, latencyP50Seconds: undefined, latencyP99Seconds: undefined };
    if (!after.mirror) return none;
    const lagSamples = after.mirror.samples.filter((s) => matches(s, 'strait_mirror_lag_records', labels));
    const figures: FlowFigures = {
      ...none,
      lagRecords: lagSamples.length > 0 ? sum([after.mirror], 'strait_mirror_lag_records', labels) : undefined,
      lagSeconds: max(after.mirror, 'strait_mirror_lag_seconds', labels),
    };
    if (!before.mirror || seconds <= 0) return figures;
    const latency = bucketIncrease(
      buckets(before.mirror, 'strait_mirror_replication_latency_seconds', labels),
      buckets(after.mirror, 'strait_mirror_replication_latency_seconds', labels),
    );
    return {
      ...figures,
      recordsPerSec: ratePerSec(sum([before.mirror], 'strait_mirror_records_total', labels), sum([after.mirror], 'strait_mirror_records_total', labels), seconds),
      latencyP50Seconds: histogramQuantile(0.5, latency),
      latencyP99Seconds: histogramQuantile(0.99, latency),
    };
  });
}
