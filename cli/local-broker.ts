// Starts `strait broker` child processes on loopback for local use (the demo, `strait cluster`) and for
// the tests' launcher. A broker binds the port it is given (0 = any free one) and reports its ports in
// its "broker started" log line, which is what we wait for.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** dist/cli/local-broker.js -> dist/cli/main.js */
export const STRAIT_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');

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
 * output if it exits first or is not ready in time (then it is killed). nodeArgs go to node before the
 * script, after BROKER_NODE_ARGS (e.g. --import of a module to preload); env is added to this
 * process's environment.
 */
export function spawnBroker(
  configFile: string,
  options: { timeoutMs?: number; onLine?: (line: string) => void; nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
): Promise<SpawnedBroker> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const args = [...BROKER_NODE_ARGS, ...(options.nodeArgs ?? []), STRAIT_MAIN, 'broker', '--config', configFile];
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
  const lines = createInterface({ input: child.stdout! });
  return new Promise<SpawnedBroker>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker not ready after ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      output.push(line + '\n');
      options.onLine?.(line);
      if (ready) return;
      let entry: { msg?: unknown; grpcPort?: unknown; metricsPort?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'broker started' && typeof entry.grpcPort === 'number' && typeof entry.metricsPort === 'number') {
        ready = true;
        clearTimeout(timer);
        resolve({ child, port: entry.grpcPort, metricsPort: entry.metricsPort, exited, output });
      }
    });
    void exited.then(({ code, signal }) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`broker exited (code ${code}, signal ${signal}) before it was ready:\n${output.join('')}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited after graceMs. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  };
  send('SIGCONT');
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
