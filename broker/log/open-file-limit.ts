// How many file descriptors the partition logs need against the process's open-file limit. A log
// keeps three open (the active segment's .log, .index and .timeindex) plus one per older segment; a
// log that cannot get them fails to open (EMFILE) and its partition goes offline, so the broker warns
// at start when the limit is too low, and gives the logs a budget that leaves the rest of the process
// (sockets, the metadata log, its own files) enough to keep serving. Linux only (/proc/self/limits,
// /proc/self/fd); elsewhere there is no budget and no warning.
import fs from 'node:fs';

/** Descriptors a process needs beyond its logs: sockets, the metadata log, Node's own. */
export const DESCRIPTOR_RESERVE = 100;

/** The soft "Max open files" limit in /proc/<pid>/limits text; undefined when unlimited or absent. */
export function parseOpenFileLimit(limits: string): number | undefined {
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || soft === 'unlimited') return undefined;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** This process's soft open-file limit; undefined where /proc is not available. */
export function readOpenFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(fs.readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Descriptors this process has open now; 0 where /proc is not available. */
export function openDescriptorCount(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** Descriptors the logs may hold: the limit minus the reserve and what is open already; undefined
 * when the limit is unknown. */
export function logDescriptorBudget(limit: number | undefined, openNow: number): number | undefined {
  return limit === undefined ? undefined : Math.max(0, limit - DESCRIPTOR_RESERVE - openNow);
}

/** Opening another log would take the logs past their descriptor budget. */
export class DescriptorBudgetExceeded extends Error {
  constructor(readonly inUse: number, readonly needed: number, readonly budget: number) {
    super(`not opened: the partition logs hold about ${inUse} of the ${budget} file descriptors the open-file limit leaves them `
      + `and this one needs ${needed}; raise the limit (ulimit -n) and restart`);
    this.name = 'DescriptorBudgetExceeded';
  }
}

/** Descriptors held by logs of these segment counts (3 for the active segment, 1 per older one). */
export function descriptorsForLogs(segmentCounts: Iterable<number>): number {
  let total = 0;
  for (const segments of segmentCounts) total += segments + 2;
  return total;
}

export interface DescriptorShortage {
  needed: number;
  limit: number;
}

/** The shortage when the logs plus the reserve need more than the limit; undefined when they fit
 * or the limit is unknown. */
export function descriptorShortage(segmentCounts: Iterable<number>, limit: number | undefined): DescriptorShortage | undefined {
  if (limit === undefined) return undefined;
  const needed = descriptorsForLogs(segmentCounts) + DESCRIPTOR_RESERVE;
  return needed > limit ? { needed, limit } : undefined;
}

/** An errno that says the process (EMFILE) or the system (ENFILE) ran out of file descriptors, or
 * the logs' own budget is spent. */
export function isOutOfDescriptors(err: unknown): boolean {
  if (err instanceof DescriptorBudgetExceeded) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}
