// What the live cluster says about a scenario's topic: who leads each partition, its followers and
// the active controller (the nemesis's RoleLookup, read when a role fault comes due), and whether
// every replica is back in the ISR with the same log end as the others (the wait before replicas are
// read from disk and compared). Metadata comes through the SDK Admin, bootstrapped on the brokers'
// own addresses so that the proxies' faults do not hide the cluster from the nemesis at start-up;
// log ends come from each node's /metrics (strait_log_end_offset), the only place a follower's is
// visible from outside.
import { Admin, type PartitionInfo } from '../../client/index.js';
import type { FaultTarget } from './fault-target.js';
import type { RoleLookup } from './nemesis.js';

/** Short, so that a frozen node costs a lookup little before the Admin asks another. */
const ADMIN_REQUEST_TIMEOUT_MS = 1_500;
const SCRAPE_TIMEOUT_MS = 2_000;
const POLL_MS = 250;

/** Each partition's replica set (node ids, ascending) by partition, as the metadata last had it. */
export type Assignment = Map<number, number[]>;

export type Convergence =
  | { converged: true; assignment: Assignment; waitedMs: number }
  /** `last` says what was still missing when the bound passed. */
  | { converged: false; assignment: Assignment; waitedMs: number; last: string };

/** The value of a per-partition gauge of one topic in a Prometheus text page, by partition. */
export function partitionGauge(page: string, name: string, topic: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.indexOf('}');
    const labels = line.slice(name.length + 1, close);
    const value = Number(line.slice(close + 1).trim());
    const label = (key: string): string | undefined => new RegExp(`(?:^|,)${key}="([^"]*)"`).exec(labels)?.[1];
    const partition = Number(label('partition'));
    if (label('topic') !== topic || !Number.isInteger(partition) || !Number.isFinite(value)) continue;
    out.set(partition, value);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ClusterView implements RoleLookup {
  private readonly admin: Admin;
  private lastPartitions: PartitionInfo[] | undefined;

  constructor(private readonly target: FaultTarget, private readonly topic: string) {
    this.admin = new Admin({
      'bootstrap.servers': target.nodes.map((n) => n.broker.address),
      'client.id': 'fault-nemesis',
      'request.timeout.ms': ADMIN_REQUEST_TIMEOUT_MS,
    });
  }

  /** The topic's partitions as some node's metadata image has them now. */
  async partitions(): Promise<PartitionInfo[]> {
    const [described] = await this.admin.describeTopics([this.topic]);
    if (!described) throw new Error(`no description of ${this.topic}`);
    this.lastPartitions = described.partitions;
    return described.partitions;
  }

  private async partition(partition: number): Promise<PartitionInfo> {
    const info = (await this.partitions())[partition];
    if (!info) throw new Error(`${this.topic} has no partition ${partition}`);
    return info;
  }

  async leaderOf(partition: number): Promise<number | undefined> {
    const { leaderId } = await this.partition(partition);
    return leaderId >= 0 ? leaderId : undefined;
  }

  async followersOf(partition: number): Promise<number[]> {
    const { leaderId, replicas } = await this.partition(partition);
    return replicas.filter((r) => r !== leaderId).sort((a, b) => a - b);
  }

  async activeController(): Promise<number | undefined> {
    const { controllerId } = await this.admin.describeCluster();
    return controllerId >= 0 ? controllerId : undefined;
  }

  /** Each node's log end offset per partition of the topic, by node id (a node that does not answer is absent). */
  async logEnds(): Promise<Map<number, Map<number, number>>> {
    const ends = new Map<number, Map<number, number>>();
    await Promise.all(this.target.nodes.map(async (n) => {
      try {
        const res = await fetch(`http://127.0.0.1:${n.broker.metricsPort}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
        ends.set(n.nodeId, partitionGauge(await res.text(), 'strait_log_end_offset', this.topic));
      } catch {
        // down or frozen: its log end is unknown this round
      }
    }));
    return ends;
  }

  /**
   * Polls until every partition has a leader and an ISR holding its whole replica set, and every
   * replica reports the same log end offset, on two polls in a row (an answer from a node whose
   * metadata image lags cannot end the wait alone); gives up after boundMs and says what was missing.
   */
  async waitForFullReplicas(boundMs: number): Promise<Convergence> {
    const started = Date.now();
    let last = 'no answer yet';
    let convergedPolls = 0;
    for (;;) {
      try {
        const missing = await this.missingForConvergence();
        convergedPolls = missing === undefined ? convergedPolls + 1 : 0;
        if (convergedPolls === 2) return { converged: true, assignment: this.assignment(), waitedMs: Date.now() - started };
        last = missing ?? 'converged on one poll';
      } catch (err) {
        convergedPolls = 0;
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() - started >= boundMs) return { converged: false, assignment: this.assignment(), waitedMs: Date.now() - started, last };
      await sleep(POLL_MS);
    }
  }

  /** What keeps the replicas from being converged now, or undefined when nothing does. */
  private async missingForConvergence(): Promise<string | undefined> {
    const partitions = await this.partitions();
    const ends = await this.logEnds();
    const missing: string[] = [];
    for (const p of partitions) {
      if (p === undefined) continue;
      const name = `p${p.partition}`;
      if (p.leaderId < 0) missing.push(`${name} has no leader`);
      const outOfIsr = p.replicas.filter((r) => !p.isr.includes(r));
      if (outOfIsr.length > 0) missing.push(`${name}: replicas ${outOfIsr.join(',')} out of the ISR [${p.isr.join(',')}]`);
      const byReplica = p.replicas.map((r) => `${r}:${ends.get(r)?.get(p.partition) ?? '?'}`);
      const values = new Set(p.replicas.map((r) => ends.get(r)?.get(p.partition)));
      if (values.size !== 1 || values.has(undefined)) missing.push(`${name}: log ends differ (node:end ${byReplica.join(' ')})`);
    }
    return missing.length === 0 ? undefined : missing.join('; ');
  }

  /** The replica sets as last described. */
  private assignment(): Assignment {
    if (!this.lastPartitions) throw new Error(`${this.topic} was never described: its replica sets are unknown`);
    return new Map(this.lastPartitions.filter((p) => p !== undefined).map((p) => [p.partition, [...p.replicas].sort((a, b) => a - b)]));
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
