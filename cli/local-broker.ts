// Starts `strait broker` child processes on loopback for local use (the demo, `strait cluster`) and for
// the tests' launcher. A broker binds the port it is given (0 = any free one) and reports its ports in
// its "broker started" log line, which is what we wait for.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { spawnStrait, type SpawnOptions } from './local-process.js';

export { STRAIT_MAIN, stopChild } from './local-process.js';

/**
 * Node options every broker starts with (as kafka-server-start.sh gives the JVM -Xms), ahead of the
 * caller's nodeArgs, which may override them. A broker's live heap is small (about 20 MB) while tens
 * of MB of record buffers (outside the heap) pass through it every second. From V8's default start,
 * a broker under replication traffic often falls into starting incremental marking again right after
 * each mark-compact, from a task, with the old generation far below its limit (18 of 42 MB in a
 * --trace-incremental-marking run): 60-90 mark-compacts a bench run, about half of a follower's CPU
 * (bench/README.md). With the old generation starting at 128 MiB none happened. V8 refuses this
 * option in NODE_OPTIONS and does not take it once running, so it goes on the command line.
 */
export const BROKER_NODE_ARGS: readonly string[] = ['--initial-old-space-size=128'];

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
 * output if it exits first or is not ready in time (then it is killed). options.nodeArgs go to node
 * after BROKER_NODE_ARGS.
 */
export async function spawnBroker(configFile: string, options: SpawnOptions = {}): Promise<SpawnedBroker> {
  const spawned = await spawnStrait('broker', ['broker', '--config', configFile], (entry) =>
    entry.msg === 'broker started' && typeof entry.grpcPort === 'number' && typeof entry.metricsPort === 'number'
      ? { port: entry.grpcPort, metricsPort: entry.metricsPort }
      : undefined, { ...options, nodeArgs: [...BROKER_NODE_ARGS, ...(options.nodeArgs ?? [])] });
  return { child: spawned.child, exited: spawned.exited, output: spawned.output, ...spawned.ready };
}
