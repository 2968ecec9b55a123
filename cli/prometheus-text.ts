// Reads Prometheus' text exposition format (version 0.0.4, what prom-client serves on /metrics) into
// samples, and fetches it from a process's /metrics. prom-client writes this format but has no reader;
// the demo's live view and the dashboard test need one. Only what the format defines is read: # HELP
// and # TYPE lines, samples `name{label="value",...} value [timestamp]` with the label-value escapes
// \\ \" \n, and the values NaN, +Inf, -Inf in any case. Anything else on a line makes it a
// PrometheusTextError naming the line, never a silently wrong figure.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name: a histogram's are <family>_bucket, _sum and _count. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
}

export interface Exposition {
  /** Every family a # TYPE or # HELP line declared, by name. */
  families: Map<string, MetricFamily>;
  samples: Sample[];
}

export class PrometheusTextError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'PrometheusTextError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case; prom-client writes "Nan". */
function parseValue(text: string, lineNo: number): number {
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(text);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new PrometheusTextError(`"${text}" is not a sample value`, lineNo);
  return value;
}

/** The labels of `{a="x",b="y"}` starting at text[start] === '{'; returns them and the index after '}'. */
function parseLabels(text: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) throw new PrometheusTextError(`expected a label name at column ${i + 1}`, lineNo);
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new PrometheusTextError(`expected ="value" after label ${name}`, lineNo);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new PrometheusTextError(`unterminated value of label ${name}`, lineNo);
      i++;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const escaped = text[i++];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new PrometheusTextError(`unknown escape \\${escaped ?? ''} in label ${name}`, lineNo);
    }
    if (Object.hasOwn(labels, name)) throw new PrometheusTextError(`label ${name} appears twice`, lineNo);
    labels[name] = value;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new PrometheusTextError(`expected , or } after label ${name}`, lineNo);
  }
}

export function parsePrometheusText(text: string): Exposition {
  const families = new Map<string, MetricFamily>();
  const samples: Sample[] = [];
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '' }));
    return f;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) continue; // any other comment
      const [, keyword, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!) || METRIC_NAME.exec(name!)![0] !== name) throw new PrometheusTextError(`"${name}" is not a metric name`, lineNo);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest as MetricType)) throw new PrometheusTextError(`unknown metric type "${rest}"`, lineNo);
        family(name!).type = rest as MetricType;
      } else {
        family(name!).help = rest.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw new PrometheusTextError('expected a metric name', lineNo);
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, lineNo));
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2 || (rest.length === 2 && !/^-?\d+$/.test(rest[1]!))) {
      throw new PrometheusTextError(`expected a value and an optional timestamp after ${name}`, lineNo);
    }
    samples.push({ name, labels, value: parseValue(rest[0]!, lineNo) });
  }
  return { families, samples };
}

/** GETs a process's /metrics and parses it; rejects on a non-200 answer or after timeoutMs. */
export async function scrapeMetrics(url: string, timeoutMs = 5_000): Promise<Exposition> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status} ${body.slice(0, 200)}`);
  return parsePrometheusText(body);
}
