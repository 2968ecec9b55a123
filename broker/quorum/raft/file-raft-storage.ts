// RaftStorage on disk, correctness before speed (the metadata log is small):
//   state                        term and vote, written atomically (tmp, fsync, rename, fsync dir)
//   log                          append-only frames [u32 length][u32 crc32c][i64 index][i64 term][u8 kind][data], fsync'd per append
//   <lastIndex>-<lastTerm>.snapshot   [u32 crc32c][data], written atomically; older ones removed
// On open, the first frame with a bad length or CRC (a torn write) and everything after it is cut,
// and the cut is reported. The whole log is also held in memory.
import {
  closeSync, existsSync, mkdirSync, fsyncSync, ftruncateSync, openSync, readFileSync, readdirSync, renameSync,
  unlinkSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import type { RaftStorage } from './raft-storage.js';
import { checkAppend, SnapshotAndLog } from './raft-storage.js';
import type { HardState, LogEntry, RaftSnapshot } from './raft-types.js';
import { RaftStorageError, RaftUsageError } from './raft-types.js';

const FRAME_HEADER = 8;
const ENTRY_HEADER = 17;
const LOG_FILE = 'log';
const STATE_FILE = 'state';
const SNAPSHOT_NAME = /^(\d+)-(\d+)\.snapshot$/;

export interface RaftStorageCut {
  file: string;
  bytes: number;
  reason: string;
}

export interface RaftStorageRecovery {
  /** What was dropped on open and why; empty when the files were whole. */
  cuts: RaftStorageCut[];
}

export interface FileRaftStorageOptions {
  /** Told about every cut made while opening, as it happens. */
  onCut?: (cut: RaftStorageCut) => void;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `file` with `data` so that a crash leaves either the old or the new content. */
function writeAtomically(dir: string, name: string, data: Buffer): void {
  const tmp = path.join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data, 0, data.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
}

function encodeEntry(entry: LogEntry): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER + ENTRY_HEADER + entry.data.length);
  frame.writeUInt32BE(ENTRY_HEADER + entry.data.length, 0);
  frame.writeBigInt64BE(BigInt(entry.index), FRAME_HEADER);
  frame.writeBigInt64BE(BigInt(entry.term), FRAME_HEADER + 8);
  frame.writeUInt8(entry.kind === 'noop' ? 1 : 0, FRAME_HEADER + 16);
  entry.data.copy(frame, FRAME_HEADER + ENTRY_HEADER);
  frame.writeUInt32BE(crc32c(frame.subarray(FRAME_HEADER)), 4);
  return frame;
}

/** The entries of a log file up to the first damaged or out-of-sequence frame, and where that is. */
function decodeLog(buf: Buffer): { entries: LogEntry[]; offsets: number[]; validBytes: number; reason: string } {
  const entries: LogEntry[] = [];
  const offsets: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + FRAME_HEADER > buf.length) return { entries, offsets, validBytes: pos, reason: 'torn frame header' };
    const length = buf.readUInt32BE(pos);
    if (length < ENTRY_HEADER || pos + FRAME_HEADER + length > buf.length) {
      return { entries, offsets, validBytes: pos, reason: 'torn or bad frame length' };
    }
    const payload = buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + length);
    if (crc32c(payload) !== buf.readUInt32BE(pos + 4)) {
      return { entries, offsets, validBytes: pos, reason: 'frame CRC mismatch' };
    }
    const index = Number(payload.readBigInt64BE(0));
    const term = Number(payload.readBigInt64BE(8));
    const kindByte = payload.readUInt8(16);
    const prev = entries[entries.length - 1];
    if (
      !Number.isSafeInteger(index) || !Number.isSafeInteger(term) || index < 1 || term < 1 || kindByte > 1 ||
      (prev !== undefined && (index !== prev.index + 1 || term < prev.term))
    ) {
      return { entries, offsets, validBytes: pos, reason: 'frame out of sequence' };
    }
    entries.push({ index, term, kind: kindByte === 1 ? 'noop' : 'data', data: Buffer.from(payload.subarray(ENTRY_HEADER)) });
    offsets.push(pos);
    pos += FRAME_HEADER + length;
  }
  return { entries, offsets, validBytes: pos, reason: '' };
}

