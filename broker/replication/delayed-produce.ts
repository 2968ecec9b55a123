// A produce with acks=all waits after its append until the high watermark passes its last offset
// (Kafka's DelayedProduce, one per partition of the request). Its answer, by Kafka's rules:
// NONE when the high watermark has passed it and the effective ISR is still at least
// min.insync.replicas; NOT_ENOUGH_REPLICAS_AFTER_APPEND when it has passed but the ISR shrank below
// that meanwhile (Kafka's checkEnoughReplicasReachOffset); NOT_LEADER_OR_FOLLOWER when this node
// stopped leading the partition at that leader epoch first; REQUEST_TIMED_OUT at the request's
// timeout (the records stay in the log; the producer counts the batch as maybe written).
import { ErrorCode } from '../../client/index.js';
import type { DelayedOperation, Purgatory } from './purgatory.js';

/** What the waiting produce asks of its partition each time it is woken. */
export interface ReplicationProgress {
  /** This node still leads the partition at the epoch of the append. */
  leading(): boolean;
  highWatermark(): number;
  effectiveIsrSize(): number;
}

/** The answer once decided, or undefined while the high watermark has not reached requiredOffset. */
export function produceOutcome(progress: ReplicationProgress, requiredOffset: number, minInsyncReplicas: number): number | undefined {
  if (!progress.leading()) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (progress.highWatermark() < requiredOffset) return undefined;
  return progress.effectiveIsrSize() >= minInsyncReplicas ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

/**
 * Resolves with the produce's error code (NONE on success) once decided; waits in the purgatory
 * under the partition's key, woken whenever its high watermark, ISR or leadership changes.
 */
export function awaitReplication(
  purgatory: Purgatory, topic: string, partition: number, progress: ReplicationProgress,
  requiredOffset: number, minInsyncReplicas: number, timeoutMs: number,
): Promise<number> {
  const now = produceOutcome(progress, requiredOffset, minInsyncReplicas);
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const op: DelayedOperation = {
      tryComplete: () => {
        const outcome = produceOutcome(progress, requiredOffset, minInsyncReplicas);
        if (outcome === undefined) return false;
        resolve(outcome);
        return true;
      },
      // The timeout, or shutdown: decide with what there is (a final check, as Kafka's onComplete).
      expire: () => resolve(produceOutcome(progress, requiredOffset, minInsyncReplicas) ?? ErrorCode.REQUEST_TIMED_OUT),
    };
    purgatory.watch(op, [{ topic, partition }], timeoutMs);
  });
}
