// The checker on made-up ledgers and logs: a log that matches what was acknowledged passes, and each
// way of breaking the contract (lost, moved, doubled, failed-but-written, unsettled, foreign, gaps,
// a hung close) is reported as its own kind, with the value and the place in the detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDeliveries, formatReport, type CheckInput, type ViolationKind } from './delivery-checker.js';
import type { PartitionLog } from './topic-reader.js';
import type { Delivery, Outcome, ProducerCloseResult } from './workload.js';

const TOPIC = 'faults-test';
const closedOk: ProducerCloseResult[] = [{ producer: 0, closed: true, error: undefined, ms: 3 }];

function delivery(value: string, outcome: Outcome): Delivery {
  return { value, producer: 0, sentAtMs: 0, outcome, settledAtMs: outcome.kind === 'pending' ? undefined : 1 };
}
const acked = (partition: number, offset: number): Outcome => ({ kind: 'acked', topic: TOPIC, partition, offset });
const failed = (maybeWritten: boolean): Outcome => ({ kind: 'failed', maybeWritten, straitError: true, name: 'REQUEST_TIMED_OUT', message: 'timed out' });

/** Partition logs holding `values[p]` from offset `start`. */
function logs(values: (string | null)[][], start = 0): PartitionLog[] {
  return values.map((vs, partition) => ({
    partition,
    startOffset: start,
    endOffset: start + vs.length,
    records: vs.map((value, i) => ({ partition, offset: start + i, value })),
  }));
}

function kinds(input: CheckInput): ViolationKind[] {
  return checkDeliveries(input).violations.map((v) => v.kind);
}

test('a log holding every acknowledged record once at its place passes', () => {
  const deliveries = [delivery('a', acked(0, 0)), delivery('b', acked(1, 0)), delivery('c', acked(0, 1)), delivery('d', failed(false)), delivery('e', failed(true))];
  const report = checkDeliveries({ topic: TOPIC, deliveries, logs: logs([['a', 'c'], ['b', 'e']]), closes: closedOk });
  assert.deepEqual(report.violations, []);
  assert.equal(report.counts.acked, 3);
  assert.equal(report.counts.failedDefinite, 1);
  assert.equal(report.counts.failedMaybeWritten, 1);
  assert.equal(report.counts.maybeWrittenPresent, 1);
  assert.equal(report.counts.inLog, 4);
  assert.deepEqual([...report.failures], [['REQUEST_TIMED_OUT (not written)', 1], ['REQUEST_TIMED_OUT (maybe written)', 1]]);
});

