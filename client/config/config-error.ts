// A config file that cannot be used (the broker's, the mirror's): names the key, the file and the line
// so the operator can fix it without guessing. Raised only at start-up, where refusing to start is the
// right answer.

export interface ConfigErrorLocation {
  file?: string;
  key?: string;
  /** 1-based; 0 or absent when unknown. */
  line?: number;
}

export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly key: string | undefined;
  readonly line: number | undefined;

  constructor(problem: string, where: ConfigErrorLocation = {}, options?: { cause?: unknown }) {
    const parts: string[] = [];
    if (where.file) parts.push(where.line ? `${where.file}:${where.line}` : where.file);
    if (where.key) parts.push(`key "${where.key}"`);
    super(parts.length > 0 ? `${parts.join(' ')}: ${problem}` : problem, options);
    this.name = 'ConfigError';
    this.file = where.file;
    this.key = where.key;
    this.line = where.line;
  }
}
