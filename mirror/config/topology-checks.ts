// Checks over the whole set of flows that no single key shows: whether remote topic names can be
// traced back to their source alias, and which identity-policy flows sit on a cycle of flows.

/**
 * Why remote topics named with `alias` could not be traced back to it, or undefined. A remote topic
 * is `<alias><separator><topic>`, and the Default policy finds the alias again by cutting at the first
 * separator (MM2's topicSource); an alias holding the separator, or ending in a way that makes the
 * first occurrence fall inside it (alias `a_` with separator `__`), would be cut wrongly, and cycle
 * detection would miss the topics that came from it.
 */
export function aliasTraceProblem(alias: string, separator: string): string | undefined {
  if ((alias + separator).indexOf(separator) === alias.length) return undefined;
  return `alias "${alias}" holds the separator "${separator}" (or the start of it), so remote topic names could not be traced back to it and cycles between clusters could not be detected`;
}

export interface FlowEdge {
  source: string;
  target: string;
}

/**
 * For each flow of `candidates`, a cycle of `flows` through it (a list of aliases from its source back
 * to it), or none. MM2 prevents cycles by reading the source alias out of remote topic names; under
 * the Identity policy names carry no alias, so a record on a cycle would go round it for ever.
 */
export function cyclesThrough<F extends FlowEdge>(candidates: readonly F[], flows: readonly FlowEdge[]): { flow: F; cycle: string[] }[] {
  const next = new Map<string, string[]>();
  for (const f of flows) next.set(f.source, [...(next.get(f.source) ?? []), f.target]);
  const pathBack = (from: string, to: string): string[] | undefined => {
    // Breadth-first over at most every alias once: the shortest way from `from` back to `to`.
    const previous = new Map<string, string>([[from, from]]);
    const queue = [from];
    while (queue.length > 0) {
      const at = queue.shift()!;
      if (at === to) {
        const path = [at];
        for (let p = at; p !== from; p = previous.get(p)!) path.unshift(previous.get(p)!);
        return path;
      }
      for (const n of next.get(at) ?? []) {
        if (!previous.has(n)) {
          previous.set(n, at);
          queue.push(n);
        }
      }
    }
    return undefined;
  };
  const found: { flow: F; cycle: string[] }[] = [];
  for (const flow of candidates) {
    const back = pathBack(flow.target, flow.source);
    if (back) found.push({ flow, cycle: [flow.source, ...back] });
  }
  return found;
}
