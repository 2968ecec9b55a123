// Starts `strait broker` child processes on loopback for local use (the demo, `strait cluster`) and for
// the tests' launcher. A broker binds the port it is given (0 = any free one) and reports its ports in
// its "broker started" log line, which is what we wait for.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { spawnStrait, type SpawnOptions } from './local-process.js';

export { STRAIT_MAIN, stopChild } from './local-process.js';

export interface SpawnedBroker {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout/stderr chunk so far. */
  output: string[];
}

/** Java-properties text for a flat key/value map (backslashes escaped). */
export function renderProperties(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${v.replace(/\\/g, '\\\\')}`).join('\n') + '\n';
}

export function writeBrokerConfig(file: string, values: Record<string, string>): void {
  writeFileSync(file, renderProperties(values));
}

/**
 * Spawns a broker with the config file and resolves once it logged "broker started"; rejects with its
 * output if it exits first or is not ready in time (then it is killed).
 */
export async function spawnBroker(configFile: string, options: SpawnOptions = {}): Promise<SpawnedBroker> {
  const spawned = await spawnStrait('broker', ['broker', '--config', configFile], (entry) =>
    entry.msg === 'broker started' && typeof entry.grpcPort === 'number' && typeof entry.metricsPort === 'number'
      ? { port: entry.grpcPort, metricsPort: entry.metricsPort }
      : undefined, options);
  return { child: spawned.child, exited: spawned.exited, output: spawned.output, ...spawned.ready };
}
