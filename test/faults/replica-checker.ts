// Checks every replica, not only what consumers read: after the faults, once the replicas had caught
// up and their nodes stopped, each node's copy of each partition (read from disk) must by itself
// satisfy the delivery contract, and the copies of a partition must be the same log:
// - per node, its replicas are checked as the whole topic is (delivery-checker.ts): every record
//   acknowledged in a partition it holds is there once, at its acknowledged offset; no value twice;
//   nothing that failed as "not written"; no value the workload did not send; no offset gap;
// - per partition, every replica in its replica set has a directory, all have the same start and
//   end offsets, and over the offsets they share they hold the same batches (same base offsets,
//   same bytes, header included), as a follower stores the leader's batches unchanged.
// Pure: the ledger, the replica sets and the replicas go in, reports come out.
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_LENGTH, CRC, LAST_OFFSET_DELTA, MAGIC, MAX_TIMESTAMP_POSITION,
  PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORD_BATCH_OVERHEAD, RECORD_COUNT,
} from '../../client/index.js';
import type { Assignment } from './cluster-view.js';
import { checkDeliveries, VIOLATION_KINDS, type CheckReport } from './delivery-checker.js';
import type { ReplicaLog, StoredBatch } from './replica-files.js';
import type { Delivery } from './workload.js';

export type ReplicaViolationKind =
  /** waiting for a full ISR and equal log ends ran out of time (the detail says what was missing) */
  | 'not-converged'
  /** a node in a partition's replica set has no directory for it */
  | 'replica-missing'
  /** a segment holds a torn or corrupt batch, or one below its segment's base */
  | 'replica-unreadable'
  /** the replicas of a partition start or end at different offsets */
  | 'replica-range'
  /** over the offsets they share, two replicas hold different batches */
  | 'replica-diverged';

export const REPLICA_VIOLATION_KINDS: readonly ReplicaViolationKind[] = ['not-converged', 'replica-missing', 'replica-unreadable', 'replica-range', 'replica-diverged'];

export interface ReplicaViolation {
  kind: ReplicaViolationKind;
  /** undefined for not-converged */
  partition: number | undefined;
  detail: string;
}

export interface NodeReplicaReport {
  node: number;
  /** The partitions this node holds a replica of. */
  replicas: { partition: number; startOffset: number; endOffset: number; batches: number }[];
  /** Its replicas checked against the ledger, as the topic is checked (producer closes left out). */
  report: CheckReport;
}

export interface ReplicaCheckInput {
  topic: string;
  deliveries: readonly Delivery[];
  /** Each partition's replica set, from the metadata before the nodes stopped. */
  assignment: Assignment;
  /** Every replica read from disk, of every node. */
  replicas: readonly ReplicaLog[];
  /** Set when the wait for converged replicas ran out: what was still missing. */
  notConverged?: string;
}

export interface ReplicaReport {
  nodes: NodeReplicaReport[];
  /** Across the replicas of each partition. */
  violations: ReplicaViolation[];
  /** Every violation: the nodes' and the cross-replica ones. */
  total: number;
}

/** Header fields by their first byte, to name where two batches first differ. */
const HEADER_FIELDS: readonly [number, string][] = [
  [BASE_OFFSET, 'base offset'], [BATCH_LENGTH, 'batch length'], [PARTITION_LEADER_EPOCH, 'partition leader epoch'], [MAGIC, 'magic'],
  [CRC, 'crc'], [ATTRIBUTES, 'attributes'], [LAST_OFFSET_DELTA, 'last offset delta'], [BASE_TIMESTAMP, 'base timestamp'],
  [MAX_TIMESTAMP_POSITION, 'max timestamp'], [PRODUCER_ID, 'producer id'], [PRODUCER_EPOCH, 'producer epoch'], [BASE_SEQUENCE, 'base sequence'],
  [RECORD_COUNT, 'record count'],
];

function fieldAt(byte: number): string {
  if (byte >= RECORD_BATCH_OVERHEAD) return 'records';
  let name = HEADER_FIELDS[0]![1];
  for (const [start, field] of HEADER_FIELDS) if (byte >= start) name = field;
  return name;
}

