// Checks what group members processed against what the topic held, by the group's at-least-once
// contract with commits after processing: every record processed at least once; a record processed
// more than once only where a member that crashed had processed it after its last commit of that
// partition (its uncommitted work, which the partition's next owner does again). A member that was
// not killed never leaves work for another to repeat. Pure: member logs in, violations out.

export interface MemberLog {
  name: string;
  /** Killed (kill -9) rather than closed. */
  crashed: boolean;
  /** The member process's log lines (`P p o`, `C p o`, and listener lines, which are ignored). */
  lines: readonly string[];
}

export interface AuditResult {
  /** Processings per partition and offset, over all members. */
  processed: number;
  /** Records processed more than once (all explained by crashes when there is no violation). */
  duplicates: number;
  violations: string[];
}

/** logEnd[p] = the number of records in partition p (they are at offsets 0..logEnd[p]-1). */
export function auditDelivery(logEnd: readonly number[], members: readonly MemberLog[]): AuditResult {
  const counts = new Map<string, number>();
  const allowedExtra = new Map<string, number>();
  const key = (p: number, o: number): string => `${p}/${o}`;
  let processed = 0;
  for (const m of members) {
    const lastCommit = new Map<number, number>();
    const mine: [number, number][] = [];
    for (const line of m.lines) {
      const [kind, p, o] = line.split(' ');
      if (kind === 'P') mine.push([Number(p), Number(o)]);
      else if (kind === 'C') lastCommit.set(Number(p), Number(o));
    }
    for (const [p, o] of mine) {
      processed++;
      counts.set(key(p, o), (counts.get(key(p, o)) ?? 0) + 1);
      if (m.crashed && o >= (lastCommit.get(p) ?? 0)) allowedExtra.set(key(p, o), (allowedExtra.get(key(p, o)) ?? 0) + 1);
    }
  }
  const violations: string[] = [];
  let duplicates = 0;
  logEnd.forEach((end, p) => {
    for (let o = 0; o < end; o++) {
      const n = counts.get(key(p, o)) ?? 0;
      if (n === 0) violations.push(`lost: partition ${p} offset ${o} was never processed`);
      if (n > 1) duplicates++;
      if (n > 1 + (allowedExtra.get(key(p, o)) ?? 0)) violations.push(`duplicated: partition ${p} offset ${o} processed ${n} times, not explained by a crash`);
    }
  });
  for (const k of counts.keys()) {
    const [p, o] = k.split('/').map(Number);
    if (p! >= logEnd.length || o! >= logEnd[p!]!) violations.push(`unknown: partition ${p} offset ${o} is not in the topic`);
  }
  return { processed, duplicates, violations };
}
