// A model of one partition being mirrored, for the property tests of the offset-sync rules and the
// translation store: a source log with offset holes (compaction, transaction markers), forwarded in
// batches, with writer restarts that re-send from an earlier position (duplicates downstream) and
// periodic flushes of the pending sync. It records where every source record landed in the remote
// partition and every sync the rules emitted, in the order the writer would write them.
import fc from 'fast-check';
import { PartitionSyncRules, type SyncPoint } from '../../../mirror/offsets/sync-emission.js';

export type MirrorStep =
  | { kind: 'batch'; size: number }
  | { kind: 'restart'; back: number }
  | { kind: 'flush' };

export interface MirrorPlan {
  /** Offset gap before each source record after the first (1 = none). */
  gaps: number[];
  steps: MirrorStep[];
  maxOffsetLag: number;
}

export interface MirrorHistory {
  /** The source partition's record offsets, ascending. */
  source: number[];
  /** The remote partition: the source offset of the record at each downstream offset. */
  target: number[];
  syncs: SyncPoint[];
  /** Index into `source` of the next record the mirror forwards. */
  position: number;
  restarts: number;
}

export const mirrorPlanArb = (options: { holes?: boolean; restarts?: boolean; maxOffsetLag?: fc.Arbitrary<number> } = {}): fc.Arbitrary<MirrorPlan> =>
  fc.record({
    gaps: fc.array(options.holes === false ? fc.constant(1) : fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 6 }) }), { minLength: 0, maxLength: 400 }),
    steps: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.record({ kind: fc.constant('batch' as const), size: fc.integer({ min: 1, max: 60 }) }) },
        { weight: options.restarts === false ? 0 : 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), back: fc.integer({ min: 0, max: 80 }) }) },
        { weight: 2, arbitrary: fc.constant({ kind: 'flush' as const }) },
      ),
      { minLength: 1, maxLength: 60 },
    ),
    maxOffsetLag: options.maxOffsetLag ?? fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 120 })),
  });

export function runMirror(plan: MirrorPlan): MirrorHistory {
  const source = [0];
  for (const gap of plan.gaps) source.push(source[source.length - 1]! + gap);
  const history: MirrorHistory = { source, target: [], syncs: [], position: 0, restarts: 0 };
  let rules = new PartitionSyncRules(plan.maxOffsetLag);
  for (const step of plan.steps) {
    if (step.kind === 'restart') {
      rules = new PartitionSyncRules(plan.maxOffsetLag);
      history.position = Math.max(0, history.position - step.back);
      history.restarts++;
    } else if (step.kind === 'flush') {
      const pending = rules.takePending();
      if (pending) history.syncs.push(pending);
    } else {
      const from = history.position;
      const to = Math.min(source.length, from + step.size);
      if (to === from) continue;
      const downstreamOffset = history.target.length;
      for (let i = from; i < to; i++) history.target.push(source[i]!);
      history.position = to;
      history.syncs.push(...rules.onBatch({
        upstreamOffset: source[from]!,
        lastUpstreamOffset: source[to - 1]!,
        downstreamOffset,
        lastDownstreamOffset: history.target.length - 1,
        recordCount: to - from,
      }));
    }
  }
  const pending = rules.takePending();
  if (pending) history.syncs.push(pending);
  return history;
}
