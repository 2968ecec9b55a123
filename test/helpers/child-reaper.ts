// Every broker and mirror process a test file starts is tracked here and killed when the file's
// process ends: normally ('exit'), and also when the test runner ends it with a signal (a file past
// --test-timeout gets SIGTERM, and a process killed by a signal runs no 'exit' hook), which once left
// brokers of a timed-out file running into the next files' ports and CPU.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

process.on('exit', killAll);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  });
}

/** Tracks a child until it exits. */
export function reapOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}
