// What reading a mirror config file has to say besides the config: warnings (unknown keys, keys MM2
// has that Strait does not implement, settings that do not take effect) each with its key and line,
// and the MirrorConfigError that stops start-up, built here so that every error names the file.
import type { PropertyEntry } from '../../client/index.js';
import { MirrorConfigError } from './mirror-config-error.js';

export interface MirrorConfigWarning {
  key: string;
  /** 1-based; 0 when the warning is about the file as a whole. */
  line: number;
  message: string;
}

export class Diagnostics {
  readonly unknownKeys: { key: string; line: number }[] = [];
  private readonly warningsByPlace = new Map<string, MirrorConfigWarning>();

  constructor(readonly file: string) {}

  /** A warning; the same key, line and message is reported once however many flows find it. */
  warn(entry: { key: string; line: number }, message: string): void {
    const place = `${entry.line}\u0000${entry.key}\u0000${message}`;
    if (!this.warningsByPlace.has(place)) this.warningsByPlace.set(place, { key: entry.key, line: entry.line, message });
  }

  unknown(entry: PropertyEntry, message: string): void {
    this.unknownKeys.push({ key: entry.key, line: entry.line });
    this.warn(entry, message);
  }

  /** The warnings in the order of the file. */
  warnings(): MirrorConfigWarning[] {
    return [...this.warningsByPlace.values()].sort((a, b) => a.line - b.line);
  }

  error(where: { key: string; line: number }, problem: string): MirrorConfigError {
    return new MirrorConfigError(problem, { file: this.file, key: where.key, line: where.line });
  }
}
