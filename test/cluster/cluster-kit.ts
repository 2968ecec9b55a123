// Shared by the multi-process cluster tests: bounded waits, and raw gRPC calls to ONE chosen node
// (each node answers from its own metadata image, and a test must know which node it asked).
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { AdminClient } from '../../client/wire/generated/strait/v1/Admin.js';
import type { BrokerClient } from '../../client/wire/generated/strait/v1/Broker.js';
import type { CreatableTopicResult__Output } from '../../client/wire/generated/strait/v1/CreatableTopicResult.js';
import type { CreateTopicsResponse__Output } from '../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { DescribeClusterResponse__Output } from '../../client/wire/generated/strait/v1/DescribeClusterResponse.js';
import type { MetadataResponse__Output } from '../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { TopicMetadata__Output } from '../../client/wire/generated/strait/v1/TopicMetadata.js';
import { adminClient, brokerClient, rpc, within } from '../helpers/grpc-clients.js';
import { after, before } from 'node:test';
import { startCluster, type BrokerProcess, type ClusterNodeProcess, type ClusterOptions } from '../helpers/launcher.js';

export const CALL_TIMEOUT_MS = 3_000;

/** What a call needs of a node: its address. */
export type NodeAddress = Pick<BrokerProcess, 'address'>;

export function randomTopic(prefix = 'c'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Polls `probe` until it returns a value other than undefined/false; a throw counts as "not yet".
 * Fails after timeoutMs naming what it waited for and the last value or error seen.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Raw clients per address, all closed in t.after. */
export class NodeCalls {
  private readonly brokers = new Map<string, BrokerClient>();
  private readonly admins = new Map<string, AdminClient>();

  constructor(t: { after(fn: () => void): void }) {
    t.after(() => this.close());
  }

  private broker(address: string): BrokerClient {
    let c = this.brokers.get(address);
    if (!c) this.brokers.set(address, (c = brokerClient(address)));
    return c;
  }

  private admin(address: string): AdminClient {
    let c = this.admins.get(address);
    if (!c) this.admins.set(address, (c = adminClient(address)));
    return c;
  }

  metadata(node: NodeAddress, topics: string[] | 'all'): Promise<MetadataResponse__Output> {
    const request = topics === 'all' ? { topics: [], allTopics: true, allowAutoTopicCreation: false } : { topics, allTopics: false, allowAutoTopicCreation: false };
    return rpc<MetadataResponse__Output>((cb) => this.broker(node.address).Metadata(request, within(CALL_TIMEOUT_MS), cb));
  }

  /** One topic as `node` sees it; undefined while it does not know the topic. */
  async topic(node: NodeAddress, name: string): Promise<TopicMetadata__Output | undefined> {
    const md = await this.metadata(node, [name]);
    const t = md.topics.find((x) => x.name === name);
    return t && t.errorCode === 0 ? t : undefined;
  }

  describeCluster(node: NodeAddress): Promise<DescribeClusterResponse__Output> {
    return rpc<DescribeClusterResponse__Output>((cb) => this.admin(node.address).DescribeCluster({}, within(CALL_TIMEOUT_MS), cb));
  }

  /** CreateTopics sent to `node` (it forwards to the active controller); the one topic's result.
   * With `assignments` (replica lists by partition), partitions and replicationFactor must be -1. */
  async createTopic(
    node: NodeAddress, name: string, partitions: number, replicationFactor: number,
    opts: { timeoutMs?: number; configs?: Record<string, string>; assignments?: number[][] } = {},
  ): Promise<CreatableTopicResult__Output> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const assignments = (opts.assignments ?? []).map((brokerIds, partition) => ({ partition, brokerIds }));
    const request = {
      topics: [{ name, numPartitions: partitions, replicationFactor, assignments, configs: Object.entries(opts.configs ?? {}).map(([k, value]) => ({ name: k, value })) }],
      timeoutMs,
      validateOnly: false,
    };
    // The gRPC deadline is well past the request's own timeout: the answer must come from the broker.
    const res = await rpc<CreateTopicsResponse__Output>((cb) => this.admin(node.address).CreateTopics(request, within(timeoutMs + 10_000), cb));
    return res.topics[0]!;
  }

  close(): void {
    for (const c of [...this.brokers.values(), ...this.admins.values()]) c.close();
    this.brokers.clear();
    this.admins.clear();
  }
}

