// Retry with exponential backoff and jitter, and a bail for errors no retry can fix (kafkajs's model,
// Kafka's knobs): delay(n) = min(retry.backoff.ms * 2^n, retry.backoff.max.ms) * (1 ± jitter).
import { StraitError } from '../errors.js';

export interface RetryPolicy {
  /** Further attempts after the first one. */
  retries: number;
  /** retry.backoff.ms */
  backoffMs: number;
  /** retry.backoff.max.ms */
  backoffMaxMs: number;
  /** Fraction of the delay added or removed at random (Kafka uses 0.2). */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, backoffMs: 100, backoffMaxMs: 1000, jitter: 0.2 };

/** Delay before retry number `attempt` (0 = the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = policy.backoffMs * 2 ** Math.min(attempt, 30);
  const base = Math.min(exp, Math.max(policy.backoffMaxMs, policy.backoffMs));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Thrown by `bail(err)`; unwrapped by withRetry so the caller sees the original error. */
class Bail {
  constructor(readonly error: unknown) {}
}

export function isRetriableError(err: unknown): boolean {
  return err instanceof StraitError && err.retriable;
}

export interface RetryHooks {
  /** Absolute time (ms since epoch) after which no new attempt starts (e.g. delivery.timeout.ms). */
  deadline?: number;
  /** Runs before each retry, e.g. to refresh metadata after NOT_LEADER_OR_FOLLOWER. */
  onRetry?: (err: unknown, attempt: number) => void | Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs fn until it succeeds, bails, fails with a non-retriable error, runs out of retries, or would
 * start an attempt after the deadline. The last error is rethrown unchanged.
 */
export async function withRetry<T>(
  fn: (bail: (err: unknown) => never, attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const now = hooks.now ?? Date.now;
  const bail = (err: unknown): never => {
    throw new Bail(err);
  };
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(bail, attempt);
    } catch (err) {
      if (err instanceof Bail) throw err.error;
      if (!isRetriableError(err) || attempt >= policy.retries) throw err;
      const delay = backoffDelay(attempt, policy, hooks.random);
      if (hooks.deadline !== undefined && now() + delay >= hooks.deadline) throw err;
      await sleep(delay);
      if (hooks.onRetry) await hooks.onRetry(err, attempt);
    }
  }
}
