// The nemesis: a fault plan drawn from a seed (which faults, on which node, when, for how long),
// then carried out against a FaultTarget while the workload runs. The plan is pure and printed, so a
// failing seed names the exact schedule; carrying it out takes real time and real signals.
import type { FaultNode, FaultTarget } from './fault-target.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * - pause: SIGSTOP for holdMs, then SIGCONT (the process keeps its connections; requests wait).
 * - kill: SIGKILL, down for holdMs, restart on the same data dir and port.
 * - cut: every connection through the node's proxy destroyed at once, requests on the wire lost.
 * - pause-cut: SIGSTOP, holdMs later every proxied connection cut, then SIGCONT: the broker still
 *   reads and executes what reached its socket, but its answers go nowhere.
 * - blackhole: every proxied connection cut, and new ones held unanswered for holdMs.
 */
export type FaultKind = 'pause' | 'kill' | 'cut' | 'pause-cut' | 'blackhole';

export const PROXY_FAULTS: ReadonlySet<FaultKind> = new Set(['cut', 'pause-cut', 'blackhole']);

export interface PlannedFault {
  /** Start, in ms after the load starts. */
  atMs: number;
  kind: FaultKind;
  /** Index into the target's nodes. */
  node: number;
  /** How long the fault lasts (0 for cut). */
  holdMs: number;
}

export interface NemesisOptions {
  kinds: readonly FaultKind[];
  /** The window faults must start and end in (the load's duration). */
  windowMs: number;
  /** Upper bound on the number of faults. */
  maxFaults: number;
  /** Range of holdMs for pause, pause-cut and blackhole (pick it beyond request.timeout.ms). */
  holdMs: readonly [number, number];
  /** Range of a killed node's downtime before its restart. */
  downMs: readonly [number, number];
  /** Range of the calm between two faults (and before the first). */
  gapMs: readonly [number, number];
  /** Nodes in the target. */
  nodes: number;
}

function holdFor(kind: FaultKind, rng: SeededRandom, opts: NemesisOptions): number {
  switch (kind) {
    case 'cut':
      return 0;
    case 'kill':
      return rng.int(opts.downMs[0], opts.downMs[1]);
    case 'pause':
    case 'pause-cut':
    case 'blackhole':
      return rng.int(opts.holdMs[0], opts.holdMs[1]);
  }
}

/** Faults one after another, each inside the window, at most maxFaults; the same for the same seed. */
export function planFaults(rng: SeededRandom, opts: NemesisOptions): PlannedFault[] {
  if (opts.kinds.length === 0 || opts.maxFaults <= 0) return [];
  const plan: PlannedFault[] = [];
  let at = rng.int(opts.gapMs[0], opts.gapMs[1]);
  for (let i = 0; i < opts.maxFaults; i++) {
    const kind = rng.pick(opts.kinds);
    const holdMs = holdFor(kind, rng, opts);
    const node = rng.int(0, opts.nodes - 1);
    if (at + holdMs > opts.windowMs) break;
    plan.push({ atMs: at, kind, node, holdMs });
    at += holdMs + rng.int(opts.gapMs[0], opts.gapMs[1]);
  }
  return plan;
}

export function describeFault(f: PlannedFault): string {
  return `${f.kind}@${f.atMs}ms(node#${f.node}${f.holdMs > 0 ? `, ${f.holdMs}ms` : ''})`;
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

async function inflict(node: FaultNode, f: PlannedFault): Promise<number> {
  switch (f.kind) {
    case 'pause':
      node.broker.pause();
      await sleep(f.holdMs);
      node.broker.resume();
      return 0;
    case 'kill':
      node.broker.kill('SIGKILL');
      await node.broker.exited;
      await sleep(f.holdMs);
      await node.broker.restart();
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
