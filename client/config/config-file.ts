// Reads a config file, .properties or YAML, into flat key/value entries with line numbers, so that
// every later error can name the key, the file and the line. The broker's and the mirror's config
// files both come through here: in YAML, nested maps flatten to dotted keys (`log: {dirs: x}` is
// `log.dirs`, `"A->B": {enabled: true}` is `A->B.enabled`) and a list is its items joined by commas,
// so the YAML form of a file means exactly what the properties form does.
import { readFileSync } from 'node:fs';
import { load, YAMLException } from 'js-yaml';
import { parseProperties, PropertiesSyntaxError, type PropertyEntry } from './properties-parser.js';
import { ConfigError } from './config-error.js';

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** The line of a YAML key: a flat `a.b.c:` line, or nested maps whose keys may themselves hold dots
 * (`log:` / `retention:` / `check.interval.ms:`). A key inside a flow map (`A->B: {enabled: true}`)
 * has no line of its own: it gets its parent's. 0 when it cannot be found. */
function yamlLineOf(lines: string[], dottedKey: string): number {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const find = (parts: string[], from: number): number => {
    let parentLine = -1;
    for (let k = parts.length; k >= 1; k--) {
      const re = new RegExp(`^\\s*["']?${escape(parts.slice(0, k).join('.'))}["']?\\s*:`);
      for (let i = from; i < lines.length; i++) {
        if (!re.test(lines[i]!)) continue;
        if (k === parts.length) return i;
        const rest = find(parts.slice(k), i + 1);
        if (rest >= 0) return rest;
        if (parentLine < 0) parentLine = i;
      }
    }
    return parentLine;
  };
  return find(dottedKey.split('.'), 0) + 1;
}

function scalarToString(value: unknown): string {
  if (Array.isArray(value)) return value.map(scalarToString).join(',');
  if (value === null || value === undefined) return '';
  return String(value);
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
    }
  } else {
    out.set(prefix, value);
  }
}

export function parseYamlConfig(text: string, file: string): PropertyEntry[] {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    const line = err instanceof YAMLException ? (err.mark?.line ?? -1) + 1 : 0;
    throw new ConfigError(`invalid YAML: ${(err as Error).message.split('\n')[0]}`, { file, line });
  }
  if (doc === undefined || doc === null) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('the YAML document must be a map of config keys', { file, line: 1 });
  }
  const flat = new Map<string, unknown>();
  flatten(doc, '', flat);
  const lines = text.split(/\r\n|\r|\n/);
  return [...flat].map(([key, value]) => ({ key, value: scalarToString(value), line: yamlLineOf(lines, key) }));
}

export function readConfigEntries(file: string): PropertyEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file: ${(err as Error).message}`, { file });
  }
  if (isYamlFile(file)) return parseYamlConfig(text, file);
  try {
    return parseProperties(text);
  } catch (err) {
    if (err instanceof PropertiesSyntaxError) throw new ConfigError(err.message, { file, line: err.line });
    throw err;
  }
}
