// What a partition forwarder tells the rest of a flow each time the target acknowledged a batch it
// forwarded: the offset-sync writer turns it into offset syncs, the metrics into counts, ages and
// latencies, the status into positions. Offsets are those of the first and last record forwarded, in
// the source partition (upstream) and in the remote partition (downstream): a whole batch keeps its
// records contiguous in both logs, a re-encoded one (compaction holes) only downstream.
export interface ForwardedBatch {
  sourceTopic: string;
  remoteTopic: string;
  /** The same number in the source and in the remote topic. */
  partition: number;
  upstreamOffset: number;
  lastUpstreamOffset: number;
  downstreamOffset: number;
  lastDownstreamOffset: number;
  recordCount: number;
  /** Bytes of the batch as sent to the target. */
  bytes: number;
  /** The batch's first and largest record timestamps (CreateTime, or the source's append time). */
  firstTimestamp: number;
  maxTimestamp: number;
  /** Date.now() when the target acknowledged it. */
  acknowledgedAtMs: number;
  /** Whether the source bytes went as they were (header fields rewritten) or were re-encoded. */
  whole: boolean;
}

export interface ForwardListener {
  /** Called in partition order, after the target acknowledged; must not throw or block. */
  onForwarded(batch: ForwardedBatch): void;
  /** The partition left this worker, after its last batch was reported (another worker may take it
   * over): state kept for it is stale from now on. Must not throw or block. */
  partitionReleased?(sourceTopic: string, partition: number): void;
}
