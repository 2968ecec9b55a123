// Reads a broker config file, .properties or YAML, into flat key/value entries with line numbers,
// so that every later error can name the key, the file and the line.
import { readFileSync } from 'node:fs';
import { load, YAMLException } from 'js-yaml';
import { parseProperties, PropertiesSyntaxError, type PropertyEntry } from './properties-parser.js';
import { ConfigError } from './config-error.js';

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** The line of a YAML key: a flat `a.b.c:` line, or the nested `c:` under its parents. */
function yamlLineOf(lines: string[], dottedKey: string): number {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const flat = new RegExp(`^\\s*["']?${escape(dottedKey)}["']?\\s*:`);
  const flatAt = lines.findIndex((l) => flat.test(l));
  if (flatAt >= 0) return flatAt + 1;
  let from = 0;
  for (const part of dottedKey.split('.')) {
    const re = new RegExp(`^\\s*["']?${escape(part)}["']?\\s*:`);
    const at = lines.findIndex((l, i) => i >= from && re.test(l));
    if (at < 0) return 0;
    from = at;
  }
  return from + 1;
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
