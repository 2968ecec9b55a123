// Shared by the storage tests: temp dirs, a pino logger whose lines the test can read, batches.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { encodeRecordBatch } from '../../../client/records/record-batch.js';
import type { BatchBuildOptions, ProducerRecord } from '../../../client/records/record.js';
import { Log } from '../../../broker/log/log.js';
import { defaultTopicConfig, type TopicConfig } from '../../../broker/log/topic-config.js';

type HasAfter = { after: (fn: () => void) => void };
const stacks = new WeakMap<HasAfter, Array<() => void>>();

/** Runs fn when the test ends, last registered first (so logs close before their dir goes). */
export function onCleanup(t: HasAfter, fn: () => void): void {
  let stack = stacks.get(t);
  if (!stack) {
    const created: Array<() => void> = [];
    stack = created;
    stacks.set(t, created);
    t.after(() => {
      while (created.length > 0) created.pop()!();
    });
  }
  stack.push(fn);
}

export function tempDir(t: HasAfter): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strait-log-test-'));
  onCleanup(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CapturedLogger {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
}

export function capturedLogger(): CapturedLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  // sync: lines reach the stream before the call that logs them returns.
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines: () => chunks.join('').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const silentLogger: Logger = pino({ level: 'silent' });

export function config(overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { ...defaultTopicConfig(), ...overrides };
}

/** A batch of `count` records with values `${prefix}-${i}` and the given timestamp. */
export function batch(count: number, options: BatchBuildOptions & { timestamp?: number; prefix?: string; valueSize?: number } = {}): Buffer {
  const { timestamp, prefix = 'v', valueSize, ...build } = options;
  const records: ProducerRecord[] = [];
  for (let i = 0; i < count; i++) {
    const value = valueSize !== undefined ? Buffer.alloc(valueSize, i & 0xff) : `${prefix}-${i}`;
    records.push({ key: `k${i}`, value, timestamp: timestamp ?? 1_700_000_000_000 });
  }
  return encodeRecordBatch(records, build);
}

export function keyed(records: Array<{ key: string; value: string | null; timestamp?: number }>, options: BatchBuildOptions = {}): Buffer {
  return encodeRecordBatch(records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp ?? 1_700_000_000_000 })), options);
}

export interface OpenOptions {
  config?: Partial<TopicConfig>;
  logger?: Logger;
  now?: () => number;
  recoveryPoint?: number;
  cleanShutdown?: boolean;
}

export function openLog(dir: string, o: OpenOptions = {}): Log {
  return Log.open({
    dir: path.join(dir, 'topic-0'),
    topic: 'topic',
    partition: 0,
    config: config(o.config),
    logger: o.logger ?? silentLogger,
    now: o.now,
    recoveryPoint: o.recoveryPoint,
    cleanShutdown: o.cleanShutdown ?? true,
  });
}

export function segmentFiles(dir: string, suffix = '.log'): string[] {
  return fs.readdirSync(path.join(dir, 'topic-0')).filter((f) => f.endsWith(suffix)).sort();
}
