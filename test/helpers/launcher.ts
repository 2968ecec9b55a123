// Starts real broker processes (`node dist/cli/main.js broker --config FILE`) on loopback for
// integration tests. A single broker binds port 0 and reports its ports in its "broker started" line;
// cluster nodes get free ports chosen up front (the voters must know each other's addresses) and one
// cluster id. restart() reuses the data dir and the port. Every process started here is killed by pid
// when the test ends (useBrokers) and, as a last resort, when the test process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnBroker as spawnLocalBroker, writeBrokerConfig, type SpawnedBroker } from '../../cli/local-broker.js';
import { pickFreePorts, planLocalCluster, type NodePlan } from '../../cli/local-cluster.js';
import { reapOnExit } from './child-reaper.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/test/helpers -> dist/cli/main.js */
export const CLI_MAIN = path.resolve(here, '../../cli/main.js');
const READY_TIMEOUT_MS = 20_000;
/** node.id of a broker started alone (startBroker). */
export const SINGLE_BROKER_NODE_ID = 1;
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
  /** SIGTERM (SIGKILL after a timeout) and wait for the exit; data and config stay for restart(). */
  halt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for exit (SIGKILL after a timeout), remove the temp dir if the launcher made it. */
  stop(): Promise<void>;
}

/**
 * Spawns the broker CLI and waits for its ready line; the child is tracked so it never outlives the
 * tests. nodeArgs and env go to the child (a preload module, its settings).
 */
export async function spawnBroker(
  configFile: string,
  timeoutMs = READY_TIMEOUT_MS,
  extra: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
): Promise<SpawnedBroker> {
  const spawned = await spawnLocalBroker(configFile, { timeoutMs, ...extra });
  reapOnExit(spawned.child);
  return spawned;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerProcess> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-broker-'));
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? path.join(tmp, 'data');
  const configFile = path.join(tmp, 'broker.properties');
  const values = (port: number): Record<string, string> => ({
    'node.id': String(SINGLE_BROKER_NODE_ID),
    'listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dataDir,
    'metrics.listener': 'http://127.0.0.1:0',
    ...opts.config,
  });
  // A port below the ephemeral range (pickFreePorts): restarts come back on it (clients keep their
  // address), and no outgoing connection can have taken it meanwhile.
  const [port] = await pickFreePorts(1);
  writeBrokerConfig(configFile, values(port!));
  const first = await spawnBroker(configFile);
  return managedProcess({ first, configFile, dataDir, stopGraceMs: STOP_TIMEOUT_MS }, () => {
    rmSync(tmp, { recursive: true, force: true });
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  });
}

interface ManagedSpec {
  first: SpawnedBroker;
  configFile: string;
  dataDir: string;
  stopGraceMs: number;
  readyTimeoutMs?: number;
}

/** A started broker process behind the BrokerProcess handle: signals by pid, restart, stop. */
function managedProcess(spec: ManagedSpec, cleanup: () => void): BrokerProcess {
  const { configFile, dataDir } = spec;
  let current = spec.first;
  const port = current.port;
  let stopped = false;
  const running = (): boolean => current.child.exitCode === null && current.child.signalCode === null;
  const signal = (sig: NodeJS.Signals): void => {
    const pid = current.child.pid;
    if (pid !== undefined && running()) {
      try { process.kill(pid, sig); } catch { /* exited meanwhile */ }
    }
  };
  const halt = async (graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (running()) {
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await current.exited;
      clearTimeout(timer);
    }
    return current.exited;
  };
  return {
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
      if (running()) {
        signal('SIGCONT');
        signal('SIGKILL');
        await current.exited;
      }
      current = await spawnBroker(configFile, spec.readyTimeoutMs);
    },
    halt: () => halt(STOP_TIMEOUT_MS),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt(spec.stopGraceMs);
      cleanup();
    },
  };
}

