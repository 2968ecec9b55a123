// Where a key of a mirror config file applies, by MM2's shapes: `A->B.x` is flow A->B's setting x,
// `A.x` is cluster A's (when A is a declared alias and `A.x` is not itself a top-level key), anything
// else is top level. Aliases are matched against the declared ones, longest first, so an alias may
// hold dots (`us.west.bootstrap.servers`) without being cut at the first one.

export type KeyAddress =
  | { scope: 'top'; setting: string }
  | { scope: 'cluster'; alias: string; setting: string }
  | { scope: 'flow'; source: string; target: string; setting: string };

/** A flow key that names no flow of the file (an undeclared alias, no setting after `A->B`). */
export interface FlowKeyProblem {
  problem: string;
}

export const FLOW_ARROW = '->';

export function flowName(source: string, target: string): string {
  return `${source}${FLOW_ARROW}${target}`;
}

/**
 * The address of `key`, or the problem with it. `isTopLevelKey` says whether a key means something
 * at top level as written (so `topics.exclude` stays a top-level key even when a cluster is called
 * `topics`).
 */
export function addressOf(key: string, aliases: readonly string[], isTopLevelKey: (key: string) => boolean): KeyAddress | FlowKeyProblem {
  const longestFirst = [...aliases].sort((a, b) => b.length - a.length);
  const arrow = key.indexOf(FLOW_ARROW);
  if (arrow >= 0) {
    for (const source of longestFirst) {
      if (!key.startsWith(`${source}${FLOW_ARROW}`)) continue;
      const rest = key.slice(source.length + FLOW_ARROW.length);
      for (const target of longestFirst) {
        if (rest.startsWith(`${target}.`) && rest.length > target.length + 1) {
          return { scope: 'flow', source, target, setting: rest.slice(target.length + 1) };
        }
      }
    }
    const declared = `(declared: ${aliases.join(', ') || 'none'})`;
    const source = key.slice(0, arrow);
    const rest = key.slice(arrow + FLOW_ARROW.length);
    if (!aliases.includes(source)) return { problem: `names cluster "${source}", which is not in clusters ${declared}` };
    const target = longestFirst.find((alias) => rest === alias || rest === `${alias}.`);
    if (target !== undefined) {
      return { problem: `names the flow ${flowName(source, target)} but no setting of it (e.g. ${flowName(source, target)}.enabled)` };
    }
    const dot = rest.indexOf('.');
    return { problem: `names cluster "${dot < 0 ? rest : rest.slice(0, dot)}", which is not in clusters ${declared}` };
  }
  if (!isTopLevelKey(key)) {
    for (const alias of longestFirst) {
      if (key.startsWith(`${alias}.`) && key.length > alias.length + 1) {
        return { scope: 'cluster', alias, setting: key.slice(alias.length + 1) };
      }
    }
  }
  return { scope: 'top', setting: key };
}