/** The active controller id as `from` reports it, once one is reported (bounded). */
export async function activeController(calls: NodeCalls, from: readonly BrokerProcess[], timeoutMs = 10_000): Promise<number> {
  return waitFor('an active controller', async () => {
    for (const node of from) {
      try {
        const d = await calls.describeCluster(node);
        if (d.controllerId >= 0) return d.controllerId;
      } catch {
        // that node is down or starting: ask the next
      }
    }
    return undefined;
  }, timeoutMs);
}

/** Waits until `node` sees the topic with `partitions` partitions, each with a leader. */
export function topicWithLeaders(calls: NodeCalls, node: BrokerProcess, name: string, partitions: number, timeoutMs = 10_000): Promise<TopicMetadata__Output> {
  return waitFor(`${name}: ${partitions} partitions with leaders on ${node.address}`, async () => {
    const t = await calls.topic(node, name);
    return t && t.partitions.length === partitions && t.partitions.every((p) => p.leaderId >= 0) ? t : undefined;
  }, timeoutMs);
}

/** Partition directories (`<topic>-<n>`) of a topic in a node's data dir. */
export function partitionDirs(dataDir: string, topic: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(`${topic}-`) && /^\d+$/.test(n.slice(topic.length + 1))).sort();
}

/** The node with this id. */
export function byId<T extends { nodeId: number }>(nodes: readonly T[], id: number): T {
  const node = nodes.find((n) => n.nodeId === id);
  if (!node) throw new Error(`no node ${id} among ${nodes.map((n) => n.nodeId).join(', ')}`);
  return node;
}

/** True while the node's current process has not exited. */
export async function isRunning(node: BrokerProcess): Promise<boolean> {
  let exited = false;
  void node.exited.then(() => (exited = true));
  await new Promise((resolve) => setImmediate(resolve));
  return !exited;
}

/** Restarts (together) every node whose process is gone, so that one failed test does not sink the next. */
export async function restartStopped(nodes: readonly BrokerProcess[]): Promise<void> {
  const stopped: BrokerProcess[] = [];
  for (const n of nodes) if (!(await isRunning(n))) stopped.push(n);
  await Promise.all(stopped.map((n) => n.restart()));
}

/**
 * Inside a describe(): starts an n-node cluster before its tests (optionally waiting for an active
 * controller) and closes every client and stops every node after them. Tests read `nodes` and `calls`
 * once the suite has started.
 */
export function clusterSuite(n: number, opts: ClusterOptions & { waitForController?: boolean } = {}): { nodes: ClusterNodeProcess[]; calls: NodeCalls } {
  const suite = { nodes: [] as ClusterNodeProcess[], calls: undefined as unknown as NodeCalls };
  const cleanups: (() => void)[] = [];
  before(async () => {
    const { waitForController, ...clusterOptions } = opts;
    suite.nodes = await startCluster(n, clusterOptions);
    suite.calls = new NodeCalls({ after: (fn) => cleanups.push(fn) });
    if (waitForController) await activeController(suite.calls, suite.nodes);
  });
  after(async () => {
    for (const fn of cleanups) fn();
    await Promise.all(suite.nodes.map((node) => node.stop()));
  });
  return suite;
}

/** A node's pino log line: `msg`, `time` (epoch ms, the node's own clock) and its bindings. */
export interface LogLine {
  msg: string;
  time: number;
  [key: string]: unknown;
}

/** The JSON log lines of the node's current process whose msg is `msg`, in order. */
export function logLines(node: BrokerProcess, msg: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of node.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as LogLine;
      if (entry.msg === msg) out.push(entry);
    } catch {
      // a partial line at the end of the output so far
    }
  }
  return out;
}
