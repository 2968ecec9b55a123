// Checks what the producers were told against what the topic holds, by Kafka's idempotent producer
// contract:
// - a send() resolved with (topic, partition, offset) is in the log exactly once, at that place
//   (offset -1, a duplicate whose first offsets the broker no longer knew: once, in that partition);
// - no value is in the topic twice;
// - a send() rejected with a StraitError whose maybeWritten is false is not in the log; with
//   maybeWritten true it may be, at most once;
// - every promise settles, and every producer closes.
// Pure: the workload's ledger and the read-back log go in, counts and violations come out.
import type { LogRecord, PartitionLog } from './topic-reader.js';
import type { Delivery, ProducerCloseResult } from './workload.js';

export type ViolationKind =
  /** acknowledged, absent from the log */
  | 'lost'
  /** acknowledged and present, but not at the acknowledged partition and offset */
  | 'misplaced'
  /** in the log more than once */
  | 'duplicated'
  /** failed with maybeWritten false, yet in the log */
  | 'definite-failed-but-present'
  /** its promise had not settled when the bound passed */
  | 'unsettled'
  /** rejected with something other than a StraitError */
  | 'not-a-strait-error'
  /** a value in the topic that no producer of the workload sent */
  | 'unknown-value'
  /** a partition read back is not every offset from its start to its end, once, in order */
  | 'offset-gap'
  /** a producer's close() threw or did not return */
  | 'producer-close';

export const VIOLATION_KINDS: readonly ViolationKind[] = [
  'lost', 'misplaced', 'duplicated', 'definite-failed-but-present', 'unsettled', 'not-a-strait-error', 'unknown-value', 'offset-gap', 'producer-close',
];

export interface Violation {
  kind: ViolationKind;
  /** The record's value, when the violation is about one record. */
  value: string | undefined;
  detail: string;
}

export interface DeliveryCounts {
  sent: number;
  acked: number;
  /** Acknowledged with offset -1 (a duplicate the broker had no offsets for). */
  ackedWithoutOffset: number;
  failedDefinite: number;
  failedMaybeWritten: number;
  unsettled: number;
  /** Records read back, over all partitions. */
  inLog: number;
  lost: number;
  misplaced: number;
  /** Values present more than once. */
  duplicated: number;
  definiteFailedButPresent: number;
  /** Failed with maybeWritten true and present (allowed; shows how often the unknown fate was "written"). */
  maybeWrittenPresent: number;
  unknownValues: number;
  offsetGaps: number;
}

export interface CheckInput {
  topic: string;
  deliveries: readonly Delivery[];
  logs: readonly PartitionLog[];
  closes: readonly ProducerCloseResult[];
}

export interface CheckReport {
  counts: DeliveryCounts;
  /** Failed sends by error name and verdict ("REQUEST_TIMED_OUT (not written)"), with how many. */
  failures: Map<string, number>;
  /** Every violation, in the order of VIOLATION_KINDS then of sending. */
  violations: Violation[];
}

const at = (r: { partition: number; offset: number }): string => `${r.partition}@${r.offset}`;

function densityViolation(log: PartitionLog): string | undefined {
  const want = log.endOffset - log.startOffset;
  for (let i = 0; i < log.records.length; i++) {
    const expected = log.startOffset + i;
    if (log.records[i]!.offset !== expected) return `partition ${log.partition}: record #${i} read back has offset ${log.records[i]!.offset}, expected ${expected}`;
  }
  if (log.records.length !== want) return `partition ${log.partition}: ${log.records.length} records read back between offsets ${log.startOffset} and ${log.endOffset}`;
  return undefined;
}

