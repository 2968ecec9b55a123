// Starts `strait` child processes on loopback (brokers, mirror workers) for local use (the demo,
// `strait cluster`) and for the tests' launchers, and stops them. A child is ready when one of its
// JSON log lines says so (each kind of process has its own line), which is what we wait for.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** dist/cli/local-process.js -> dist/cli/main.js */
export const STRAIT_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');

export interface SpawnOptions {
  timeoutMs?: number;
  onLine?: (line: string) => void;
  /** Go to node before the script (e.g. --import of a module to preload). */
  nodeArgs?: readonly string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /**
   * Its own process group, so the terminal's Ctrl-C (SIGINT to the foreground group) reaches only
   * the parent, which then stops the child in its own order.
   */
  detached?: boolean;
}

export interface SpawnedStrait<T> {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout/stderr chunk so far. */
  output: string[];
  /** What the ready line said. */
  ready: T;
}

/**
 * Spawns `strait <args>` and resolves once `readyWhen` finds what it waits for in a JSON log line
 * (stdout); rejects with the child's output if it exits first or is not ready in time (then it is
 * killed). `what` names the process in those errors.
 */
export function spawnStrait<T>(
  what: string,
  args: readonly string[],
  readyWhen: (entry: Record<string, unknown>) => T | undefined,
  options: SpawnOptions = {},
): Promise<SpawnedStrait<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), STRAIT_MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env, detached: options.detached ?? false,
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
  const lines = createInterface({ input: child.stdout! });
  return new Promise<SpawnedStrait<T>>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} not ready after ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      output.push(line + '\n');
      options.onLine?.(line);
      if (ready) return;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof entry !== 'object' || entry === null) return;
      const found = readyWhen(entry as Record<string, unknown>);
      if (found === undefined) return;
      ready = true;
      clearTimeout(timer);
      resolve({ child, exited, output, ready: found });
    });
    void exited.then(({ code, signal }) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${what} exited (code ${code}, signal ${signal}) before it was ready:\n${output.join('')}`));
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
