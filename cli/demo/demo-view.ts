// The demo's live terminal view: one line a second with each region's produce rate and, per mirror
// flow, its throughput, lag in records and seconds, and replication latency p50/p99. A figure that
// could not be read this second (a scrape failed, nothing was mirrored yet) shows as '-'.
import type { FlowFigures, RegionFigures } from './demo-figures.js';

const REGION_WIDTH = 12;
const FLOW_COLUMNS = [['rec/s', 8], ['lag', 7], ['lag(s)', 6], ['p50(ms)', 7], ['p99(ms)', 7]] as const;
const FLOW_WIDTH = FLOW_COLUMNS.reduce((w, [, width]) => w + width + 1, 0);

function fixed(value: number | undefined, digits: number, width: number): string {
  return (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)).padStart(width);
}

/** The two header lines for these regions and flows. */
export function viewHeader(regions: readonly string[], flows: readonly { source: string; target: string }[]): string {
  const first = [
    ''.padStart(6),
    ...regions.map((r) => `${r} in/s`.padStart(REGION_WIDTH)),
    ...flows.map((f) => ` ${`${f.source} -> ${f.target}`.padEnd(FLOW_WIDTH - 1)}`),
  ].join(' ');
  const second = [
    'time'.padStart(6),
    ...regions.map(() => ''.padStart(REGION_WIDTH)),
    ...flows.map(() => FLOW_COLUMNS.map(([name, width]) => name.padStart(width)).join(' ')),
  ].join(' ');
  return `${first.trimEnd()}\n${second}\n`;
}

export function viewLine(elapsedSeconds: number, regions: readonly RegionFigures[], flows: readonly FlowFigures[]): string {
  return [
    `${Math.round(elapsedSeconds)}s`.padStart(6),
    ...regions.map((r) => fixed(r.producedPerSec, 0, REGION_WIDTH)),
    ...flows.map((f) => [
      fixed(f.recordsPerSec, 0, 8),
      fixed(f.lagRecords, 0, 7),
      fixed(f.lagSeconds, 1, 6),
      fixed(f.latencyP50Seconds === undefined ? undefined : f.latencyP50Seconds * 1000, 1, 7),
      fixed(f.latencyP99Seconds === undefined ? undefined : f.latencyP99Seconds * 1000, 1, 7),
    ].join(' ')),
  ].join(' ') + '\n';
}
