// What members subscribe to, resolved against the topics that exist: topic names, and regular
// expressions matched against every topic name (KIP-848's subscribed_topic_regex; a whole-name
// match, as Java's Pattern.matches; internal topics never match). The fingerprint of the resolved
// subscriptions changes when a subscribed topic appears, goes, is recreated or gains partitions,
// or a regex matches another set of topics: the group epoch moves then and a new target follows.
import { createHash } from 'node:crypto';
import { ErrorCode, StraitError } from '../../client/index.js';

/** The topics as the metadata image has them. */
export interface TopicsView {
  topic(name: string): { readonly topicId: string; readonly partitions: number } | undefined;
  names(): Iterable<string>;
}

/** What a subscription is made of. */
export interface Subscription {
  readonly subscribedTopicNames: readonly string[];
  /** '' when the member subscribes by names. */
  readonly subscribedTopicRegex: string;
}

/** Longest regex a member may send (a bound on what matching it against every topic costs). */
export const MAX_REGEX_LENGTH = 1024;

const isInternal = (topic: string): boolean => topic.startsWith('__');

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1024;

/** The regex, compiled to match whole names; INVALID_REQUEST when it is not one. */
export function compileSubscriptionRegex(source: string): RegExp {
  const cached = compiled.get(source);
  if (cached) return cached;
  if (source.length > MAX_REGEX_LENGTH) {
    throw new StraitError(ErrorCode.INVALID_REQUEST, `subscribed_topic_regex is ${source.length} characters long; at most ${MAX_REGEX_LENGTH} are taken`);
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${source})$`);
  } catch (err) {
    throw new StraitError(ErrorCode.INVALID_REQUEST, `subscribed_topic_regex ${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}`);
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(source, re);
  return re;
}

/** The existing topics a regex matches, in name order. */
export function regexMatches(source: string, topics: TopicsView): string[] {
  const re = compileSubscriptionRegex(source);
  const out: string[] = [];
  for (const name of topics.names()) if (!isInternal(name) && re.test(name)) out.push(name);
  return out.sort();
}

/** The existing topics a member subscribes to. */
export function resolvedTopics(subscription: Subscription, topics: TopicsView): Set<string> {
  const out = new Set<string>();
  for (const name of subscription.subscribedTopicNames) if (topics.topic(name)) out.add(name);
  if (subscription.subscribedTopicRegex !== '') for (const name of regexMatches(subscription.subscribedTopicRegex, topics)) out.add(name);
  return out;
}

/** A digest of every subscription resolved against the topics: ids, partition counts, regex matches. */
export function subscriptionFingerprint(subscriptions: Iterable<Subscription>, topics: TopicsView): string {
  const names = new Set<string>();
  const regexes = new Set<string>();
  for (const s of subscriptions) {
    for (const n of s.subscribedTopicNames) names.add(n);
    if (s.subscribedTopicRegex !== '') regexes.add(s.subscribedTopicRegex);
  }
  const matched = [...regexes].sort().map((re) => [re, regexMatches(re, topics)] as const);
  for (const [, list] of matched) for (const n of list) names.add(n);
  const described = [...names].sort().map((n) => {
    const t = topics.topic(n);
    return t ? [n, t.topicId, t.partitions] : [n];
  });
  return createHash('sha256').update(JSON.stringify([described, matched])).digest('base64');
}
