// The replica checker on made-up replicas built from real record batches: identical replicas that
// hold every acknowledged record pass; a follower short of the tail, a replica missing its
// directory, a batch whose bytes differ in one header field, a replica that kept records the others
// truncated, and a wait that never converged are each reported as their own kind, naming the node,
// the partition and the place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRecordBatch, lastOffsetOf, setBaseOffset, setPartitionLeaderEpoch, PARTITION_LEADER_EPOCH } from '../../client/index.js';
import { checkReplicas, firstBatchDifference, formatReplicaReport, type ReplicaCheckInput } from './replica-checker.js';
import type { ReplicaLog, StoredBatch } from './replica-files.js';
import type { Delivery, Outcome } from './workload.js';

const TOPIC = 'replicas-test';

interface BatchSpec {
  base: number;
  values: string[];
  epoch?: number;
}

function storedBatch(spec: BatchSpec, position = 0): StoredBatch {
  const bytes = encodeRecordBatch(spec.values.map((value) => ({ key: null, value, timestamp: 1_000 })));
  setBaseOffset(bytes, 0, spec.base);
  setPartitionLeaderEpoch(bytes, 0, spec.epoch ?? 0);
  return { baseOffset: spec.base, lastOffset: lastOffsetOf(bytes, 0), bytes, segment: '00000000000000000000.log', position };
}

function replica(node: number, partition: number, specs: BatchSpec[]): ReplicaLog {
  const batches: StoredBatch[] = [];
  let position = 0;
  for (const spec of specs) {
    const b = storedBatch(spec, position);
    batches.push(b);
    position += b.bytes.length;
  }
  const records = specs.flatMap((s) => s.values.map((value, i) => ({ partition, offset: s.base + i, value })));
  const start = specs[0]?.base ?? 0;
  const end = batches.length > 0 ? batches[batches.length - 1]!.lastOffset + 1 : start;
  return { node, partition, startOffset: start, endOffset: end, records, batches, problems: [] };
}

const acked = (partition: number, offset: number): Outcome => ({ kind: 'acked', topic: TOPIC, partition, offset });
function delivery(value: string, outcome: Outcome): Delivery {
  return { value, producer: 0, sentAtMs: 0, outcome, settledAtMs: 1 };
}

/** p0: a0 a1 | a2 (two batches), p1: b0 b1; all acknowledged; replicas on nodes 1, 2, 3. */
const P0: BatchSpec[] = [{ base: 0, values: ['a0', 'a1'] }, { base: 2, values: ['a2'], epoch: 1 }];
const P1: BatchSpec[] = [{ base: 0, values: ['b0', 'b1'] }];
const deliveries = [delivery('a0', acked(0, 0)), delivery('a1', acked(0, 1)), delivery('a2', acked(0, 2)), delivery('b0', acked(1, 0)), delivery('b1', acked(1, 1))];
const assignment = new Map([[0, [1, 2, 3]], [1, [1, 2, 3]]]);

function input(replicas: ReplicaLog[], extra: Partial<ReplicaCheckInput> = {}): ReplicaCheckInput {
  return { topic: TOPIC, deliveries, assignment, replicas, ...extra };
}

function everyReplica(override: (node: number, partition: number) => BatchSpec[] | undefined = () => undefined): ReplicaLog[] {
  return [1, 2, 3].flatMap((node) => [0, 1].map((p) => replica(node, p, override(node, p) ?? (p === 0 ? P0 : P1))));
}

test('identical replicas holding every acknowledged record pass, per node and across replicas', () => {
  const report = checkReplicas(input(everyReplica()));
  assert.equal(report.total, 0, formatReplicaReport(report));
  assert.deepEqual(report.nodes.map((n) => [n.node, n.report.counts.inLog]), [[1, 5], [2, 5], [3, 5]]);
  assert.deepEqual(report.nodes[0]!.replicas, [{ partition: 0, startOffset: 0, endOffset: 3, batches: 2 }, { partition: 1, startOffset: 0, endOffset: 2, batches: 1 }]);
});

