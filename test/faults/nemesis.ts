// The nemesis: a fault plan drawn from a seed (which faults, on which node or which role, when, for
// how long), then carried out against a FaultTarget while the workload runs. The plan is pure and
// printed, so a failing seed names the exact schedule; carrying it out takes real time and real
// signals. A role fault ("the leader of partition 1") names no node: its victim is looked up in the
// live cluster's metadata when the fault comes due, since leadership moves under the faults.
//
// Faults run one after another, and each ends before the next starts (a killed node has restarted,
// a paused one resumed): at most one node is down or frozen at any moment, so at most one replica of
// any partition, the bound (replication.factor - min.insync.replicas = 1 for RF 3) within which no
// acknowledged record may be lost.
import type { FaultNode, FaultTarget } from './fault-target.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * - pause: SIGSTOP for holdMs, then SIGCONT (the process keeps its connections; requests wait).
 * - kill: SIGKILL, down for downMs, restart on the same data dir and port.
 * - pause-kill: SIGSTOP for holdMs while requests pile up in the socket, SIGCONT, SIGKILL runMs
 *   later (the broker has written part of the pile and answered little of it), down for downMs,
 *   restart.
 * - cut: every connection through the node's proxy destroyed at once, requests on the wire lost.
 * - pause-cut: SIGSTOP, holdMs later every proxied connection cut, then SIGCONT: the broker still
 *   reads and executes what reached its socket, but its answers go nowhere.
 * - blackhole: every proxied connection cut, and new ones held unanswered for holdMs.
 * Role faults, the victim chosen when the fault comes due:
 * - kill-leader: kill (as above) the node that leads `partition` of the scenario's topic now.
 * - pause-follower: pause (as above) one of the partition's followers (replicas other than its
 *   leader), the `pick`-th modulo their count.
 * - kill-controller: kill (as above) the active controller.
 * - cut-leader: cut (as above) the connections of the partition's leader.
 */
export type FaultKind =
  | 'pause' | 'kill' | 'pause-kill' | 'cut' | 'pause-cut' | 'blackhole'
  | 'kill-leader' | 'pause-follower' | 'kill-controller' | 'cut-leader';

/** What a role fault does to its victim, as the node fault of that name. */
const ROLE_ACTIONS = {
  'kill-leader': 'kill',
  'pause-follower': 'pause',
  'kill-controller': 'kill',
  'cut-leader': 'cut',
} as const satisfies Partial<Record<FaultKind, FaultKind>>;
type RoleFaultKind = keyof typeof ROLE_ACTIONS;

export const ROLE_FAULTS: ReadonlySet<FaultKind> = new Set(Object.keys(ROLE_ACTIONS) as RoleFaultKind[]);
/** Role faults about one partition of the topic. */
export const PARTITION_FAULTS: ReadonlySet<FaultKind> = new Set(['kill-leader', 'pause-follower', 'cut-leader']);
export const PROXY_FAULTS: ReadonlySet<FaultKind> = new Set(['cut', 'pause-cut', 'blackhole', 'cut-leader']);

function isRoleFault(kind: FaultKind): kind is RoleFaultKind {
  return ROLE_FAULTS.has(kind);
}

/**
 * Where role faults find their victims: the live cluster's metadata for the scenario's topic, read
 * when the fault comes due. Node ids are FaultNode.nodeId.
 */
export interface RoleLookup {
  /** The node leading the partition now; undefined while none does. */
  leaderOf(partition: number): Promise<number | undefined>;
  /** The partition's replicas other than its leader, in id order (all of them while it has none). */
  followersOf(partition: number): Promise<number[]>;
  /** The active controller now; undefined while there is none. */
  activeController(): Promise<number | undefined>;
}

export interface PlannedFault {
  /** Start, in ms after the load starts. */
  atMs: number;
  kind: FaultKind;
  /** Index into the target's nodes; -1 for a role fault (its victim is looked up when it comes due). */
  node: number;
  /** The partition a leader or follower fault is about, else -1. */
  partition: number;
  /** pause-follower: which follower, modulo their count; else 0. */
  pick: number;
  /** SIGSTOP or blackhole length (pause, pause-kill, pause-cut, blackhole), else 0. */
  holdMs: number;
  /** Time the broker runs between SIGCONT and SIGKILL (pause-kill), else 0. */
  runMs: number;
  /** Time a killed node stays down before its restart (kill, pause-kill), else 0. */
  downMs: number;
}

type Range = readonly [number, number];

