// --reset-offsets: which offset each partition gets, as kafka-consumer-groups.sh computes it. Pure:
// the scenario and the offsets it needs (log start and end, committed, by time) in, the new offsets
// and Kafka's warnings out. --to-offset and --shift-by are kept within [log start, log end];
// --to-datetime and --by-duration fall back to the log end where no record is that recent;
// --to-current keeps the committed offset, or takes the log end where there is none.
import { UsageError } from './cli-args.js';

export type ResetScenario =
  | { kind: 'to-earliest' }
  | { kind: 'to-latest' }
  | { kind: 'to-current' }
  | { kind: 'to-offset'; offset: number }
  | { kind: 'shift-by'; shift: number }
  | { kind: 'to-datetime'; timestamp: number }
  | { kind: 'by-duration'; timestamp: number };

export interface PartitionOffsets {
  topic: string;
  partition: number;
  logStart: number;
  logEnd: number;
  /** The group's committed offset, if it has one. */
  committed: number | undefined;
  /** For --to-datetime / --by-duration: the first offset at or after the time, null where none. */
  byTime?: number | null;
}

export interface ResetPlan {
  offsets: { topic: string; partition: number; offset: number }[];
  warnings: string[];
}

/** Which offsets the scenario needs looked up. */
export function scenarioNeeds(s: ResetScenario): { committed: boolean; byTime: number | undefined } {
  return {
    committed: s.kind === 'to-current' || s.kind === 'shift-by',
    byTime: s.kind === 'to-datetime' || s.kind === 'by-duration' ? s.timestamp : undefined,
  };
}

export function planReset(scenario: ResetScenario, partitions: readonly PartitionOffsets[]): ResetPlan {
  const warnings: string[] = [];
  const clamp = (p: PartitionOffsets, offset: number): number => {
    if (offset > p.logEnd) {
      warnings.push(`New offset (${offset}) is higher than latest offset for topic partition ${p.topic}-${p.partition}. Value will be set to ${p.logEnd}`);
      return p.logEnd;
    }
    if (offset < p.logStart) {
      warnings.push(`New offset (${offset}) is lower than earliest offset for topic partition ${p.topic}-${p.partition}. Value will be set to ${p.logStart}`);
      return p.logStart;
    }
    return offset;
  };
  const offsetFor = (p: PartitionOffsets): number => {
    switch (scenario.kind) {
      case 'to-earliest':
        return p.logStart;
      case 'to-latest':
        return p.logEnd;
      case 'to-current':
        return p.committed ?? p.logEnd;
      case 'to-offset':
        return clamp(p, scenario.offset);
      case 'shift-by':
        if (p.committed === undefined) throw new UsageError(`Cannot shift offset for partition ${p.topic}-${p.partition} since there is no current committed offset`);
        return clamp(p, p.committed + scenario.shift);
      case 'to-datetime':
      case 'by-duration':
        if (p.byTime === null || p.byTime === undefined) {
          warnings.push(`Warn: Partition ${p.partition} from topic ${p.topic} is empty. Falling back to latest known offset.`);
          return p.logEnd;
        }
        return p.byTime;
    }
  };
  return { offsets: partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: offsetFor(p) })), warnings };
}

/**
 * --to-datetime's YYYY-MM-DDTHH:mm:SS.sss, with an optional zone (Z, +hh:mm, +hhmm, +hh); without
 * one it is UTC, as Kafka's Utils.getDateTime reads it.
 */
export function parseDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (!m) throw new UsageError(`Error parsing timestamp '${text}': expected YYYY-MM-DDTHH:mm:SS.sss, optionally with a zone (Z, +hh:mm)`);
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const check = new Date(utc);
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new UsageError(`Error parsing timestamp '${text}': not a valid date and time`);
  }
  return utc - offsetMinutes * 60_000;
}

/** --by-duration's ISO-8601 duration (Java's Duration.parse: PnDTnHnMn.nS), in ms. */
export function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) throw new UsageError(`Error parsing duration '${text}': expected PnDTnHnMnS, e.g. PT1H30M or P1D`);
  const [, d, h, mi, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}

/** --topic's T or T:p,q (Kafka's parseTopicsWithPartitions). */
export function parseTopicArg(arg: string): { topic: string; partitions: number[] | undefined } {
  const colon = arg.indexOf(':');
  if (colon < 0) return { topic: arg, partitions: undefined };
  const topic = arg.slice(0, colon);
  const list = arg.slice(colon + 1);
  if (topic === '' || list === '' || list.includes(':')) throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`);
  const partitions = list.split(',').map((p) => {
    if (!/^\d+$/.test(p.trim())) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}'`);
    return Number(p.trim());
  });
  return { topic, partitions };
}
