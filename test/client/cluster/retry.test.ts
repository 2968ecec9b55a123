import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay, withRetry, isRetriableError, type RetryPolicy } from '../../../client/cluster/retry.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

const policy: RetryPolicy = { retries: 3, backoffMs: 100, backoffMaxMs: 1000, jitter: 0.2 };

test('backoff doubles from retry.backoff.ms and stops at retry.backoff.max.ms', () => {
  const mid = () => 0.5; // no jitter
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy, mid)), [100, 200, 400, 800, 1000, 1000]);
});

test('jitter stays within ±20% of the base delay', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
      const base = Math.min(100 * 2 ** Math.min(attempt, 30), 1000);
      const d = backoffDelay(attempt, policy, () => r);
      return d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2);
    }),
  );
});

const noSleep = { sleep: async () => undefined };

test('withRetry retries retriable errors and returns the eventual result', async () => {
  let calls = 0;
  const result = await withRetry(async () => {
    calls++;
    if (calls < 3) throw new StraitError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return 'ok';
  }, policy, noSleep);
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
});

test('withRetry gives up after `retries` further attempts with the last error', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new StraitError(ErrorCode.NETWORK_EXCEPTION, `attempt ${calls}`);
    }, policy, noSleep),
    (err: StraitError) => err.code === ErrorCode.NETWORK_EXCEPTION && err.message === 'attempt 4',
  );
  assert.equal(calls, 4);
});

test('withRetry does not retry non-retriable errors, and bail stops at once', async () => {
  let calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw new StraitError(ErrorCode.TOPIC_ALREADY_EXISTS);
  }, policy, noSleep), { name: 'TOPIC_ALREADY_EXISTS' });
  assert.equal(calls, 1);
  const custom = new Error('stop');
  await assert.rejects(withRetry(async (bail) => bail(custom), policy, noSleep), (err) => err === custom);
});

test('withRetry stops before an attempt that would start after the deadline', async () => {
  let calls = 0;
  let clock = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new StraitError(ErrorCode.REQUEST_TIMED_OUT);
    }, { ...policy, retries: 100 }, { deadline: 1000, now: () => clock, sleep: async (ms) => void (clock += ms), random: () => 0.5 }),
    { name: 'REQUEST_TIMED_OUT' },
  );
  // 100 + 200 + 400 = 700 ms of sleeps fit, the next 800 would pass 1000.
  assert.equal(calls, 4);
});

test('onRetry runs before each retry with the error', async () => {
  const seen: number[] = [];
  let calls = 0;
  await withRetry(async () => {
    if (++calls < 3) throw new StraitError(ErrorCode.LEADER_NOT_AVAILABLE);
  }, policy, { ...noSleep, onRetry: (err, attempt) => void seen.push((err as StraitError).code * 10 + attempt) });
  assert.deepEqual(seen, [50, 51]);
  assert.equal(isRetriableError(new Error('plain')), false);
});
