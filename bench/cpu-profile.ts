// A preload that CPU-profiles every Node process it is loaded into, for benchmarks whose brokers are
// started by a launcher (the cluster of `npm run bench:replication`): node refuses --cpu-prof in
// NODE_OPTIONS, but --import is allowed there and children inherit it. Usage:
//   BENCH_CPU_PROFILE_DIR=/tmp/prof NODE_OPTIONS=--import=./dist/bench/cpu-profile.js node dist/bench/replication.js
// Each process writes <dir>/<pid>.cpuprofile when it exits (a broker: on a clean stop), readable by
// bench/profile-top.ts and Chrome's DevTools, and <dir>/<pid>.gc.json: its garbage collections by
// kind (count, total and longest pause in ms). The sampling interval is V8's default, as --cpu-prof's.
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

const dir = process.env['BENCH_CPU_PROFILE_DIR'];
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
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
  // An in-thread inspector session answers synchronously, so the profile is written before exit.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
    writeFileSync(path.join(dir, `${process.pid}.gc.json`), JSON.stringify(Object.fromEntries(gcs), null, 1) + '\n');
  });
}
