// The replication throttles: the token bucket over bytes (whole fetches may overdraw it, and then
// nothing is taken until the debt is paid, so the long-run rate holds), the rates a broker takes from
// the image (its own override, else the cluster default, else none), and which replicas count
// (listed for this broker, and for the leader side only followers outside the ISR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteRateLimiter } from '../../../broker/replication/byte-rate-limiter.js';
import { ReplicationThrottles, throttleRateOf } from '../../../broker/replication/replication-throttles.js';
import { parseThrottleRate, UNTHROTTLED_RATE } from '../../../broker/config/dynamic-broker-configs.js';
import { incrementalAlterConfigs } from '../../../broker/controller/index.js';
import { defaultTopicConfig } from '../../../broker/log/index.js';
import type { PartitionLeader } from '../../../broker/replication/partition-leader.js';
import type { FollowedPartition } from '../../../broker/replication/replica-fetcher.js';
import { StraitError, ErrorCode } from '../../../client/errors.js';
import { TestController } from '../controller/fixtures.js';

test('a byte rate limiter holds the rate over a window whatever the fetch sizes, one second of burst and one fetch beyond', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1_000, max: 10_000_000 }), fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 300 }), bytes: fc.integer({ min: 1, max: 2_000_000 }) }), { minLength: 1, maxLength: 200 }),
    (rate, fetches) => {
      let now = 0;
      const limiter = new ByteRateLimiter(rate, now);
      let taken = 0;
      let largest = 0;
      for (const { gapMs, bytes } of fetches) {
        now += gapMs;
        // A fetcher takes only when something is there; it may take more than is there (a whole batch).
        if (limiter.available(now) <= 0) {
          assert.ok(limiter.waitMs(now) > 0);
          continue;
        }
        limiter.take(bytes, now);
        taken += bytes;
        largest = Math.max(largest, bytes);
      }
      assert.ok(taken <= (rate * now) / 1000 + rate + largest, `took ${taken} bytes in ${now} ms at ${rate} B/s`);
    },
  ), { numRuns: 300 });
});

test('a byte rate limiter refills at its rate up to one second, pays back a debt, and changes rate keeping the debt', () => {
  const limiter = new ByteRateLimiter(1000, 0);
  assert.equal(limiter.available(0), 1000);
  limiter.take(3000, 0);
  assert.equal(limiter.available(0), -2000);
  assert.equal(limiter.waitMs(0), 2001);
  assert.equal(limiter.available(2000), 0);
  assert.equal(limiter.available(2500), 500);
  assert.equal(limiter.available(60_000), 1000, 'never more than one second of tokens');
  limiter.take(1500, 60_000);
  limiter.setRate(100, 60_000);
  assert.equal(limiter.available(60_000), -500);
  limiter.setRate(Number.POSITIVE_INFINITY, 60_000);
  assert.equal(limiter.limited, false);
  assert.equal(limiter.available(60_000), Number.POSITIVE_INFINITY);
  assert.equal(limiter.waitMs(60_000), 0);
  const stopped = new ByteRateLimiter(0, 0);
  assert.equal(stopped.available(10_000), 0);
  assert.equal(stopped.waitMs(10_000), Number.POSITIVE_INFINITY);
});

test('throttle rates: a long >= 0 in bytes/s; past 2^53 is no throttle; per broker, else the cluster default, else none', () => {
  assert.equal(parseThrottleRate('r', ' 1024 '), 1024);
  assert.equal(parseThrottleRate('r', '9223372036854775807'), UNTHROTTLED_RATE);
  for (const bad of ['-1', '1.5', '', 'x', '9223372036854775808']) {
    assert.throws(() => parseThrottleRate('r', bad), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_CONFIG, bad);
  }
  const c = new TestController();
  c.startBrokers(2);
  const set = (resourceName: string, name: string, value: string | null) => c.commit(incrementalAlterConfigs(c.image, [{
    resourceType: 'broker', resourceName, ops: [value === null ? { name, op: 'delete' } : { name, op: 'set', value }],
  }], { validateBrokerConfigs: () => undefined }));
  assert.equal(throttleRateOf(c.image, 1, 'leader.replication.throttled.rate'), Number.POSITIVE_INFINITY);
  set('', 'leader.replication.throttled.rate', '5000');
  set('2', 'leader.replication.throttled.rate', '700');
  assert.equal(throttleRateOf(c.image, 1, 'leader.replication.throttled.rate'), 5000);
  assert.equal(throttleRateOf(c.image, 2, 'leader.replication.throttled.rate'), 700);
  assert.equal(throttleRateOf(c.image, 2, 'follower.replication.throttled.rate'), Number.POSITIVE_INFINITY);
  set('', 'leader.replication.throttled.rate', '9223372036854775807');
  assert.equal(throttleRateOf(c.image, 1, 'leader.replication.throttled.rate'), Number.POSITIVE_INFINITY);
});

test('which replicas a broker throttles: listed for it; on the leader side only followers outside the ISR', () => {
  const c = new TestController();
  c.startBrokers(3);
  let now = 0;
  const throttles = new ReplicationThrottles(2, () => now);
  const config = { ...defaultTopicConfig(), leaderReplicationThrottledReplicas: '0:2,1:3', followerReplicationThrottledReplicas: '*' };
  const leaderOf = (partition: number, isr: number[]) => ({ partition, log: { config }, state: { committedIsr: isr } }) as unknown as PartitionLeader;
  const followed = (partition: number) => ({ partition, log: { config } }) as unknown as FollowedPartition;
  // No rate: nothing is throttled, whatever the lists say.
  assert.equal(throttles.leader.applies(leaderOf(0, [2]), 3), false);
  assert.equal(throttles.follower.applies(followed(0)), false);
  c.commit(incrementalAlterConfigs(c.image, [{ resourceType: 'broker', resourceName: '', ops: [
    { name: 'leader.replication.throttled.rate', op: 'set', value: '1000' }, { name: 'follower.replication.throttled.rate', op: 'set', value: '2000' },
  ] }], { validateBrokerConfigs: () => undefined }));
  throttles.apply(c.image);
  assert.deepEqual(throttles.rates(), { leader: 1000, follower: 2000 });
  assert.equal(throttles.leader.applies(leaderOf(0, [2]), 3), true, 'listed 0:2, follower 3 outside the ISR');
  assert.equal(throttles.leader.applies(leaderOf(0, [2, 3]), 3), false, 'a follower in the ISR is never held back');
  assert.equal(throttles.leader.applies(leaderOf(1, [2]), 3), false, '1:3 is not this broker\'s replica');
  assert.equal(throttles.follower.applies(followed(5)), true, '* lists every replica');
  throttles.leader.record(1500);
  assert.equal(throttles.leader.available(), -500);
  now += 1000;
  assert.equal(throttles.leader.available(), 500);
});