export interface NemesisOptions {
  kinds: readonly FaultKind[];
  /** The window faults must start and end in (the load's duration). */
  windowMs: number;
  /** Upper bound on the number of faults. */
  maxFaults: number;
  /** Range of holdMs (pick it beyond request.timeout.ms for pauses). */
  holdMs: Range;
  /** Range of a killed node's downtime before its restart. */
  downMs: Range;
  /** Range of runMs for pause-kill; default [0, 50]. */
  runMs?: Range;
  /** Range of the calm between two faults (and before the first). */
  gapMs: Range;
  /** Nodes in the target. */
  nodes: number;
  /** Partitions of the topic; needed by the partition role faults. */
  partitions?: number;
}

const HOLDS: ReadonlySet<FaultKind> = new Set(['pause', 'pause-kill', 'pause-cut', 'blackhole', 'pause-follower']);
const KILLS: ReadonlySet<FaultKind> = new Set(['kill', 'pause-kill', 'kill-leader', 'kill-controller']);
/** pause-follower's pick is drawn from [0, PICKS): taken modulo 2 followers (RF 3) or any small count, each is as likely. */
const PICKS = 1000;
const DEFAULT_RUN_MS: Range = [0, 50];

/** Faults one after another, each inside the window, at most maxFaults; the same for the same seed. */
export function planFaults(rng: SeededRandom, opts: NemesisOptions): PlannedFault[] {
  if (opts.kinds.length === 0 || opts.maxFaults <= 0) return [];
  const partitions = opts.partitions ?? 0;
  const aboutPartitions = opts.kinds.filter((k) => PARTITION_FAULTS.has(k));
  if (aboutPartitions.length > 0 && !(Number.isSafeInteger(partitions) && partitions >= 1)) {
    throw new RangeError(`${aboutPartitions.join(', ')} need the topic's partition count (partitions >= 1), got ${opts.partitions}`);
  }
  const draw = (applies: boolean, range: Range): number => (applies ? rng.int(range[0], range[1]) : 0);
  const plan: PlannedFault[] = [];
  let at = rng.int(opts.gapMs[0], opts.gapMs[1]);
  for (let i = 0; i < opts.maxFaults; i++) {
    const kind = rng.pick(opts.kinds);
    const holdMs = draw(HOLDS.has(kind), opts.holdMs);
    const runMs = draw(kind === 'pause-kill', opts.runMs ?? DEFAULT_RUN_MS);
    const downMs = draw(KILLS.has(kind), opts.downMs);
    const role = isRoleFault(kind);
    const node = role ? -1 : rng.int(0, opts.nodes - 1);
    const partition = PARTITION_FAULTS.has(kind) ? rng.int(0, partitions - 1) : -1;
    const pick = kind === 'pause-follower' ? rng.int(0, PICKS - 1) : 0;
    const lasts = faultLength({ holdMs, runMs, downMs });
    if (at + lasts > opts.windowMs) break;
    plan.push({ atMs: at, kind, node, partition, pick, holdMs, runMs, downMs });
    at += lasts + rng.int(opts.gapMs[0], opts.gapMs[1]);
  }
  return plan;
}

/** The planned length of a fault (a restart takes its own, unplanned, time on top). */
export function faultLength(f: Pick<PlannedFault, 'holdMs' | 'runMs' | 'downMs'>): number {
  return f.holdMs + f.runMs + f.downMs;
}

function describeVictim(f: PlannedFault): string {
  switch (f.kind) {
    case 'kill-leader':
    case 'cut-leader':
      return `leader of p${f.partition}`;
    case 'pause-follower':
      return `follower #${f.pick} of p${f.partition}`;
    case 'kill-controller':
      return 'active controller';
    default:
      return `node#${f.node}`;
  }
}

export function describeFault(f: PlannedFault): string {
  const parts = [describeVictim(f)];
  if (f.holdMs > 0) parts.push(`hold ${f.holdMs}ms`);
  if (f.kind === 'pause-kill') parts.push(`run ${f.runMs}ms`);
  if (KILLS.has(f.kind)) parts.push(`down ${f.downMs}ms`);
  return `${f.kind}@${f.atMs}ms(${parts.join(', ')})`;
}

/** What actually happened, for the report. */
export interface FaultEvent {
  fault: PlannedFault;
  startedAtMs: number;
  endedAtMs: number;
  /** Connections cut by the proxy (proxy faults). */
  connectionsCut: number;
  /** The node the fault hit ("node 2"); undefined when it was skipped. */
  victim: string | undefined;
  /** Why a role fault hit nobody (no leader, no controller within the lookup bound). */
  skipped: string | undefined;
}

/** How long a role fault waits for the metadata to name a victim (a leader mid-election) before it is skipped. */
export const VICTIM_LOOKUP_BOUND_MS = 8_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function proxyOf<P>(node: { name: string; proxy: P | undefined }, kind: FaultKind): P {
  if (!node.proxy) throw new Error(`${kind} needs a proxy in front of ${node.name}; start the target with proxies`);
  return node.proxy;
}

