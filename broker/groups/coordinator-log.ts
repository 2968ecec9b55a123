// The coordinator's view of one __consumer_offsets partition it leads, through the replication
// layer: appends as leader (refused with NOT_ENOUGH_REPLICAS while the ISR is below
// min.insync.replicas, as an acks=all produce is), waits for the high watermark to pass what it
// wrote (an acks=all produce's wait, the same purgatory), and runs follow-ups once it has, in the
// order they were asked for. Nothing is told to a member before the records behind it are
// committed, so a new coordinator never knows less than the members were told. A follow-up that
// throws is a bug (DESIGN §12): it is not caught here.
import { ErrorCode, StraitError, encodeRecordBatch } from '../../client/index.js';
import type { ReadResult } from '../log/index.js';
import type { PartitionLeader } from '../replication/index.js';

export interface CoordinatorRecord {
  readonly key: Buffer;
  /** null: a tombstone (the key is deleted once compaction runs). */
  readonly value: Buffer | null;
}

/** How long one wait in the follow-up queue lasts before it is renewed (bounded by the leadership). */
const FOLLOW_UP_WAIT_MS = 30_000;

/**
 * Kafka's mapping of a failed coordinator write to what the client is told
 * (GroupCoordinatorService.normalizeException; a timeout stays REQUEST_TIMED_OUT, as the classic
 * coordinator answers it).
 */
export function coordinatorErrorCode(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

/** A failed write as the error the client gets. */
export function coordinatorError(err: unknown, what: string): StraitError {
  if (!(err instanceof StraitError)) return new StraitError(ErrorCode.UNKNOWN_SERVER_ERROR, `${what}: ${(err as Error)?.message ?? String(err)}`);
  const code = coordinatorErrorCode(err.code);
  return code === err.code ? err : new StraitError(code, `${what}: ${err.message}`, { cause: err });
}

export class CoordinatorLog {
  private readonly followUps: { end: number; run: () => void }[] = [];
  private pumping = false;

  constructor(readonly leader: PartitionLeader, private readonly now: () => number) {}

  get active(): boolean {
    return this.leader.isActive;
  }

  get logStartOffset(): number {
    return this.leader.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.leader.log.logEndOffset;
  }

  get highWatermark(): number {
    return this.leader.highWatermark();
  }

  /** Appends the records as one batch; returns the offset after them. Throws StraitError (Kafka's produce codes). */
  append(records: readonly CoordinatorRecord[]): number {
    if (!this.leader.isActive) throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `this node no longer leads ${this.leader.topic}-${this.leader.partition}`);
    this.leader.checkEnoughReplicas();
    const timestamp = this.now();
    const batch = encodeRecordBatch(records.map((r) => ({ key: r.key, value: r.value, timestamp })));
    const result = this.leader.log.appendAsLeader(batch, this.leader.leaderEpoch);
    this.leader.appended();
    return result.lastOffset + 1;
  }

  /** Resolves with the write's produce code once the high watermark passes `end` (acks=all's wait). */
  replicated(end: number, timeoutMs: number): Promise<number> {
    return this.leader.awaitReplication(end, timeoutMs);
  }

  /** Resolves true once the high watermark has passed `end`, false when the leadership ended or the wait timed out. */
  async committed(end: number, timeoutMs: number): Promise<boolean> {
    if (this.highWatermark >= end) return true;
    await this.leader.awaitReplication(end, timeoutMs);
    return this.leader.isActive && this.highWatermark >= end;
  }

  /** Runs `run` once the high watermark passes `end`, after every follow-up asked for before it;
   * never when the leadership ends first. */
  afterCommit(end: number, run: () => void): void {
    if (!this.leader.isActive) return;
    if (this.followUps.length === 0 && this.highWatermark >= end) {
      run();
      return;
    }
    this.followUps.push({ end, run });
    if (!this.pumping) void this.pump();
  }

  read(offset: number, maxBytes: number): ReadResult {
    return this.leader.log.read(offset, maxBytes, { minOneBatch: true });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.followUps.length > 0) {
        if (!this.leader.isActive) {
          this.followUps.length = 0;
          return;
        }
        const hw = this.highWatermark;
        while (this.followUps.length > 0 && this.followUps[0]!.end <= hw) this.followUps.shift()!.run();
        if (this.followUps.length === 0) return;
        await this.leader.awaitReplication(this.followUps[this.followUps.length - 1]!.end, FOLLOW_UP_WAIT_MS);
      }
    } finally {
      this.pumping = false;
    }
  }
}