export interface ClusterOptions {
  /** Keys added to every node's config (override the test defaults below). */
  config?: Record<string, string>;
  /** Voters (combined broker,controller nodes) among the n; default min(n, 3). */
  controllers?: number;
  /** broker.rack = rack-a, rack-b, rack-c in turn. */
  rackAware?: boolean;
  /** Default: a fresh id per cluster. */
  clusterId?: string;
  /** Keys for one node only, on top of `config` (e.g. its own advertised.listeners); `planned` is the
   * node's config as planned (its controller.quorum.voters, listeners, ...). */
  nodeConfig?: (nodeId: number, planned: Readonly<Record<string, string>>) => Record<string, string>;
}

export interface ClusterNodeProcess extends BrokerProcess {
  readonly nodeId: number;
  readonly roles: readonly string[];
  readonly clusterId: string;
  /** The node's config keys as written (controller.quorum.voters, cluster.id, ...). */
  readonly values: Readonly<Record<string, string>>;
}

/** Short timeouts so that elections, fencing and failover tests take seconds. */
export const CLUSTER_TEST_CONFIG: Readonly<Record<string, string>> = {
  'broker.heartbeat.interval.ms': '250',
  'broker.session.timeout.ms': '2000',
  'controller.quorum.election.timeout.ms': '500',
};
const CLUSTER_READY_TIMEOUT_MS = 30_000;
/** Teardown of a cluster: a short grace, then SIGKILL (the data dirs are removed anyway). */
const CLUSTER_STOP_GRACE_MS = 2_000;

/**
 * n nodes forming ONE cluster: one cluster id, controller.quorum.voters over the first
 * min(n, 3) nodes (combined roles), the rest broker-only; all started at once (the voters need each
 * other to elect a controller), resolved when every node logged its ready line.
 */
export async function startCluster(n: number, opts: ClusterOptions = {}): Promise<ClusterNodeProcess[]> {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), 'strait-cluster-'));
  const plan = await planLocalCluster({
    nodes: n,
    baseDir,
    ...(opts.controllers !== undefined ? { controllers: opts.controllers } : {}),
    ...(opts.rackAware ? { rackAware: true } : {}),
    ...(opts.clusterId !== undefined ? { clusterId: opts.clusterId } : {}),
    config: { ...CLUSTER_TEST_CONFIG, ...opts.config },
  });
  if (opts.nodeConfig) {
    for (const node of plan.nodes) {
      node.values = { ...node.values, ...opts.nodeConfig(node.nodeId, node.values) };
      writeBrokerConfig(node.configFile, node.values);
    }
  }
  const started = await Promise.allSettled(plan.nodes.map((p) => spawnBroker(p.configFile, CLUSTER_READY_TIMEOUT_MS)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  let remaining = n;
  const removeBaseDirOnLastStop = (): void => {
    if (--remaining === 0) rmSync(baseDir, { recursive: true, force: true });
  };
  const nodes = started.flatMap((s, i) => (s.status === 'fulfilled' ? [clusterNode(plan.nodes[i]!, plan.clusterId, s.value, removeBaseDirOnLastStop)] : []));
  if (failed) {
    remaining = nodes.length;
    await Promise.all(nodes.map((b) => b.stop()));
    if (nodes.length === 0) rmSync(baseDir, { recursive: true, force: true });
    throw failed.reason;
  }
  return nodes;
}

function clusterNode(plan: NodePlan, clusterId: string, first: SpawnedBroker, onStopped: () => void): ClusterNodeProcess {
  const handle = managedProcess(
    { first, configFile: plan.configFile, dataDir: plan.dataDir, stopGraceMs: CLUSTER_STOP_GRACE_MS, readyTimeoutMs: CLUSTER_READY_TIMEOUT_MS },
    onStopped,
  );
  return Object.assign(Object.create(handle) as BrokerProcess, {
    nodeId: plan.nodeId,
    roles: plan.roles,
    clusterId,
    values: plan.values,
  });
}

/** bootstrap.servers for a cluster's nodes. */
export function bootstrapOf(nodes: readonly BrokerProcess[]): string {
  return nodes.map((b) => b.address).join(',');
}

/** Test-scoped launcher: everything it starts is stopped in t.after. */
export function useBrokers(t: { after(fn: () => Promise<void> | void): void }): {
  start(opts?: BrokerOptions): Promise<BrokerProcess>;
  cluster(n: number, opts?: ClusterOptions): Promise<ClusterNodeProcess[]>;
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
