// What the nemesis faults and the workload writes to: a list of broker processes, each optionally
// behind its own FaultProxy (the broker then advertises the proxy, so every client connection goes
// through it). The same shape covers one broker and a multi-node cluster, so a scenario written for
// one runs on the other.
import { FaultProxy } from '../helpers/fault-proxy.js';
import { SINGLE_BROKER_NODE_ID, startBroker, startCluster, type BrokerProcess, type ClusterOptions } from '../helpers/launcher.js';
import { isRunning } from '../cluster/cluster-kit.js';

export interface FaultNode {
  /** For messages: "node 1". */
  readonly name: string;
  /** The broker's node.id (what metadata calls it). */
  readonly nodeId: number;
  readonly broker: BrokerProcess;
  /** The proxy clients reach this node through; undefined when they connect to it directly. */
  readonly proxy: FaultProxy | undefined;
}

export interface FaultTarget {
  /** bootstrap.servers for clients (the proxies' addresses when there are proxies). */
  readonly bootstrap: string;
  readonly nodes: readonly FaultNode[];
  /** Undoes every fault: proxies pass again, paused processes resume, dead ones restart. */
  heal(): Promise<void>;
  /**
   * Shuts every process down cleanly (SIGTERM, one node after another, each waited for), keeping
   * the data dirs for reading; stop() still removes them.
   */
  halt(): Promise<void>;
  /** Stops every process and proxy. */
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Put a FaultProxy in front of every node (needed for connection faults). */
  proxies?: boolean;
  /** Extra broker keys for every node. */
  config?: Record<string, string>;
}

function advertise(proxy: FaultProxy): Record<string, string> {
  return { 'advertised.listeners': `PLAINTEXT://${proxy.address}` };
}

function target(nodes: FaultNode[]): FaultTarget {
  return {
    bootstrap: nodes.map((n) => n.proxy?.address ?? n.broker.address).join(','),
    nodes,
    heal: async () => {
      for (const n of nodes) {
        n.proxy?.pass();
        n.broker.resume();
      }
      const dead: FaultNode[] = [];
      for (const n of nodes) if (!(await isRunning(n.broker))) dead.push(n);
      await Promise.all(dead.map((n) => n.broker.restart()));
    },
    halt: async () => {
      // One at a time: each controlled shutdown then finds a quorum to move its leaderships.
      for (const n of nodes) await n.broker.halt();
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.broker.stop()));
      await Promise.all(nodes.map((n) => n.proxy?.close()));
    },
  };
}

/** One broker (node 1), optionally behind a proxy. */
export async function startSingleBrokerTarget(opts: TargetOptions = {}): Promise<FaultTarget> {
  const proxy = opts.proxies ? await FaultProxy.start() : undefined;
  try {
    const broker = await startBroker({ config: { ...opts.config, ...(proxy ? advertise(proxy) : {}) } });
    proxy?.setTarget(broker.address);
    return target([{ name: 'node 1', nodeId: SINGLE_BROKER_NODE_ID, broker, proxy }]);
  } catch (err) {
    await proxy?.close();
    throw err;
  }
}

/** An n-node cluster (launcher.startCluster), each node optionally behind its own proxy. */
export async function startClusterTarget(n: number, opts: TargetOptions & Omit<ClusterOptions, 'config' | 'nodeConfig'> = {}): Promise<FaultTarget> {
  const { proxies: withProxies, config, ...clusterOptions } = opts;
  const proxies = withProxies ? await Promise.all(Array.from({ length: n }, () => FaultProxy.start())) : [];
  try {
    const brokers = await startCluster(n, {
      ...clusterOptions,
      ...(config ? { config } : {}),
      ...(withProxies ? { nodeConfig: (nodeId: number) => advertise(proxies[nodeId - 1]!) } : {}),
    });
    return target(brokers.map((broker, i) => {
      const proxy = proxies[i];
      proxy?.setTarget(broker.address);
      return { name: `node ${broker.nodeId}`, nodeId: broker.nodeId, broker, proxy };
    }));
  } catch (err) {
    await Promise.all(proxies.map((p) => p.close()));
    throw err;
  }
}
