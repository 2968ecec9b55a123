// Starts real broker processes (`node dist/cli/main.js broker --config FILE`) on loopback for
// integration tests. The broker binds port 0 and reports its ports in its "broker started" line;
// restart() reuses the data dir and the port. Every process started here is killed by pid when the
// test ends (useBrokers) and, as a last resort, when the test process exits.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnBroker as spawnLocalBroker, writeBrokerConfig, type SpawnedBroker } from '../../cli/local-broker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/test/helpers -> dist/cli/main.js */
export const CLI_MAIN = path.resolve(here, '../../cli/main.js');
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface BrokerOptions {
  /** Reuse this data dir (kept on stop); default: a fresh temp dir, removed on stop. */
  dataDir?: string;
  /** Extra broker keys, e.g. { 'num.partitions': '3' }. */
  config?: Record<string, string>;
}

export interface BrokerProcess {
  readonly pid: number;
  readonly port: number;
  readonly metricsPort: number;
  /** 127.0.0.1:PORT */
  readonly address: string;
  readonly dataDir: string;
  readonly configFile: string;
  /** Resolves when the current process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr of the current process so far (for assertion messages). */
  output(): string;
  kill(signal?: NodeJS.Signals): void;
  pause(): void;
  resume(): void;
  /** Starts the broker again on the same data dir and port (after kill or stop of the process). */
  restart(): Promise<void>;
  /** SIGTERM, wait for exit (SIGKILL after a timeout), remove the temp dir if the launcher made it. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

/** Spawns the broker CLI and waits for its ready line; the child is tracked so it never outlives the tests. */
export async function spawnBroker(configFile: string, timeoutMs = READY_TIMEOUT_MS): Promise<SpawnedBroker> {
  const spawned = await spawnLocalBroker(configFile, { timeoutMs });
  live.add(spawned.child);
  void spawned.exited.then(() => live.delete(spawned.child));
  return spawned;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerProcess> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-broker-'));
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? path.join(tmp, 'data');
  const configFile = path.join(tmp, 'broker.properties');
  const values = (port: number): Record<string, string> => ({
    'node.id': '1',
    'listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dataDir,
    'metrics.listener': 'http://127.0.0.1:0',
    ...opts.config,
  });
  writeBrokerConfig(configFile, values(0));
  let current = await spawnBroker(configFile);
  const port = current.port;
  // Later starts must come back on the same port (clients keep their address).
  writeBrokerConfig(configFile, values(port));
  let stopped = false;

  const signal = (sig: NodeJS.Signals): void => {
    const pid = current.child.pid;
    if (pid !== undefined && current.child.exitCode === null && current.child.signalCode === null) {
      try { process.kill(pid, sig); } catch { /* exited meanwhile */ }
    }
  };
  const broker: BrokerProcess = {
    get pid() { return current.child.pid!; },
    port,
    get metricsPort() { return current.metricsPort; },
    address: `127.0.0.1:${port}`,
    dataDir,
    configFile,
    get exited() { return current.exited; },
    output: () => current.output.join(''),
    kill: (sig = 'SIGKILL') => signal(sig),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    restart: async () => {
      if (stopped) throw new Error('restart after stop()');
      if (current.child.exitCode === null && current.child.signalCode === null) {
        signal('SIGCONT');
        signal('SIGKILL');
        await current.exited;
      }
      current = await spawnBroker(configFile);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (current.child.exitCode === null && current.child.signalCode === null) {
        signal('SIGCONT');
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
        await current.exited;
        clearTimeout(timer);
      }
      rmSync(tmp, { recursive: true, force: true });
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return broker;
}

/** n independent single-node brokers (a later issue joins them into one cluster). */
export async function startCluster(n: number, opts: Omit<BrokerOptions, 'dataDir'> = {}): Promise<BrokerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startBroker(opts)));
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((b) => b.stop()));
    throw failed.reason;
  }
  return ok;
}

/** Test-scoped launcher: everything it starts is stopped in t.after. */
export function useBrokers(t: { after(fn: () => Promise<void> | void): void }): {
  start(opts?: BrokerOptions): Promise<BrokerProcess>;
  cluster(n: number, opts?: Omit<BrokerOptions, 'dataDir'>): Promise<BrokerProcess[]>;
} {
  const mine: BrokerProcess[] = [];
  t.after(async () => {
    await Promise.all(mine.map((b) => b.stop()));
  });
  return {
    start: async (opts) => {
      const b = await startBroker(opts);
      mine.push(b);
      return b;
    },
    cluster: async (n, opts) => {
      const bs = await startCluster(n, opts);
      mine.push(...bs);
      return bs;
    },
  };
}
