// MM2's default filters: DefaultTopicFilter (topics / topics.exclude), DefaultGroupFilter (groups /
// groups.exclude) and DefaultConfigPropertyFilter (config.properties.exclude, use.defaults.from). A name
// is selected when one include pattern matches it whole and no exclude pattern does: excludes win. The
// patterns come compiled and anchored from mirror/config.

export function matchesAny(patterns: readonly RegExp[], name: string): boolean {
  return patterns.some((pattern) => pattern.test(name));
}

export function topicFilterAccepts(flow: { topics: readonly RegExp[]; topicsExclude: readonly RegExp[] }, topic: string): boolean {
  return matchesAny(flow.topics, topic) && !matchesAny(flow.topicsExclude, topic);
}

export function groupFilterAccepts(flow: { groups: readonly RegExp[]; groupsExclude: readonly RegExp[] }, group: string): boolean {
  return matchesAny(flow.groups, group) && !matchesAny(flow.groupsExclude, group);
}

/** Whether a topic config is copied to remote topics (config sync). */
export function configPropertyFilterAccepts(flow: { configPropertiesExclude: readonly RegExp[] }, property: string): boolean {
  return !matchesAny(flow.configPropertiesExclude, property);
}