test('a follower without the last batch: its node lost the record, and the replicas end apart', () => {
  const report = checkReplicas(input(everyReplica((node, p) => (node === 3 && p === 0 ? P0.slice(0, 1) : undefined))));
  const node3 = report.nodes.find((n) => n.node === 3)!.report;
  assert.deepEqual(node3.violations.map((v) => [v.kind, v.value]), [['lost', 'a2']]);
  assert.match(node3.violations[0]!.detail, /a2 acknowledged at 0@2 but absent from the log \(offset 2 is outside partition 0's 0\.\.2\)/);
  assert.deepEqual(report.violations.map((v) => v.kind), ['replica-range']);
  assert.match(report.violations[0]!.detail, /partition 0: replicas hold different offsets \(node 1 0\.\.3, node 2 0\.\.3, node 3 0\.\.2\)/);
  assert.equal(report.total, 2);
});

test('a replica with no directory for its partition is missing (its node is not charged with that partition\'s records)', () => {
  const replicas = everyReplica().filter((r) => !(r.node === 2 && r.partition === 1));
  const report = checkReplicas(input(replicas));
  assert.deepEqual(report.violations.map((v) => [v.kind, v.partition]), [['replica-missing', 1]]);
  assert.match(report.violations[0]!.detail, /node 2 is a replica of partition 1 but holds no directory for it/);
  assert.deepEqual(report.nodes.find((n) => n.node === 2)!.report.violations, []);
});

test('the same records under another leader epoch are a divergence, named by header field', () => {
  const report = checkReplicas(input(everyReplica((node, p) => (node === 2 && p === 0 ? [P0[0]!, { ...P0[1]!, epoch: 7 }] : undefined))));
  assert.deepEqual(report.nodes.flatMap((n) => n.report.violations), []);
  assert.deepEqual(report.violations.map((v) => v.kind), ['replica-diverged']);
  assert.match(report.violations[0]!.detail, /partition 0, nodes 1 and 2 over 0\.\.3: batch 2\.\.2 .* differ from byte 15 \(partition leader epoch\)/);
});

test('a former leader that kept a record the others replaced: misplaced, unknown, and diverged', () => {
  // Node 1 holds x2 at offset 2 where the others hold a2 (it was never truncated).
  const report = checkReplicas(input(everyReplica((node, p) => (node === 1 && p === 0 ? [P0[0]!, { base: 2, values: ['x2'] }] : undefined))));
  const node1 = report.nodes.find((n) => n.node === 1)!.report;
  assert.deepEqual(node1.violations.map((v) => [v.kind, v.value]), [['lost', 'a2'], ['unknown-value', 'x2']]);
  assert.deepEqual(report.violations.map((v) => v.kind), ['replica-diverged', 'replica-diverged']);
  const text = formatReplicaReport(report);
  assert.match(text, /^replicas on disk: 4 violations\n/);
  assert.match(text, /node 1 \(p0 0\.\.3 in 2 batches, p1 0\.\.2 in 1 batches\): records 5; lost 1,/);
  assert.match(text, / {2}node 1 unknown-value: x2 at 0@2 was not sent by the workload/);
});

test('a wait that never converged and an unreadable segment are reported', () => {
  const replicas = everyReplica();
  replicas[0]!.problems.push('00000000000000000000.log at byte 120: CRC mismatch');
  const report = checkReplicas(input(replicas, { notConverged: 'after 30000 ms: p0: replicas 3 out of the ISR [1,2]' }));
  assert.deepEqual(report.violations.map((v) => v.kind), ['not-converged', 'replica-unreadable']);
  assert.match(report.violations[1]!.detail, /node 1, partition 0: 00000000000000000000\.log at byte 120: CRC mismatch/);
});

test('a record acknowledged in a partition a node does not hold is not expected on that node', () => {
  const partial = new Map([[0, [1, 2]], [1, [2, 3]]]);
  const replicas = [replica(1, 0, P0), replica(2, 0, P0), replica(2, 1, P1), replica(3, 1, P1)];
  const report = checkReplicas(input(replicas, { assignment: partial }));
  assert.equal(report.total, 0, formatReplicaReport(report));
  assert.deepEqual(report.nodes.map((n) => [n.node, n.report.counts.acked]), [[1, 3], [2, 5], [3, 2]]);
});

test('property: batches compared over a range differ exactly when one byte of one batch inside it changed', () => {
  const arb = fc.record({
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
    flip: fc.option(fc.record({ batch: fc.nat(), byte: fc.nat() })),
  });
  fc.assert(fc.property(arb, ({ sizes, flip }) => {
    let base = 0;
    const specs = sizes.map((n, i) => {
      const spec = { base, values: Array.from({ length: n }, (_, j) => `v${i}-${j}`) };
      base += n;
      return spec;
    });
    const a = specs.map((s) => storedBatch(s));
    const b = specs.map((s) => storedBatch(s));
    if (!flip) return firstBatchDifference(a, b, 0, base) === undefined;
    const target = b[flip.batch % b.length]!;
    // Past the base offset and length, so the batch keeps its place and size: only its bytes differ.
    const at = PARTITION_LEADER_EPOCH + (flip.byte % (target.bytes.length - PARTITION_LEADER_EPOCH));
    target.bytes[at] = target.bytes[at]! ^ 0xff;
    const found = firstBatchDifference(a, b, 0, base);
    return found !== undefined && found.includes(`differ from byte ${at} `);
  }), { numRuns: 200 });
});
