// The nemesis: a fault plan drawn from a seed (which faults, on which node, when, for how long),
// then carried out against a FaultTarget while the workload runs. The plan is pure and printed, so a
// failing seed names the exact schedule; carrying it out takes real time and real signals.
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
 */
export type FaultKind = 'pause' | 'kill' | 'pause-kill' | 'cut' | 'pause-cut' | 'blackhole';

export const PROXY_FAULTS: ReadonlySet<FaultKind> = new Set(['cut', 'pause-cut', 'blackhole']);

export interface PlannedFault {
  /** Start, in ms after the load starts. */
  atMs: number;
  kind: FaultKind;
  /** Index into the target's nodes. */
  node: number;
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
}

const HOLDS: ReadonlySet<FaultKind> = new Set(['pause', 'pause-kill', 'pause-cut', 'blackhole']);
const KILLS: ReadonlySet<FaultKind> = new Set(['kill', 'pause-kill']);
const DEFAULT_RUN_MS: Range = [0, 50];

/** Faults one after another, each inside the window, at most maxFaults; the same for the same seed. */
export function planFaults(rng: SeededRandom, opts: NemesisOptions): PlannedFault[] {
  if (opts.kinds.length === 0 || opts.maxFaults <= 0) return [];
  const draw = (applies: boolean, range: Range): number => (applies ? rng.int(range[0], range[1]) : 0);
  const plan: PlannedFault[] = [];
  let at = rng.int(opts.gapMs[0], opts.gapMs[1]);
  for (let i = 0; i < opts.maxFaults; i++) {
    const kind = rng.pick(opts.kinds);
    const holdMs = draw(HOLDS.has(kind), opts.holdMs);
    const runMs = draw(kind === 'pause-kill', opts.runMs ?? DEFAULT_RUN_MS);
    const downMs = draw(KILLS.has(kind), opts.downMs);
    const node = rng.int(0, opts.nodes - 1);
    const lasts = faultLength({ holdMs, runMs, downMs });
    if (at + lasts > opts.windowMs) break;
    plan.push({ atMs: at, kind, node, holdMs, runMs, downMs });
    at += lasts + rng.int(opts.gapMs[0], opts.gapMs[1]);
  }
  return plan;
}

/** The planned length of a fault (a restart takes its own, unplanned, time on top). */
export function faultLength(f: Pick<PlannedFault, 'holdMs' | 'runMs' | 'downMs'>): number {
  return f.holdMs + f.runMs + f.downMs;
}

export function describeFault(f: PlannedFault): string {
  const parts = [`node#${f.node}`];
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
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function proxyOf<P>(node: { name: string; proxy: P | undefined }, kind: FaultKind): P {
  if (!node.proxy) throw new Error(`${kind} needs a proxy in front of ${node.name}; start the target with proxies`);
  return node.proxy;
}

/** Throws if a fault names a node the target lacks, or needs a proxy its node does not have. */
export function validatePlan(plan: readonly PlannedFault[], nodes: readonly Pick<FaultNode, 'name' | 'proxy'>[]): void {
  for (const f of plan) {
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

/**
 * Carries out the plan relative to `startedAt` (the load's start), one fault after another; a fault
 * that comes due late (after a slow restart) starts at once.
 */
export async function runNemesis(target: FaultTarget, plan: readonly PlannedFault[], startedAt: number): Promise<FaultEvent[]> {
  validatePlan(plan, target.nodes);
  const events: FaultEvent[] = [];
  for (const f of plan) {
    await sleep(startedAt + f.atMs - Date.now());
    const startedAtMs = Date.now() - startedAt;
    const connectionsCut = await inflict(target.nodes[f.node]!, f);
    events.push({ fault: f, startedAtMs, endedAtMs: Date.now() - startedAt, connectionsCut });
  }
  return events;
}