function firstDifferentByte(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

const describeBatch = (b: StoredBatch): string => `batch ${b.baseOffset}..${b.lastOffset} (${b.bytes.length} bytes, ${b.segment} at byte ${b.position})`;

/**
 * Where two replicas' batches within [from, to) first differ (base offsets, then bytes), or undefined
 * when they hold the same batches there. Batches that straddle a bound are left out on both sides.
 */
export function firstBatchDifference(a: readonly StoredBatch[], b: readonly StoredBatch[], from: number, to: number): string | undefined {
  const inside = (list: readonly StoredBatch[]): StoredBatch[] => list.filter((x) => x.baseOffset >= from && x.lastOffset < to);
  const x = inside(a);
  const y = inside(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (!p || !q) return `${p ? describeBatch(p) : 'nothing'} where the other has ${q ? describeBatch(q) : 'nothing'} (${x.length} and ${y.length} batches in ${from}..${to})`;
    if (p.baseOffset !== q.baseOffset || p.lastOffset !== q.lastOffset) return `${describeBatch(p)} where the other has ${describeBatch(q)}`;
    if (!p.bytes.equals(q.bytes)) {
      const at = firstDifferentByte(p.bytes, q.bytes);
      return `${describeBatch(p)} and ${describeBatch(q)} differ from byte ${at} (${fieldAt(at)})`;
    }
  }
  return undefined;
}

function crossReplicaViolations(input: ReplicaCheckInput): ReplicaViolation[] {
  const violations: ReplicaViolation[] = [];
  if (input.notConverged !== undefined) violations.push({ kind: 'not-converged', partition: undefined, detail: input.notConverged });
  for (const r of input.replicas) {
    for (const problem of r.problems) violations.push({ kind: 'replica-unreadable', partition: r.partition, detail: `node ${r.node}, partition ${r.partition}: ${problem}` });
  }
  for (const [partition, nodes] of [...input.assignment].sort((a, b) => a[0] - b[0])) {
    const held = nodes.flatMap((node) => input.replicas.filter((r) => r.node === node && r.partition === partition));
    for (const node of nodes) {
      if (!held.some((r) => r.node === node)) violations.push({ kind: 'replica-missing', partition, detail: `node ${node} is a replica of partition ${partition} but holds no directory for it` });
    }
    const ranges = new Set(held.map((r) => `${r.startOffset}..${r.endOffset}`));
    if (ranges.size > 1) {
      violations.push({ kind: 'replica-range', partition, detail: `partition ${partition}: replicas hold different offsets (${held.map((r) => `node ${r.node} ${r.startOffset}..${r.endOffset}`).join(', ')})` });
    }
    const [reference, ...others] = held;
    if (!reference) continue;
    for (const other of others) {
      const from = Math.max(reference.startOffset, other.startOffset);
      const to = Math.min(reference.endOffset, other.endOffset);
      const difference = firstBatchDifference(reference.batches, other.batches, from, to);
      if (difference !== undefined) {
        violations.push({ kind: 'replica-diverged', partition, detail: `partition ${partition}, nodes ${reference.node} and ${other.node} over ${from}..${to}: ${difference}` });
      }
    }
  }
  return violations;
}

export function checkReplicas(input: ReplicaCheckInput): ReplicaReport {
  const nodeIds = [...new Set([...[...input.assignment.values()].flat(), ...input.replicas.map((r) => r.node)])].sort((a, b) => a - b);
  const nodes = nodeIds.map((node): NodeReplicaReport => {
    const logs = input.replicas.filter((r) => r.node === node).sort((a, b) => a.partition - b.partition);
    const held = new Set(logs.map((l) => l.partition));
    // A record acknowledged in a partition this node holds no replica of is not this node's to hold.
    const deliveries = input.deliveries.filter((d) => d.outcome.kind !== 'acked' || (d.outcome.topic === input.topic && held.has(d.outcome.partition)));
    return {
      node,
      replicas: logs.map((l) => ({ partition: l.partition, startOffset: l.startOffset, endOffset: l.endOffset, batches: l.batches.length })),
      report: checkDeliveries({ topic: input.topic, deliveries, logs, closes: [] }),
    };
  });
  const violations = crossReplicaViolations(input);
  return { nodes, violations, total: violations.length + nodes.reduce((n, r) => n + r.report.violations.length, 0) };
}

/** One line per node (its replicas, its counts), then up to `perKind` violations of each kind. */
export function formatReplicaReport(report: ReplicaReport, perKind = 3): string {
  const lines = [`replicas on disk: ${report.total} violations`];
  for (const { node, replicas, report: r } of report.nodes) {
    const c = r.counts;
    const held = replicas.map((x) => `p${x.partition} ${x.startOffset}..${x.endOffset} in ${x.batches} batches`).join(', ');
    lines.push(`node ${node} (${held || 'no replica'}): records ${c.inLog}; lost ${c.lost}, duplicated ${c.duplicated}, misplaced ${c.misplaced}, ` +
      `definite-failed-but-present ${c.definiteFailedButPresent}, unknown values ${c.unknownValues}, offset gaps ${c.offsetGaps}`);
    for (const kind of VIOLATION_KINDS) {
      const of = r.violations.filter((v) => v.kind === kind);
      for (const v of of.slice(0, perKind)) lines.push(`  node ${node} ${kind}: ${v.detail}`);
      if (of.length > perKind) lines.push(`  node ${node} ${kind}: ... and ${of.length - perKind} more`);
    }
  }
  for (const kind of REPLICA_VIOLATION_KINDS) {
    const of = report.violations.filter((v) => v.kind === kind);
    for (const v of of.slice(0, perKind)) lines.push(`  ${kind}: ${v.detail}`);
    if (of.length > perKind) lines.push(`  ${kind}: ... and ${of.length - perKind} more`);
  }
  return lines.join('\n');
}
