// A local multi-node cluster on loopback (`strait cluster`, the tests' launcher, the cluster bench):
// plans the nodes (ids, roles, ports, configs with controller.quorum.voters and one cluster.id),
// starts one `strait broker` process per node concurrently, and stops them brokers-first.
// Voters must know each other's addresses before any of them starts, so the gRPC ports are chosen
// up front (free loopback ports, or --base-port + i) instead of binding port 0.
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomClusterId, readMetaProperties } from '../broker/index.js';
import { spawnBroker, stopChild, writeBrokerConfig, type SpawnedBroker } from './local-broker.js';

export const LOCAL_HOST = '127.0.0.1';

// Cluster ids are made and checked in one place, the broker's (Kafka's form, never starting with '-').
export { isClusterId, randomClusterId } from '../broker/index.js';

/** The kernel's range for outgoing connections' local ports (Linux); elsewhere the IANA default. */
function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return { low: low!, high: high! };
  } catch { /* not Linux */ }
  return { low: 49152, high: 65535 };
}

const LOWEST_LISTENER_PORT = 10_000;

/**
 * Free TCP ports on 127.0.0.1, held open together so that they differ, then released. They are drawn
 * at random below the kernel's ephemeral range: a node restarted on its port must not find it taken
 * by some client's outgoing connection, which only ever gets a port from that range.
 */
export async function pickFreePorts(count: number): Promise<number[]> {
  const { low } = ephemeralPortRange();
  const high = Math.max(LOWEST_LISTENER_PORT + 1000, low) - 1;
  const servers: net.Server[] = [];
  try {
    for (let tries = 0; servers.length < count; tries++) {
      // Below the range when there is room for it, else any free port the kernel picks.
      const port = tries < 200 ? LOWEST_LISTENER_PORT + Math.floor(Math.random() * (high - LOWEST_LISTENER_PORT)) : 0;
      const server = net.createServer();
      const bound = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, LOCAL_HOST, () => resolve(true));
      });
      if (bound) servers.push(server);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export interface ClusterPlanOptions {
  /** Number of nodes. */
  nodes: number;
  /** The first `controllers` nodes are combined broker,controller voters; default min(nodes, 3). */
  controllers?: number;
  /** Each node gets <baseDir>/node-<id>/ with its config file and its data dir. */
  baseDir: string;
  /** gRPC port of node i (1-based) is basePort + i - 1; default: free ports. */
  basePort?: number;
  /** Sets broker.rack to rack-a, rack-b, rack-c in turn. */
  rackAware?: boolean;
  /** Default: the id already in node 1's meta.properties, else a new one. */
  clusterId?: string;
  /** Keys added to every node's config (they override the planned ones). */
  config?: Record<string, string>;
}

export interface NodePlan {
  nodeId: number;
  roles: string[];
  port: number;
  address: string;
  dataDir: string;
  configFile: string;
  rack: string;
  /** The node's broker config keys, as written to configFile. */
  values: Record<string, string>;
}

export interface ClusterPlan {
  clusterId: string;
  /** controller.quorum.voters */
  voters: string;
  bootstrap: string;
  nodes: NodePlan[];
}

const RACKS = ['rack-a', 'rack-b', 'rack-c'];

/** Chooses ids, roles, ports and configs and writes each node's config file. */
export async function planLocalCluster(options: ClusterPlanOptions): Promise<ClusterPlan> {
  const n = options.nodes;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`a cluster needs at least 1 node, got ${n}`);
  const controllers = options.controllers ?? Math.min(n, 3);
  if (!Number.isSafeInteger(controllers) || controllers < 1 || controllers > n) {
    throw new RangeError(`controllers must be between 1 and the node count ${n}, got ${controllers}`);
  }
  if (options.basePort !== undefined && (options.basePort < 1 || options.basePort + n - 1 > 65_535)) {
    throw new RangeError(`ports ${options.basePort}..${options.basePort + n - 1} are not all valid TCP ports`);
  }
  const ports = options.basePort !== undefined ? Array.from({ length: n }, (_, i) => options.basePort! + i) : await pickFreePorts(n);
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const nodeDir = (id: number): string => path.join(options.baseDir, `node-${id}`);
  const dataDirOf = (id: number): string => path.join(nodeDir(id), 'data');
  // A data dir from an earlier run keeps its cluster: reuse its id rather than refusing to start.
  const clusterId = options.clusterId ?? readMetaProperties(dataDirOf(1))?.clusterId ?? randomClusterId();
  const voters = ids.slice(0, controllers).map((id, i) => `${id}@${LOCAL_HOST}:${ports[i]}`).join(',');
  const nodes = ids.map((nodeId, i): NodePlan => {
    const roles = i < controllers ? ['broker', 'controller'] : ['broker'];
    const port = ports[i]!;
    const dataDir = dataDirOf(nodeId);
    const rack = options.rackAware ? RACKS[i % RACKS.length]! : '';
    const values: Record<string, string> = {
      'node.id': String(nodeId),
      'process.roles': roles.join(','),
      'controller.quorum.voters': voters,
      'cluster.id': clusterId,
      listeners: `PLAINTEXT://${LOCAL_HOST}:${port}`,
      'log.dirs': dataDir,
      'metrics.listener': options.basePort !== undefined ? `http://${LOCAL_HOST}:${options.basePort + 100 + i}` : `http://${LOCAL_HOST}:0`,
      ...(rack ? { 'broker.rack': rack } : {}),
      ...options.config,
    };
    mkdirSync(nodeDir(nodeId), { recursive: true });
    const configFile = path.join(nodeDir(nodeId), 'server.properties');
    writeBrokerConfig(configFile, values);
    return { nodeId, roles, port, address: `${LOCAL_HOST}:${port}`, dataDir, configFile, rack, values };
  });
  return { clusterId, voters, bootstrap: nodes.map((p) => p.address).join(','), nodes };
}

export interface RunningNode {
  plan: NodePlan;
  process: SpawnedBroker;
}

/**
 * Starts every planned node at once (voters need each other to elect a controller before any of
 * them is ready) and waits for all ready lines; if one fails, the others are stopped and the error
 * (with that node's output) is thrown. `detached` puts each node in its own process group (see
 * SpawnOptions).
 */
export async function startPlannedNodes(plan: ClusterPlan, options: { timeoutMs?: number; detached?: boolean } = {}): Promise<RunningNode[]> {
  const started = await Promise.allSettled(plan.nodes.map((p) => spawnBroker(p.configFile, { timeoutMs: options.timeoutMs ?? 30_000, detached: options.detached ?? false })));
  const running = started.flatMap((s, i) => (s.status === 'fulfilled' ? [{ plan: plan.nodes[i]!, process: s.value }] : []));
  const failed = started.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    await stopNodes(running);
    const reason = (started[failed] as PromiseRejectedResult).reason as unknown;
    throw new Error(`node ${plan.nodes[failed]!.nodeId} did not start: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  return running;
}

/**
 * Stops nodes cleanly: broker-only nodes first (their controlled shutdown needs a controller), then
 * the controllers; each gets SIGTERM and, after graceMs, SIGKILL.
 */
export async function stopNodes(nodes: readonly RunningNode[], graceMs = 15_000): Promise<void> {
  const stop = (list: readonly RunningNode[]): Promise<unknown> =>
    Promise.all(list.map((n) => stopChild(n.process.child, n.process.exited, graceMs)));
  await stop(nodes.filter((n) => !n.plan.roles.includes('controller')));
  await stop(nodes.filter((n) => n.plan.roles.includes('controller')));
}