export class FileRaftStorage extends SnapshotAndLog implements RaftStorage {
  private hard: HardState = { term: 0, votedFor: undefined };
  /** File offset of each entry's frame, parallel to `log`. */
  private offsets: number[] = [];
  private fileSize = 0;
  private fd = -1;
  readonly recovery: RaftStorageRecovery = { cuts: [] };

  private constructor(readonly dir: string, private readonly options: FileRaftStorageOptions) {
    super();
  }

  /** Opens (creating if needed) the storage in `dir`, repairing a torn tail. */
  static open(dir: string, options: FileRaftStorageOptions = {}): FileRaftStorage {
    mkdirSync(dir, { recursive: true });
    const storage = new FileRaftStorage(dir, options);
    storage.load();
    return storage;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private cut(file: string, bytes: number, reason: string): void {
    const cut: RaftStorageCut = { file, bytes, reason };
    this.recovery.cuts.push(cut);
    this.options.onCut?.(cut);
  }

  private load(): void {
    // A crash during an atomic write leaves its temporary file behind; the real file is intact.
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.tmp')) unlinkSync(path.join(this.dir, name));
    }
    this.loadHardState();
    this.loadSnapshot();
    const logPath = path.join(this.dir, LOG_FILE);
    const buf = existsSync(logPath) ? readFileSync(logPath) : Buffer.alloc(0);
    const decoded = decodeLog(buf);
    if (decoded.validBytes < buf.length) this.cut(LOG_FILE, buf.length - decoded.validBytes, decoded.reason);
    const snapIndex = this.snap?.lastIndex ?? 0;
    const first = decoded.entries[0];
    const atSnapshot = decoded.entries.find((e) => e.index === snapIndex);
    // The log continues the snapshot when it holds the snapshot's last entry, or starts right after it.
    const continues =
      first === undefined ||
      first.index === snapIndex + 1 ||
      (atSnapshot !== undefined && atSnapshot.term === this.snap?.lastTerm);
    if (!continues) {
      // Entries up to the snapshot are compaction leftovers; only later ones are worth reporting.
      const firstLost = decoded.entries.findIndex((e) => e.index > snapIndex);
      if (firstLost >= 0) {
        const bytes = decoded.validBytes - decoded.offsets[firstLost]!;
        this.cut(LOG_FILE, bytes, `entries from ${decoded.entries[firstLost]!.index} do not continue the snapshot at ${snapIndex}`);
      }
      this.log = [];
    } else {
      this.log = decoded.entries.filter((e) => e.index > snapIndex);
    }
    if (this.log.length === decoded.entries.length && decoded.validBytes === buf.length && existsSync(logPath)) {
      this.offsets = decoded.offsets;
      this.fileSize = buf.length;
      this.fd = openSync(logPath, 'r+');
    } else {
      this.rewriteLog();
    }
  }

  private loadHardState(): void {
    const file = path.join(this.dir, STATE_FILE);
    if (!existsSync(file)) return;
    const buf = readFileSync(file);
    // Written atomically, so damage here is not a torn write and cannot be repaired by cutting.
    if (buf.length < 4 || crc32c(buf.subarray(4)) !== buf.readUInt32BE(0)) {
      throw new RaftStorageError(`${file} is damaged (CRC mismatch)`);
    }
    const state = JSON.parse(buf.subarray(4).toString('utf8')) as { term: unknown; votedFor: unknown };
    if (!Number.isSafeInteger(state.term) || (state.votedFor !== null && !Number.isSafeInteger(state.votedFor))) {
      throw new RaftStorageError(`${file} holds no term and vote`);
    }
    this.hard = { term: state.term as number, votedFor: (state.votedFor as number | null) ?? undefined };
  }

