// Group members in their own processes (member-process.ts) and a steady producer, for the group
// scenarios: start, kill -9, SIGSTOP/SIGCONT, SIGTERM, read their logs. Every process started here
// is killed by pid when its test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Producer } from '../../client/index.js';
import type { MemberProcessConfig } from './member-process.js';
import { reapOnExit } from '../helpers/child-reaper.js';

const MEMBER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'member-process.js');

type Scope = { after(fn: () => Promise<void> | void): void };

export interface MemberProcess {
  readonly name: string;
  readonly logFile: string;
  crashed: boolean;
  /** Resolves when the member has joined its group (its first assignment). */
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  lines(): string[];
  /** The partitions its log says it holds now (its A lines add, R and L lines remove), in order. */
  owned(): number[];
  kill9(): Promise<void>;
  /** SIGSTOP: the member stops dead, its connections open, until resume() (a stalled process as its
   * coordinator sees it: no heartbeats). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGTERM: the member closes (revoke, commit, leave) and exits. */
  stop(): Promise<number | null>;
}

/** A directory for member logs, removed when the test ends. */
export function logDir(t: Scope): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-members-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function spawnMember(t: Scope, name: string, config: Omit<MemberProcessConfig, 'log'>, dir: string): MemberProcess {
  const logFile = path.join(dir, `${name}.log`);
  const child: ChildProcess = spawn(process.execPath, [MEMBER_SCRIPT, JSON.stringify({ ...config, log: logFile })], { stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (output.includes('ready\n')) resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    void exited.then((code) => reject(new Error(`member ${name} exited (${code}) before joining: ${output}`)));
  });
  ready.catch(() => undefined);
  const signal = (sig: NodeJS.Signals): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  t.after(async () => {
    signal('SIGKILL');
    await exited;
  });
  const member: MemberProcess = {
    name,
    logFile,
    crashed: false,
    ready,
    exited,
    lines: () => {
      try {
        return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.length > 0);
      } catch {
        return [];
      }
    },
    owned: () => {
      const held = new Set<number>();
      for (const line of member.lines()) {
        const [kind, list] = line.split(' ');
        if (kind !== 'A' && kind !== 'R' && kind !== 'L') continue;
        for (const p of (list ?? '').split(',').filter((x) => x !== '').map(Number)) {
          if (kind === 'A') held.add(p);
          else held.delete(p);
        }
      }
      return [...held].sort((x, y) => x - y);
    },
    kill9: async () => {
      member.crashed = true;
      signal('SIGKILL');
      await exited;
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async () => {
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return member;
}

/**
 * Produces `perTick` keyless records round-robin every tickMs until stop() (at the latest when the
 * test ends); values v-0, v-1, ... stop() resolves with the number sent.
 */
export function steadyProducer(t: Scope, bootstrap: string, topic: string, perTick: number, tickMs: number): { stop(): Promise<number> } {
  const producer = new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 0, partitioner: 'round-robin' });
  let sent = 0;
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        await producer.sendMany(topic, Array.from({ length: perTick }, () => ({ value: `v-${sent++}` })));
      } catch (err) {
        failure = err;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - started))));
    }
  })();
  let closing: Promise<void> | undefined;
  const stop = async (): Promise<number> => {
    stopped = true;
    closing ??= loop.then(() => producer.close());
    await closing;
    if (failure) throw failure;
    return sent;
  };
  t.after(() => stop().then(() => undefined, () => undefined));
  return { stop };
}