/**
 * Throws if a fault names a node the target lacks, needs a proxy a node does not have (a role fault:
 * any node may be its victim), or is a role fault without a RoleLookup to find its victim.
 */
export function validatePlan(plan: readonly PlannedFault[], nodes: readonly Pick<FaultNode, 'name' | 'proxy'>[], roles?: RoleLookup): void {
  for (const f of plan) {
    if (isRoleFault(f.kind)) {
      if (!roles) throw new RangeError(`fault ${describeFault(f)} picks its victim from the cluster's metadata: runNemesis needs a RoleLookup`);
      if (PROXY_FAULTS.has(f.kind)) for (const node of nodes) proxyOf(node, f.kind);
      continue;
    }
    const node = nodes[f.node];
    if (!node) throw new RangeError(`fault ${describeFault(f)} names node #${f.node}; the target has ${nodes.length}`);
    if (PROXY_FAULTS.has(f.kind)) proxyOf(node, f.kind);
  }
}

async function killAndRestart(node: FaultNode, downMs: number): Promise<void> {
  node.broker.kill('SIGKILL');
  await node.broker.exited;
  await sleep(downMs);
  await node.broker.restart();
}

async function inflict(node: FaultNode, f: PlannedFault): Promise<number> {
  if (isRoleFault(f.kind)) return inflict(node, { ...f, kind: ROLE_ACTIONS[f.kind] });
  switch (f.kind) {
    case 'pause':
      node.broker.pause();
      await sleep(f.holdMs);
      node.broker.resume();
      return 0;
    case 'kill':
      await killAndRestart(node, f.downMs);
      return 0;
    case 'pause-kill':
      node.broker.pause();
      await sleep(f.holdMs);
      node.broker.resume();
      await sleep(f.runMs);
      await killAndRestart(node, f.downMs);
      return 0;
    case 'cut':
      return proxyOf(node, f.kind).cutAll();
    case 'pause-cut': {
      const proxy = proxyOf(node, f.kind);
      node.broker.pause();
      await sleep(f.holdMs);
      const cut = proxy.cutAll();
      node.broker.resume();
      return cut;
    }
    case 'blackhole': {
      const proxy = proxyOf(node, f.kind);
      proxy.blackhole();
      const cut = proxy.cutAll();
      await sleep(f.holdMs);
      proxy.pass();
      return cut;
    }
  }
}

/** The node id a role fault hits now, or why there is none. */
async function victimId(f: PlannedFault & { kind: RoleFaultKind }, roles: RoleLookup): Promise<number | undefined> {
  switch (f.kind) {
    case 'kill-leader':
    case 'cut-leader':
      return roles.leaderOf(f.partition);
    case 'pause-follower': {
      const followers = await roles.followersOf(f.partition);
      return followers.length === 0 ? undefined : followers[f.pick % followers.length];
    }
    case 'kill-controller':
      return roles.activeController();
  }
}

/** The victim of a role fault, polled from the metadata for up to VICTIM_LOOKUP_BOUND_MS. */
async function findVictim(f: PlannedFault & { kind: RoleFaultKind }, target: FaultTarget, roles: RoleLookup): Promise<FaultNode | string> {
  const deadline = Date.now() + VICTIM_LOOKUP_BOUND_MS;
  let last = 'no answer';
  for (;;) {
    try {
      const id = await victimId(f, roles);
      const node = target.nodes.find((n) => n.nodeId === id);
      if (node) return node;
      last = id === undefined ? 'the metadata names none' : `the metadata names node ${id}, not in the target`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) return `no ${describeVictim(f)} within ${VICTIM_LOOKUP_BOUND_MS} ms (${last})`;
    await sleep(200);
  }
}

/**
 * Carries out the plan relative to `startedAt` (the load's start), one fault after another; a fault
 * that comes due late (after a slow restart) starts at once. Role faults find their victims through
 * `roles`.
 */
export async function runNemesis(target: FaultTarget, plan: readonly PlannedFault[], startedAt: number, roles?: RoleLookup): Promise<FaultEvent[]> {
  validatePlan(plan, target.nodes, roles);
  const events: FaultEvent[] = [];
  for (const f of plan) {
    await sleep(startedAt + f.atMs - Date.now());
    const startedAtMs = Date.now() - startedAt;
    const node = isRoleFault(f.kind) ? await findVictim({ ...f, kind: f.kind }, target, roles!) : target.nodes[f.node]!;
    if (typeof node === 'string') {
      events.push({ fault: f, startedAtMs, endedAtMs: Date.now() - startedAt, connectionsCut: 0, victim: undefined, skipped: node });
      continue;
    }
    const connectionsCut = await inflict(node, f);
    events.push({ fault: f, startedAtMs, endedAtMs: Date.now() - startedAt, connectionsCut, victim: node.name, skipped: undefined });
  }
  return events;
}