  /** The newest snapshot whose CRC checks; leftovers and damaged ones are removed. */
  private loadSnapshot(): void {
    const found = readdirSync(this.dir)
      .map((name) => ({ name, match: SNAPSHOT_NAME.exec(name) }))
      .filter((f) => f.match !== null)
      .map((f) => ({ name: f.name, lastIndex: Number(f.match![1]), lastTerm: Number(f.match![2]) }))
      .sort((a, b) => b.lastIndex - a.lastIndex);
    for (const file of found) {
      if (this.snap !== undefined) {
        unlinkSync(path.join(this.dir, file.name));
        continue;
      }
      const buf = readFileSync(path.join(this.dir, file.name));
      if (buf.length < 4 || crc32c(buf.subarray(4)) !== buf.readUInt32BE(0)) {
        this.cut(file.name, buf.length, 'snapshot CRC mismatch');
        unlinkSync(path.join(this.dir, file.name));
        continue;
      }
      this.snap = { lastIndex: file.lastIndex, lastTerm: file.lastTerm, data: buf.subarray(4) };
    }
  }

  /** Writes the in-memory log as the whole log file, atomically. */
  private rewriteLog(): void {
    this.close();
    const frames = this.log.map(encodeEntry);
    this.offsets = [];
    let pos = 0;
    for (const frame of frames) {
      this.offsets.push(pos);
      pos += frame.length;
    }
    writeAtomically(this.dir, LOG_FILE, Buffer.concat(frames));
    this.fileSize = pos;
    this.fd = openSync(path.join(this.dir, LOG_FILE), 'r+');
  }

  hardState(): HardState {
    return { ...this.hard };
  }

  saveHardState(state: HardState): void {
    const json = Buffer.from(JSON.stringify({ term: state.term, votedFor: state.votedFor ?? null }));
    const buf = Buffer.allocUnsafe(4 + json.length);
    buf.writeUInt32BE(crc32c(json), 0);
    json.copy(buf, 4);
    writeAtomically(this.dir, STATE_FILE, buf);
    this.hard = { ...state };
  }

  append(entries: readonly LogEntry[]): void {
    checkAppend(this, entries);
    if (entries.length === 0) return;
    const frames = entries.map(encodeEntry);
    const buf = Buffer.concat(frames);
    writeSync(this.fd, buf, 0, buf.length, this.fileSize);
    fsyncSync(this.fd);
    let pos = this.fileSize;
    for (let i = 0; i < entries.length; i++) {
      this.log.push(entries[i]!);
      this.offsets.push(pos);
      pos += frames[i]!.length;
    }
    this.fileSize = pos;
  }

  truncateFrom(index: number): void {
    if (index < this.firstIndex()) {
      throw new RaftUsageError(`truncate at ${index} below first index ${this.firstIndex()}`);
    }
    const keep = index - this.firstIndex();
    if (keep >= this.log.length) return;
    this.fileSize = this.offsets[keep]!;
    ftruncateSync(this.fd, this.fileSize);
    fsyncSync(this.fd);
    this.log.length = keep;
    this.offsets.length = keep;
  }

  saveSnapshot(snapshot: RaftSnapshot): void {
    const keep = this.termAt(snapshot.lastIndex) === snapshot.lastTerm;
    const rest = keep ? this.log.slice(snapshot.lastIndex - this.firstIndex() + 1) : [];
    const name = `${snapshot.lastIndex}-${snapshot.lastTerm}.snapshot`;
    const buf = Buffer.allocUnsafe(4 + snapshot.data.length);
    buf.writeUInt32BE(crc32c(snapshot.data), 0);
    snapshot.data.copy(buf, 4);
    writeAtomically(this.dir, name, buf);
    const previous = this.snap;
    this.snap = snapshot;
    this.log = rest;
    this.rewriteLog();
    if (previous !== undefined && previous.lastIndex !== snapshot.lastIndex) {
      unlinkSync(path.join(this.dir, `${previous.lastIndex}-${previous.lastTerm}.snapshot`));
    }
  }
}
