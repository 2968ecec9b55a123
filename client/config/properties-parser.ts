// Java .properties syntax (java.util.Properties#load): the format Kafka users already write.
// Written here because it is a few dozen lines and the npm parsers either drop line numbers, which
// config errors must name, or are unmaintained.

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

/** Thrown for text that is not valid properties syntax (only a bad \u escape can be). */
export class PropertiesSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'PropertiesSyntaxError';
    this.line = line;
  }
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function unescape(text: string, line: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    switch (next) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = text.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError(`malformed unicode escape "\\u${hex}" (needs 4 hex digits)`, line);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default: out += next;
    }
  }
  return out;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';

/** Splits a logical line into key and value as Properties#load does. */
function splitEntry(logical: string): { key: string; value: string } {
  let i = 0;
  while (i < logical.length) {
    const c = logical[i]!;
    if (c === '\\') { i += 2; continue; }
    if (c === '=' || c === ':' || isBlank(c)) break;
    i++;
  }
  const key = logical.slice(0, Math.min(i, logical.length));
  let j = i;
  while (isBlank(logical[j])) j++;
  if (logical[j] === '=' || logical[j] === ':') {
    j++;
    while (isBlank(logical[j])) j++;
  }
  return { key, value: logical.slice(j) };
}

/** Parses properties text; a later duplicate key wins, as in Java, and keeps its own line. */
export function parseProperties(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let n = 0; n < lines.length; n++) {
    const first = lines[n]!.replace(/^[ \t\f]+/, '');
    if (first === '' || first[0] === '#' || first[0] === '!') continue;
    const startLine = n + 1;
    let logical = first;
    while (endsWithContinuation(logical) && n + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++n]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    const { key, value } = splitEntry(logical);
    entries.push({ key: unescape(key, startLine), value: unescape(value, startLine), line: startLine });
  }
  return entries;
}
