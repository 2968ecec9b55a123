// Small metadata files written atomically (tmp + fsync + rename + fsync of the directory), and
// Kafka's offset checkpoint format: "0\n<count>\n<topic> <partition> <offset>\n...".
import fs from 'node:fs';
import path from 'node:path';

/** A checkpoint or metadata file whose content does not parse. */
export class CorruptCheckpointError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CorruptCheckpointError';
  }
}

export function writeFileAtomic(file: string, content: string | Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDirectory(path.dirname(file));
}

/** Makes a rename or unlink in dir durable. Some filesystems refuse fsync on a directory; the
 * rename itself has still happened then, so that is not an error. */
export function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

const CHECKPOINT_VERSION = 0;

export function formatOffsetCheckpoint(entries: TopicPartitionOffset[]): string {
  const lines = [String(CHECKPOINT_VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  return lines.join('\n') + '\n';
}

/** Parses Kafka's offset checkpoint; a missing file is empty, a malformed one throws. */
export function readOffsetCheckpoint(file: string): TopicPartitionOffset[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== String(CHECKPOINT_VERSION)) throw new CorruptCheckpointError(file, `unsupported version line ${JSON.stringify(lines[0] ?? '')}`);
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count < 0 || lines.length !== count + 2) {
    throw new CorruptCheckpointError(file, `count line ${JSON.stringify(lines[1] ?? '')} does not match ${lines.length - 2} entries`);
  }
  return lines.slice(2).map((line, i) => {
    const parts = line.split(' ');
    const partition = Number(parts[1]);
    const offset = Number(parts[2]);
    if (parts.length !== 3 || parts[0]!.length === 0 || !Number.isSafeInteger(partition) || partition < 0 || !Number.isSafeInteger(offset)) {
      throw new CorruptCheckpointError(file, `entry ${i + 1} ${JSON.stringify(line)} is not "topic partition offset"`);
    }
    return { topic: parts[0]!, partition, offset };
  });
}

export function writeOffsetCheckpoint(file: string, entries: TopicPartitionOffset[]): void {
  writeFileAtomic(file, formatOffsetCheckpoint(entries));
}

/**
 * Reads a small `key=value` / `key: value` file (Java properties syntax without escapes: meta.properties,
 * partition.metadata); undefined when it does not exist, CorruptCheckpointError on a line that is neither.
 */
export function readKeyValueFile(file: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const fields = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep <= 0) throw new CorruptCheckpointError(file, `line ${JSON.stringify(line)} is not key=value`);
    fields.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  }
  return fields;
}
