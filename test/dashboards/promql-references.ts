// What a dashboard's PromQL expression refers to: the metric names of its selectors, the labels each
// selector matches on (with the value when it is a plain string), and the labels it groups by (by,
// without, on, ignoring, group_left/right). Enough of PromQL's lexical grammar to read Grafana panel
// queries; anything it cannot place (a bare {...} selector, an unknown character) throws, so a query it
// does not understand fails the dashboard test instead of passing unread.

export interface SelectorReference {
  metric: string;
  /** label -> the matcher's string (a regex for =~ and !~). */
  matchers: { label: string; op: string; value: string }[];
}

export interface QueryReferences {
  selectors: SelectorReference[];
  groupingLabels: string[];
}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'variable'; text: string }
  | { kind: 'punct'; text: string };

const GROUPING_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATOR_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);
// Aggregations may put their grouping before the parenthesis: sum by (x) (...).
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const PUNCT = ['=~', '!~', '!=', '==', '>=', '<=', '(', ')', '{', '}', ',', '=', '+', '-', '*', '/', '%', '^', '>', '<', '@'];

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '[') {
      // A range or subquery duration: [5m], [$__rate_interval], [1h:5m]. Nothing in it names a metric.
      const end = expr.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ at ${i} in ${expr}`);
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === '\\' && c !== '`') { text += expr[j + 1] ?? ''; j += 2; } else { text += expr[j]; j++; }
      }
      if (j >= expr.length) throw new Error(`unclosed string at ${i} in ${expr}`);
      tokens.push({ kind: 'string', text });
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const m = /^\$(\{[^}]+\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(expr.slice(i));
      if (!m) throw new Error(`bad variable at ${i} in ${expr}`);
      tokens.push({ kind: 'variable', text: m[0] });
      i += m[0].length;
      continue;
    }
    // A duration (offset 5m, 1h30m) is one token, so its unit is not read as a metric name.
    const number = /^(?:(?:\d+(?:ms|[smhdwy]))+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(expr.slice(i));
    if (number) { tokens.push({ kind: 'number', text: number[0] }); i += number[0].length; continue; }
    const ident = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i));
    if (ident) { tokens.push({ kind: 'ident', text: ident[0] }); i += ident[0].length; continue; }
    const punct = PUNCT.find((p) => expr.startsWith(p, i));
    if (!punct) throw new Error(`unexpected "${c}" at ${i} in ${expr}`);
    tokens.push({ kind: 'punct', text: punct });
    i += punct.length;
  }
  return tokens;
}

export function promqlReferences(expr: string): QueryReferences {
  const tokens = tokenize(expr);
  const selectors: SelectorReference[] = [];
  const groupingLabels: string[] = [];
  const isPunct = (k: number, text: string): boolean => tokens[k]?.kind === 'punct' && tokens[k]!.text === text;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === '{') throw new Error(`a selector without a metric name in ${expr}`);
    if (t.kind !== 'ident') continue;
    if (GROUPING_KEYWORDS.has(t.text)) {
      if (!isPunct(k + 1, '(')) continue; // group_left without a list
      k += 2;
      for (; k < tokens.length && !isPunct(k, ')'); k++) {
        const label = tokens[k]!;
        if (label.kind === 'ident') groupingLabels.push(label.text);
        else if (!(label.kind === 'punct' && label.text === ',')) throw new Error(`unexpected ${label.text} in a label list of ${expr}`);
      }
      continue;
    }
    if (OPERATOR_KEYWORDS.has(t.text)) {
      if (t.text === 'offset') k++; // its duration
      continue;
    }
    if (isPunct(k + 1, '(')) continue; // a function or an aggregation
    if (AGGREGATIONS.has(t.text) && tokens[k + 1]?.kind === 'ident' && ['by', 'without'].includes(tokens[k + 1]!.text)) continue;
    const selector: SelectorReference = { metric: t.text, matchers: [] };
    if (isPunct(k + 1, '{')) {
      k += 2;
      for (; k < tokens.length && !isPunct(k, '}'); k++) {
        if (isPunct(k, ',')) continue;
        const label = tokens[k];
        const op = tokens[k + 1];
        const value = tokens[k + 2];
        if (label?.kind !== 'ident' || op?.kind !== 'punct' || !['=', '!=', '=~', '!~'].includes(op.text) || value?.kind !== 'string') {
          throw new Error(`cannot read the matchers of ${t.text} in ${expr}`);
        }
        selector.matchers.push({ label: label.text, op: op.text, value: value.text });
        k += 2;
      }
    }
    selectors.push(selector);
  }
  return { selectors, groupingLabels };
}

/** A Grafana query variable's `label_values(metric, label)`. */
export function labelValuesReference(query: string): { metric: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  return m ? { metric: m[1]!, label: m[2]! } : undefined;
}