export function checkDeliveries(input: CheckInput): CheckReport {
  const counts: DeliveryCounts = {
    sent: input.deliveries.length, acked: 0, ackedWithoutOffset: 0, failedDefinite: 0, failedMaybeWritten: 0, unsettled: 0,
    inLog: 0, lost: 0, misplaced: 0, duplicated: 0, definiteFailedButPresent: 0, maybeWrittenPresent: 0, unknownValues: 0, offsetGaps: 0,
  };
  const byKind = new Map<ViolationKind, Violation[]>(VIOLATION_KINDS.map((k) => [k, []]));
  const violate = (kind: ViolationKind, value: string | undefined, detail: string): void => {
    byKind.get(kind)!.push({ kind, value, detail });
  };

  const where = new Map<string, LogRecord[]>();
  const byPlace = new Map<string, string | null>();
  for (const log of input.logs) {
    counts.inLog += log.records.length;
    const gap = densityViolation(log);
    if (gap) {
      counts.offsetGaps++;
      violate('offset-gap', undefined, gap);
    }
    for (const r of log.records) {
      byPlace.set(at(r), r.value);
      const key = r.value ?? '<null>';
      const list = where.get(key);
      if (list) list.push(r);
      else where.set(key, [r]);
    }
  }
  const holds = (partition: number, offset: number): string => {
    const log = input.logs.find((l) => l.partition === partition);
    if (!log) return `the topic has no partition ${partition}`;
    if (offset < log.startOffset || offset >= log.endOffset) return `offset ${offset} is outside partition ${partition}'s ${log.startOffset}..${log.endOffset}`;
    const v = byPlace.get(`${partition}@${offset}`);
    return v === undefined ? `${partition}@${offset} was not read back` : `${partition}@${offset} holds ${v ?? 'a null value'}`;
  };

  const failures = new Map<string, number>();
  const sent = new Set<string>();
  for (const d of input.deliveries) {
    sent.add(d.value);
    const found = where.get(d.value) ?? [];
    const foundText = found.length === 0 ? 'absent' : `found at ${found.map(at).join(', ')}`;
    if (found.length > 1) {
      counts.duplicated++;
      violate('duplicated', d.value, `${d.value} is in the log ${found.length} times (${found.map(at).join(', ')}); its send ${describeOutcome(d)}`);
    }
    const o = d.outcome;
    switch (o.kind) {
      case 'acked': {
        counts.acked++;
        if (o.offset < 0) counts.ackedWithoutOffset++;
        if (found.length === 0) {
          counts.lost++;
          violate('lost', d.value, `${d.value} acknowledged at ${at(o)} but absent from the log (${holds(o.partition, o.offset)})`);
          break;
        }
        const inPlace = o.topic === input.topic && found.some((r) => r.partition === o.partition && (o.offset < 0 || r.offset === o.offset));
        if (!inPlace) {
          counts.misplaced++;
          violate('misplaced', d.value, `${d.value} acknowledged at ${o.topic === input.topic ? '' : `topic ${o.topic} `}${at(o)} but ${foundText} (${holds(o.partition, o.offset)})`);
        }
        break;
      }
      case 'failed': {
        const reason = `${o.name} (${o.maybeWritten ? 'maybe written' : 'not written'})`;
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
        if (!o.straitError) violate('not-a-strait-error', d.value, `${d.value} rejected with ${o.name}: ${o.message}`);
        if (o.maybeWritten) {
          counts.failedMaybeWritten++;
          if (found.length > 0) counts.maybeWrittenPresent++;
        } else {
          counts.failedDefinite++;
          if (found.length > 0) {
            counts.definiteFailedButPresent++;
            violate('definite-failed-but-present', d.value, `${d.value} failed as not written (${o.name}: ${o.message}) but ${foundText}`);
          }
        }
        break;
      }
      case 'pending':
        counts.unsettled++;
        violate('unsettled', d.value, `${d.value} (sent at ${d.sentAtMs} ms) never settled; ${foundText}`);
        break;
    }
  }
  for (const [value, records] of where) {
    if (sent.has(value)) continue;
    counts.unknownValues++;
    violate('unknown-value', value, `${value} at ${records.map(at).join(', ')} was not sent by the workload`);
  }
  for (const c of input.closes) {
    if (!c.closed || c.error !== undefined) violate('producer-close', undefined, `producer ${c.producer}: close() ${c.error !== undefined ? `threw ${c.error}` : 'did not return'} after ${c.ms} ms`);
  }
  return { counts, failures, violations: VIOLATION_KINDS.flatMap((k) => byKind.get(k)!) };
}

function describeOutcome(d: Delivery): string {
  const o = d.outcome;
  switch (o.kind) {
    case 'acked':
      return `was acknowledged at ${at(o)}`;
    case 'failed':
      return `failed (${o.maybeWritten ? 'maybe written' : 'not written'}): ${o.name}: ${o.message}`;
    case 'pending':
      return 'never settled';
  }
}

/** Counts, then up to `perKind` violations of each kind; `header` says which run (with its seed). */
export function formatReport(report: CheckReport, header: string, perKind = 3): string {
  const c = report.counts;
  const lines = [
    header,
    `sent ${c.sent}: acked ${c.acked} (${c.ackedWithoutOffset} without offset), failed definite ${c.failedDefinite}, ` +
      `failed maybe-written ${c.failedMaybeWritten} (${c.maybeWrittenPresent} of them in the log), unsettled ${c.unsettled}; records in the log ${c.inLog}`,
    `violations ${report.violations.length}: lost ${c.lost}, duplicated ${c.duplicated}, misplaced ${c.misplaced}, ` +
      `definite-failed-but-present ${c.definiteFailedButPresent}, unsettled ${c.unsettled}, unknown values ${c.unknownValues}, offset gaps ${c.offsetGaps}` +
      otherCounts(report),
  ];
  if (report.failures.size > 0) lines.push(`failures: ${[...report.failures].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
  for (const kind of VIOLATION_KINDS) {
    const of = report.violations.filter((v) => v.kind === kind);
    for (const v of of.slice(0, perKind)) lines.push(`  ${kind}: ${v.detail}`);
    if (of.length > perKind) lines.push(`  ${kind}: ... and ${of.length - perKind} more`);
  }
  return lines.join('\n');
}

function otherCounts(report: CheckReport): string {
  const count = (k: ViolationKind): number => report.violations.filter((v) => v.kind === k).length;
  const extra = (['not-a-strait-error', 'producer-close'] as const).filter((k) => count(k) > 0).map((k) => `, ${k} ${count(k)}`);
  return extra.join('');
}
