// What a group member subscribes to: topic names, or a pattern the coordinator matches against the
// cluster's topics (KIP-848's server-side regex: new matching topics are picked up by the coordinator,
// not by this client). As in Kafka, a pattern must match a topic's whole name.
import { ErrorCode, StraitError } from '../errors.js';

export type Subscription =
  | { kind: 'topics'; topics: readonly string[] }
  | { kind: 'pattern'; pattern: RegExp };

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Checks what subscribe() was given; a mistake is INVALID_REQUEST (or INVALID_TOPIC_EXCEPTION). */
export function parseSubscription(input: readonly string[] | RegExp): Subscription {
  if (input instanceof RegExp) {
    // Flags cannot travel to the coordinator (its patterns are Java/RE2 syntax without them).
    if (input.flags.replace(/[gy]/g, '') !== '') {
      throw new StraitError(ErrorCode.INVALID_REQUEST, `subscribe(${String(input)}): a pattern with flags cannot be sent to the coordinator; write them into the pattern`);
    }
    if (input.source === '(?:)') throw new StraitError(ErrorCode.INVALID_REQUEST, 'subscribe(): the pattern is empty');
    return { kind: 'pattern', pattern: input };
  }
  if (!Array.isArray(input)) throw new StraitError(ErrorCode.INVALID_REQUEST, 'subscribe() takes an array of topic names or a RegExp');
  const topics = [...new Set(input as readonly unknown[])];
  for (const t of topics) {
    if (typeof t !== 'string' || !TOPIC_NAME.test(t) || t === '.' || t === '..') {
      throw new StraitError(ErrorCode.INVALID_TOPIC_EXCEPTION, `subscribe(): ${JSON.stringify(t)} is not a valid topic name`);
    }
  }
  return { kind: 'topics', topics: (topics as string[]).sort() };
}

export function sameSubscription(a: Subscription, b: Subscription): boolean {
  if (a.kind === 'pattern' || b.kind === 'pattern') {
    return a.kind === 'pattern' && b.kind === 'pattern' && a.pattern.source === b.pattern.source;
  }
  return a.topics.length === b.topics.length && a.topics.every((t, i) => t === b.topics[i]);
}

/** The subscription as the join message carries it. */
export function subscriptionFields(s: Subscription): { subscribedTopics: string[]; subscribedTopicRegex: string } {
  return s.kind === 'topics'
    ? { subscribedTopics: [...s.topics], subscribedTopicRegex: '' }
    : { subscribedTopics: [], subscribedTopicRegex: s.pattern.source };
}
