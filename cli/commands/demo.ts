// `strait demo` (what `npm start` runs): two regions, each a local 3-node cluster, an active-active
// mirror between them (a `strait mirror` worker), a producer writing to each region, and a live view
// each second of what their /metrics say: produce rate per region, and per flow the mirror's
// throughput, lag in records and seconds, and replication latency.
//
// Ctrl-C drains in order: the producers stop and every record sent is acknowledged (or counted as
// failed), the mirror gets a bounded while to catch up and is stopped (it drains itself on SIGTERM),
// then both clusters. The child processes run in their own process groups, so the terminal's Ctrl-C
// reaches only the demo, which stops them in that order; a second Ctrl-C kills them at once.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intOption, parseCommand } from '../cli-args.js';
import type { CliCommand } from '../command.js';
import { stopChild } from '../local-process.js';
import { spawnMirror, type SpawnedMirror } from '../local-mirror.js';
import { scrapeMetrics, type Exposition } from '../prometheus-text.js';
import { formatTable } from '../table.js';
import { flowFigures, regionFigures, type DemoScrape } from '../demo/demo-figures.js';
import { activeActiveFlows, flowProgress, remoteTopic, startRegion, stopRegion, writeMirrorConfig, type FlowProgress, type Region } from '../demo/demo-regions.js';
import { RegionLoad, type LoadCounts } from '../demo/region-load.js';
import { viewHeader, viewLine } from '../demo/demo-view.js';

const OPTIONS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  partitions: { type: 'string' },
} as const;

const TOPIC = 'orders';
const REGIONS = ['east', 'west'];
const FLOWS = activeActiveFlows(REGIONS);
const SCRAPE_TIMEOUT_MS = 2_000;
const CATCH_UP_TIMEOUT_MS = 30_000;
const MIRROR_STOP_GRACE_MS = 20_000;

async function scrapeOrNothing(port: number): Promise<Exposition | undefined> {
  try {
    return await scrapeMetrics(`http://127.0.0.1:${port}/metrics`, SCRAPE_TIMEOUT_MS);
  } catch {
    return undefined;
  }
}

async function scrapeAll(regions: readonly Region[], mirror: SpawnedMirror): Promise<DemoScrape> {
  const atMs = Date.now();
  const [byRegion, mirrorScrape] = await Promise.all([
    Promise.all(regions.map(async (r) => [r.name, await Promise.all(r.nodes.map((n) => scrapeOrNothing(n.process.metricsPort)))] as const)),
    scrapeOrNothing(mirror.metricsPort),
  ]);
  return { atMs, regions: new Map(byRegion), mirror: mirrorScrape };
}

function processTable(regions: readonly Region[], mirror: SpawnedMirror, mirrorConfig: string): string {
  return formatTable(
    ['PROCESS', 'ADDRESS', 'METRICS', 'PID'],
    [
      ...regions.flatMap((r) => r.nodes.map((n) => [`${r.name} node ${n.plan.nodeId}`, n.plan.address, `http://127.0.0.1:${n.process.metricsPort}/metrics`, `(pid ${n.process.child.pid})`])),
      [`mirror ${mirrorConfig}`, '-', `http://127.0.0.1:${mirror.metricsPort}/metrics`, `(pid ${mirror.child.pid})`],
    ],
  );
}

interface DemoOptions {
  rate: number;
  duration: number | undefined;
  partitions: number;
}