test('an acknowledged record missing from the log is lost, with what its offset holds instead', () => {
  const report = checkDeliveries({ topic: TOPIC, deliveries: [delivery('a', acked(0, 0)), delivery('b', acked(0, 1))], logs: logs([['b']]), closes: closedOk });
  assert.deepEqual(report.violations.map((v) => [v.kind, v.value]), [['lost', 'a'], ['misplaced', 'b']]);
  assert.match(report.violations[0]!.detail, /a acknowledged at 0@0 but absent from the log \(0@0 holds b\)/);
  assert.match(report.violations[1]!.detail, /b acknowledged at 0@1 but found at 0@0 \(offset 1 is outside partition 0's 0\.\.1\)/);
  assert.equal(report.counts.lost, 1);
  assert.equal(report.counts.misplaced, 1);
});

test('a record in the log twice is duplicated, whatever its send said', () => {
  for (const outcome of [acked(0, 0), failed(true), failed(false)]) {
    const found = kinds({ topic: TOPIC, deliveries: [delivery('a', outcome)], logs: logs([['a'], ['a']]), closes: closedOk });
    assert.ok(found.includes('duplicated'), `${JSON.stringify(outcome)}: ${found.join(', ')}`);
  }
});

test('acknowledged with offset -1 (a duplicate without offsets) needs the record once in that partition', () => {
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', acked(1, -1))], logs: logs([[], ['x', 'a']]), closes: closedOk }), ['unknown-value']);
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', acked(1, -1))], logs: logs([['a'], []]), closes: closedOk }), ['misplaced']);
  const report = checkDeliveries({ topic: TOPIC, deliveries: [delivery('a', acked(1, -1))], logs: logs([[], ['a']]), closes: closedOk });
  assert.deepEqual(report.violations, []);
  assert.equal(report.counts.ackedWithoutOffset, 1);
});

test('a failure said to be definite must be absent; maybe-written may be present once', () => {
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', failed(false))], logs: logs([['a']]), closes: closedOk }), ['definite-failed-but-present']);
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', failed(true))], logs: logs([['a']]), closes: closedOk }), []);
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', failed(true))], logs: logs([['a', 'a']]), closes: closedOk }), ['duplicated']);
});

test('unsettled promises, foreign errors, foreign values, gaps and hung closes are violations', () => {
  const foreign: Outcome = { kind: 'failed', maybeWritten: true, straitError: false, name: 'TypeError', message: 'boom' };
  const gapped: PartitionLog[] = [{ partition: 0, startOffset: 0, endOffset: 3, records: [{ partition: 0, offset: 0, value: 'b' }, { partition: 0, offset: 2, value: 'zz' }] }];
  const report = checkDeliveries({
    topic: TOPIC,
    deliveries: [delivery('a', { kind: 'pending' }), delivery('b', foreign)],
    logs: gapped,
    closes: [{ producer: 0, closed: false, error: undefined, ms: 15_000 }, { producer: 1, closed: false, error: 'closed twice', ms: 1 }],
  });
  assert.deepEqual(report.violations.map((v) => v.kind), ['unsettled', 'not-a-strait-error', 'unknown-value', 'offset-gap', 'producer-close', 'producer-close']);
  assert.match(report.violations.find((v) => v.kind === 'offset-gap')!.detail, /record #1 read back has offset 2, expected 1/);
  assert.equal(report.counts.unsettled, 1);
});

test('a record acknowledged on another topic is misplaced', () => {
  const other: Outcome = { kind: 'acked', topic: 'elsewhere', partition: 0, offset: 0 };
  assert.deepEqual(kinds({ topic: TOPIC, deliveries: [delivery('a', other)], logs: logs([['a']]), closes: closedOk }), ['misplaced']);
});

test('the report names the run, the counts, and a few violations of each kind', () => {
  const deliveries = Array.from({ length: 10 }, (_, i) => delivery(`v${i}`, acked(0, i)));
  const text = formatReport(checkDeliveries({ topic: TOPIC, deliveries, logs: logs([[]]), closes: closedOk }), 'scenario x FAULT_SEED=42');
  assert.match(text, /^scenario x FAULT_SEED=42\n/);
  assert.match(text, /sent 10: acked 10 /);
  assert.match(text, /violations 10: lost 10,/);
  assert.equal(text.split('\n').filter((l) => l.startsWith('  lost: v')).length, 3);
  assert.match(text, / {2}lost: \.\.\. and 7 more/);
});

test('property: any one change to a faithful log is caught as the matching violation', () => {
  // A faithful log for random acknowledged records, then one corruption of it.
  const arb = fc.record({
    perPartition: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    start: fc.integer({ min: 0, max: 1000 }),
    change: fc.constantFrom('drop', 'duplicate', 'swap', 'none'),
    pick: fc.nat(),
  });
  fc.assert(fc.property(arb, ({ perPartition, start, change, pick }) => {
    const values: string[][] = perPartition.map((n, p) => Array.from({ length: n }, (_, i) => `p${p}-${i}`));
    const deliveries = values.flatMap((vs, p) => vs.map((v, i) => delivery(v, acked(p, start + i))));
    const p = pick % values.length;
    const vs = values[p]!;
    const i = pick % vs.length;
    if (change === 'drop') vs.splice(i, 1);
    if (change === 'duplicate') vs.push(vs[i]!);
    if (change === 'swap' && vs.length > 1) [vs[0], vs[vs.length - 1]] = [vs[vs.length - 1]!, vs[0]!];
    const found = new Set(kinds({ topic: TOPIC, deliveries, logs: logs(values, start), closes: closedOk }));
    const expected = change === 'drop' ? 'lost' : change === 'duplicate' ? 'duplicated' : change === 'swap' && vs.length > 1 ? 'misplaced' : undefined;
    if (expected === undefined) return found.size === 0;
    return found.has(expected);
  }), { numRuns: 300 });
});
