// Leader epoch -> start offset history of one partition (Kafka's LeaderEpochFileCache), persisted in
// leader-epoch-checkpoint as "0\n<count>\n<epoch> <startOffset>\n...". Followers use it to find
// where their log diverges from the leader's (KIP-101/279).
import fs from 'node:fs';
import path from 'node:path';
import { CorruptCheckpointError, writeFileAtomic } from './checkpoint-file.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
const VERSION = 0;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
  }

  /** Reads the checkpoint; a missing file is an empty history, a malformed one throws. */
  load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.entries = [];
        return;
      }
      throw err;
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (lines[0] !== String(VERSION)) throw new CorruptCheckpointError(this.file, `unsupported version line ${JSON.stringify(lines[0] ?? '')}`);
    const count = Number(lines[1]);
    if (!Number.isSafeInteger(count) || lines.length !== count + 2) throw new CorruptCheckpointError(this.file, 'count does not match the entries');
    const entries: EpochEntry[] = [];
    for (const line of lines.slice(2)) {
      const [e, o, extra] = line.split(' ');
      const epoch = Number(e);
      const startOffset = Number(o);
      const prev = entries.at(-1);
      if (extra !== undefined || !Number.isSafeInteger(epoch) || !Number.isSafeInteger(startOffset) || epoch < 0 || startOffset < 0
        || (prev && (epoch <= prev.epoch || startOffset < prev.startOffset))) {
        throw new CorruptCheckpointError(this.file, `entry ${JSON.stringify(line)} is malformed or out of order`);
      }
      entries.push({ epoch, startOffset });
    }
    this.entries = entries;
  }

  all(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  latestEpoch(): number | undefined {
    return this.entries.at(-1)?.epoch;
  }

  /** Records that `epoch` starts at startOffset. Older or equal epochs change nothing; entries that a
   * new epoch's start offset contradicts (starting at or after it) are removed, as in Kafka. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const latest = this.entries.at(-1);
    if (latest && epoch <= latest.epoch) return;
    this.entries = this.entries.filter((e) => e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /** Kafka's LeaderEpochFileCache.endOffsetFor: the end offset of `requestedEpoch` (the start of the
   * next higher epoch, or the log end for the latest epoch) with the largest epoch <= requestedEpoch.
   * Undefined where Kafka answers UNDEFINED_EPOCH/UNDEFINED_EPOCH_OFFSET. */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } | undefined {
    if (requestedEpoch < 0) return undefined;
    const latest = this.entries.at(-1);
    if (latest && latest.epoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return undefined;
    const floor = this.entries.filter((e) => e.epoch <= requestedEpoch).at(-1);
    if (!floor) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** Log truncated to end at endOffset: epochs starting at or after it are forgotten. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /** Log start moved to startOffset: earlier epochs go, the one covering startOffset now starts there. */
  truncateFromStart(startOffset: number): void {
    const before = this.entries.filter((e) => e.startOffset <= startOffset);
    if (before.length === 0) return;
    const covering = before.at(-1)!;
    if (before.length === 1 && covering.startOffset === startOffset) return;
    this.entries = [{ epoch: covering.epoch, startOffset }, ...this.entries.filter((e) => e.startOffset > startOffset)];
    this.persist();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    const lines = [String(VERSION), String(this.entries.length), ...this.entries.map((e) => `${e.epoch} ${e.startOffset}`)];
    writeFileAtomic(this.file, lines.join('\n') + '\n');
  }
}