/** One run of the demo: what it started, in the order it stops them. */
class DemoRun {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'strait-demo-'));
  private readonly regions: Region[] = [];
  private mirror: SpawnedMirror | undefined;
  private readonly loads: RegionLoad[] = [];
  private counts: LoadCounts[] = [];
  private progress: FlowProgress[] = [];
  private failure: string | undefined;
  private interrupts = 0;
  /** Set once the demo stops its children itself: their exits are no failure then. */
  private tearingDown = false;
  private wake: (() => void) | undefined;
  private readonly pids: number[] = [];

  constructor(private readonly out: NodeJS.WritableStream, private readonly options: DemoOptions) {}

  private children(): ChildProcess[] {
    return [...this.regions.flatMap((r) => r.nodes.map((n) => n.process.child)), ...(this.mirror ? [this.mirror.child] : [])];
  }

  /** The children are in their own process groups: if the demo dies, they must not outlive it. */
  private readonly killChildren = (): void => {
    for (const c of this.children()) {
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
  };

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.interrupts += 1;
    if (this.interrupts > 1) {
      this.out.write(`\n${signal} again: killing every process now\n`);
      this.killChildren();
      rmSync(this.dir, { recursive: true, force: true });
      process.exit(130);
    }
    this.wake?.();
  };

  private get stopping(): boolean {
    return this.interrupts > 0 || this.failure !== undefined;
  }

  /** Resolves after ms, or at once on Ctrl-C or a failure. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async run(): Promise<number> {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('exit', this.killChildren);
    try {
      await this.start();
      if (!this.stopping) await this.live();
      await this.drain();
    } catch (err) {
      this.failure ??= err instanceof Error ? err.message : String(err);
    } finally {
      await this.teardown();
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
      process.off('exit', this.killChildren);
    }
    return this.report();
  }

  private async start(): Promise<void> {
    const { out, dir } = this;
    out.write(`starting regions ${REGIONS.join(' and ')}, 3 nodes each, in ${dir} ...\n`);
    const started = await Promise.allSettled(REGIONS.map((name) => startRegion(name, dir, TOPIC, this.options.partitions)));
    for (const s of started) if (s.status === 'fulfilled') this.regions.push(s.value);
    const notStarted = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    this.pids.push(...this.children().map((c) => c.pid!));
    if (notStarted) throw notStarted.reason;
    if (this.stopping) return;

    const mirrorConfig = path.join(dir, 'mirror.properties');
    writeMirrorConfig(mirrorConfig, this.regions);
    out.write(`starting the mirror: strait mirror --config ${mirrorConfig} ...\n`);
    const mirror = await spawnMirror(mirrorConfig, { detached: true, timeoutMs: 30_000 });
    this.mirror = mirror;
    this.pids.push(mirror.child.pid!);

    out.write(`\n${processTable(this.regions, mirror, mirrorConfig)}\n\n`);
    for (const r of this.regions) out.write(`${r.name.padEnd(9)} ${r.plan.bootstrap}, topic ${TOPIC} (${this.options.partitions} partitions, replication factor 3)\n`);
    const [a, b] = this.regions as [Region, Region];
    out.write(`try       npx strait consume --bootstrap-server ${b.plan.bootstrap} --topic ${remoteTopic(a.name, TOPIC)} --max-messages 3\n`);
    out.write(`producing ${this.options.rate} records/s to ${TOPIC} in each region; Ctrl-C stops (producers drained, then the mirror, then the clusters)\n\n`);

    const exits = [
      ...this.regions.flatMap((r) => r.nodes.map((n) => n.process.exited.then(({ code, signal }) => `${r.name} node ${n.plan.nodeId} exited (code ${code}, signal ${signal})`))),
      mirror.exited.then(({ code, signal }) => `the mirror exited (code ${code}, signal ${signal}):\n${mirror.output.slice(-20).join('')}`),
    ];
    void Promise.race(exits).then((why) => {
      if (this.tearingDown) return;
      this.failure = why;
      this.wake?.();
    });
  }

  /** The live view, until Ctrl-C, a failure or --duration. */
  private async live(): Promise<void> {
    const { out, regions, mirror } = this;
    if (!mirror) return;
    for (const r of regions) {
      const load = new RegionLoad(r.name, r.plan.bootstrap, TOPIC, this.options.rate);
      this.loads.push(load);
      load.start();
    }
    out.write(viewHeader(REGIONS, FLOWS));
    const startedAt = Date.now();
    const { duration } = this.options;
    let previous = await scrapeAll(regions, mirror);
    // On a fixed schedule, so the time a scrape takes does not stretch the seconds.
    for (let tick = 1; !this.stopping && (duration === undefined || Date.now() - startedAt < duration * 1000); tick++) {
      await this.wait(Math.max(0, startedAt + tick * 1000 - Date.now()));
      if (this.stopping) break;
      const current = await scrapeAll(regions, mirror);
      out.write(viewLine((current.atMs - startedAt) / 1000, regionFigures(previous, current, TOPIC), flowFigures(previous, current, FLOWS)));
      previous = current;
    }
  }

  /** Producers first: every record sent acknowledged or failed. Then a bounded wait for the mirror. */
  private async drain(): Promise<void> {
    if (this.loads.length === 0) return;
    this.out.write('\nstopping: draining the producers ...\n');
    this.counts = await Promise.all(this.loads.map((l) => l.drain()));
    if (this.failure !== undefined) return;
    this.out.write('waiting for the mirror to catch up ...\n');
    const interruptsBefore = this.interrupts;
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    for (;;) {
      const progress = await Promise.all(FLOWS.map((f) => flowProgress(f, this.regions, TOPIC, this.options.partitions).catch(() => undefined)));
      this.progress = progress.filter((p): p is FlowProgress => p !== undefined);
      const caughtUp = this.progress.length === FLOWS.length && this.progress.every((p) => p.caughtUp);
      if (caughtUp || Date.now() >= deadline || this.interrupts > interruptsBefore || this.failure !== undefined) return;
      await this.wait(250);
    }
  }

  /** The mirror (it drains itself on SIGTERM), then both clusters; the data dir goes. */
  private async teardown(): Promise<void> {
    this.tearingDown = true;
    if (this.counts.length < this.loads.length) await Promise.all(this.loads.map((l) => l.drain().catch(() => undefined)));
    if (this.mirror) {
      this.out.write('stopping the mirror ...\n');
      await stopChild(this.mirror.child, this.mirror.exited, MIRROR_STOP_GRACE_MS);
    }
    if (this.regions.length > 0) this.out.write('stopping the clusters ...\n');
    await Promise.all(this.regions.map((r) => stopRegion(r)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private report(): number {
    const { out } = this;
    out.write('\n');
    for (const [i, c] of this.counts.entries()) {
      out.write(`${this.loads[i]!.region}: produced ${c.sent} records (${c.acknowledged} acknowledged, ${c.failed} failed)${c.firstError ? `; first failure: ${c.firstError}` : ''}\n`);
    }
    for (const p of this.progress) {
      out.write(`${p.source} -> ${p.target}: ${remoteTopic(p.source, TOPIC)} on ${p.target} holds ${p.remoteRecords ?? '-'} records, ${TOPIC} on ${p.source} ${p.sourceRecords}${p.caughtUp ? '' : ' (not caught up when stopped)'}\n`);
    }
    out.write(`stopped ${this.pids.length} processes (pids ${this.pids.join(', ')}); ${this.dir} removed\n`);
    if (this.failure !== undefined) {
      process.stderr.write(`strait demo: ${this.failure}\n`);
      return 1;
    }
    return this.counts.every((c) => c.failed === 0) ? 0 : 1;
  }
}

export async function runDemo(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseCommand(argv, OPTIONS);
  return new DemoRun(out, {
    rate: intOption(values, 'rate', 1) ?? 500,
    duration: intOption(values, 'duration', 1),
    partitions: intOption(values, 'partitions', 1) ?? 3,
  }).run();
}

export const demoCommand: CliCommand = {
  name: 'demo',
  options: OPTIONS,
  help: {
    summary: 'What npm start runs: two local 3-node regions, an active-active mirror between them, a producer per region and live figures, until Ctrl-C.',
    usage: ['demo [--rate N] [--duration S] [--partitions N]'],
    options: [
      ['--rate N', 'records per second into each region (default 500)'],
      ['--duration S', 'stop after S seconds (default: run until Ctrl-C)'],
      ['--partitions N', 'partitions of the demo topic in each region (default 3)'],
    ],
    notes: [
      'Each second: records appended per second in each region (its brokers\' strait_broker_messages_in_total),',
      'and per mirror flow records/s, lag in records and seconds, replication latency p50/p99 (the mirror\'s /metrics).',
      'Ctrl-C drains: every record sent is acknowledged, the mirror catches up (30 s at most) and stops, then the clusters.',
    ],
  },
  run: (argv) => runDemo(argv),
};
