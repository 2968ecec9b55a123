// Starts a `strait mirror` worker as a child process for local use (the demo). It is given
// --metrics-port (0 = any free port) and is ready once it logged "mirror metrics listening" with the
// port it bound, which is how its /metrics is found.
import type { ChildProcess } from 'node:child_process';
import { spawnStrait, type SpawnOptions } from './local-process.js';

export interface SpawnedMirror {
  child: ChildProcess;
  metricsPort: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout/stderr chunk so far. */
  output: string[];
}

/** `strait mirror --config F --metrics-port P [args]`, resolved when its metrics endpoint listens. */
export async function spawnMirror(
  configFile: string,
  options: SpawnOptions & { metricsPort?: number; args?: readonly string[] } = {},
): Promise<SpawnedMirror> {
  const args = ['mirror', '--config', configFile, '--metrics-port', String(options.metricsPort ?? 0), ...(options.args ?? [])];
  const spawned = await spawnStrait('mirror', args, (entry) =>
    entry.msg === 'mirror metrics listening' && typeof entry.port === 'number' ? entry.port : undefined, options);
  return { child: spawned.child, exited: spawned.exited, output: spawned.output, metricsPort: spawned.ready };
}
