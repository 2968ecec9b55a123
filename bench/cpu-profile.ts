// A preload that CPU-profiles every Node process it is loaded into and counts its garbage
// collections, for benchmarks whose brokers are started by a launcher (the cluster of
// `npm run bench:replication`): node refuses --cpu-prof in NODE_OPTIONS, but --import is allowed
// there and children inherit it. Usage:
//   BENCH_CPU_PROFILE_DIR=/tmp/prof BENCH_GC_STATS_DIR=/tmp/prof \
//     NODE_OPTIONS=--import=./dist/bench/cpu-profile.js node dist/bench/replication.js
// Each process writes, when it exits (a broker: on a clean stop), <dir>/<pid>.cpuprofile (readable by
// bench/profile-top.ts and Chrome's DevTools; V8's default sampling interval, as --cpu-prof's) and
// <dir>/<pid>.gc.json: its collections by kind (count, total and longest pause in ms). Either
// variable alone turns on only its part.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

const profileDir = process.env['BENCH_CPU_PROFILE_DIR'];
if (profileDir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // An in-thread inspector session answers synchronously, so the profile is written before exit.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

const gcDir = process.env['BENCH_GC_STATS_DIR'];
if (gcDir) {
  const gcs = new Map<string, { count: number; totalMs: number; maxMs: number }>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      const g = gcs.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
      g.count++;
      g.totalMs += entry.duration;
      g.maxMs = Math.max(g.maxMs, entry.duration);
      gcs.set(kind, g);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('exit', () => {
    writeFileSync(path.join(gcDir, `${process.pid}.gc.json`), JSON.stringify(Object.fromEntries(gcs), null, 1) + '\n');
  });
}
