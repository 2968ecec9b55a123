// Topic metadata of a single node (name -> id, partition count, config overrides), kept in one small
// JSON file in the first log dir and replaced atomically on every change. Behind the TopicRegistry
// interface so that a Raft metadata log can take its place without touching the handlers.
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

export interface TopicRecord {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: number;
  /** Topic-level overrides only (what CreateTopics/IncrementalAlterConfigs set). */
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicRegistry {
  list(): TopicRecord[];
  get(name: string): TopicRecord | undefined;
  create(name: string, partitions: number, configs: Record<string, string>): TopicRecord;
  setPartitions(name: string, partitions: number): TopicRecord;
  setConfigs(name: string, configs: Record<string, string>): TopicRecord;
  delete(name: string): boolean;
}

/** The registry file exists but cannot be read as topic metadata: start-up stops rather than guess. */
export class TopicRegistryFileError extends Error {
  constructor(file: string, problem: string) {
    super(`topic registry ${file}: ${problem}`);
    this.name = 'TopicRegistryFileError';
  }
}

export const TOPIC_REGISTRY_FILE = 'strait-topics.json';
const FORMAT_VERSION = 1;

function checkRecord(value: unknown): value is TopicRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return typeof r.name === 'string' && typeof r.topicId === 'string' &&
    Number.isSafeInteger(r.partitions) && (r.partitions as number) >= 1 &&
    r.configs !== null && typeof r.configs === 'object' &&
    Object.values(r.configs as object).every((v) => typeof v === 'string');
}

export class FileTopicRegistry implements TopicRegistry {
  readonly file: string;
  private readonly topics = new Map<string, TopicRecord>();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, TOPIC_REGISTRY_FILE);
    if (existsSync(this.file)) this.load();
  }

  private load(): void {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new TopicRegistryFileError(this.file, `not valid JSON (${(err as Error).message})`);
    }
    const d = doc as { version?: unknown; topics?: unknown };
    if (d === null || typeof d !== 'object' || d.version !== FORMAT_VERSION || !Array.isArray(d.topics)) {
      throw new TopicRegistryFileError(this.file, `expected {"version":${FORMAT_VERSION},"topics":[...]}`);
    }
    for (const t of d.topics) {
      if (!checkRecord(t)) throw new TopicRegistryFileError(this.file, `malformed topic entry ${JSON.stringify(t)}`);
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, partitions: t.partitions, configs: { ...t.configs } });
    }
  }

  private persist(): void {
    const topics = [...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
    writeFileAtomic(this.file, JSON.stringify({ version: FORMAT_VERSION, topics }, null, 1) + '\n');
  }

  /** Applies a change and persists it; on a write failure the in-memory state is rolled back. */
  private change(name: string, next: TopicRecord | undefined): void {
    const before = this.topics.get(name);
    if (next) this.topics.set(name, next);
    else this.topics.delete(name);
    try {
      this.persist();
    } catch (err) {
      if (before) this.topics.set(name, before);
      else this.topics.delete(name);
      throw err;
    }
  }

  list(): TopicRecord[] {
    return [...this.topics.values()];
  }

  get(name: string): TopicRecord | undefined {
    return this.topics.get(name);
  }

  create(name: string, partitions: number, configs: Record<string, string>): TopicRecord {
    const record: TopicRecord = { name, topicId: randomUUID(), partitions, configs: { ...configs } };
    this.change(name, record);
    return record;
  }

  setPartitions(name: string, partitions: number): TopicRecord {
    const current = this.require(name);
    const record = { ...current, partitions };
    this.change(name, record);
    return record;
  }

  setConfigs(name: string, configs: Record<string, string>): TopicRecord {
    const current = this.require(name);
    const record = { ...current, configs: { ...configs } };
    this.change(name, record);
    return record;
  }

  delete(name: string): boolean {
    if (!this.topics.has(name)) return false;
    this.change(name, undefined);
    return true;
  }

  private require(name: string): TopicRecord {
    const record = this.topics.get(name);
    if (!record) throw new RangeError(`topic ${name} is not registered`);
    return record;
  }
}
