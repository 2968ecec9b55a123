// CPU time of processes by pid, read from /proc (Linux): what each process of a benchmark spent, to
// tell whose work a slower row costs on a machine whose cores the processes share.
import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/<pid>/stat counts in these (100 on every Linux this runs on; `getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of the process so far; undefined when /proc or the process is missing. */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
}
