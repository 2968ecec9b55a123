// Starts real `strait mirror` processes (`node dist/cli/main.js mirror --config FILE ...`) for
// integration tests, on the pattern of launcher.ts: the config is given as text (written to a temp
// file) or as a path, the process is ready when it logged "mirror started", its metrics port is read
// from "mirror metrics listening" (the launcher passes --metrics-port 0), and every process started
// here is killed by pid when the test ends (useMirrors) or, as a last resort, when the test process exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_MAIN } from './launcher.js';
import { reapOnExit } from './child-reaper.js';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export interface MirrorOptions {
  /** The config's text (properties unless `yaml`), or a path to a file with it. */
  config: { text: string; yaml?: boolean } | { path: string };
  /** Extra arguments (`--clusters B`). */
  args?: readonly string[];
}

export interface MirrorProcess {
  readonly pid: number;
  readonly metricsPort: number;
  readonly configFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr so far. */
  output(): string;
  /** Parsed JSON log lines so far. */
  lines(): Record<string, unknown>[];
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM (drain), SIGKILL after a grace; resolves with the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startMirror(options: MirrorOptions): Promise<MirrorProcess> {
  let configFile: string;
  let tmp: string | undefined;
  if ('path' in options.config) {
    configFile = options.config.path;
  } else {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-'));
    configFile = path.join(tmp, options.config.yaml ? 'mirror.yaml' : 'mm2.properties');
    writeFileSync(configFile, options.config.text);
  }
  const args = [CLI_MAIN, 'mirror', '--config', configFile, '--metrics-port', '0', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  const output: string[] = [];
  const parsed: Record<string, unknown>[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
  let metricsPort = -1;
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mirror not ready after ${READY_TIMEOUT_MS} ms:\n${output.join('')}`));
    }, READY_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line + '\n');
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      parsed.push(entry);
      if (entry['msg'] === 'mirror metrics listening' && typeof entry['port'] === 'number') metricsPort = entry['port'];
      if (!ready && entry['msg'] === 'mirror started') {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`mirror exited (code ${code}, signal ${signal}) before it was ready:\n${output.join('')}`));
    });
  });
  const pid = child.pid!;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals): void => {
    if (!running()) return;
    try { process.kill(pid, sig); } catch { /* exited meanwhile */ }
  };
  return {
    pid,
    metricsPort,
    configFile,
    exited,
    output: () => output.join(''),
    lines: () => [...parsed],
    kill: (sig = 'SIGKILL') => signal(sig),
    stop: async () => {
      if (running()) {
        signal('SIGCONT');
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** Test-scoped: every mirror started through it is stopped in t.after. */
export function useMirrors(t: { after(fn: () => Promise<void> | void): void }): { start(options: MirrorOptions): Promise<MirrorProcess> } {
  const mine: MirrorProcess[] = [];
  t.after(async () => {
    await Promise.all(mine.map((m) => m.stop()));
  });
  return {
    start: async (options) => {
      const m = await startMirror(options);
      mine.push(m);
      return m;
    },
  };
}
