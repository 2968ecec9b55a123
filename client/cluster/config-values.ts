// Reads Kafka-style dotted config keys ('batch.size', 'linger.ms') from a plain object. Values may be
// numbers/booleans or their string forms, because the CLI passes `--producer-property k=v` strings.
// A bad value is an InvalidConfigError naming the key; nothing is half-applied.
import { ErrorCode, StraitError } from '../errors.js';

export class InvalidConfigError extends StraitError {
  readonly key: string;

  constructor(key: string, problem: string) {
    super(ErrorCode.INVALID_CONFIG, `${key}: ${problem}`);
    this.key = key;
    this.name = 'InvalidConfigError';
  }
}

export type ConfigValue = string | number | boolean | readonly string[] | null | undefined;
export type ConfigObject = Readonly<Record<string, ConfigValue>>;

export interface IntRange {
  min?: number;
  max?: number;
}

export class ConfigReader {
  private readonly raw: ConfigObject;
  private readonly used = new Set<string>();

  constructor(raw: ConfigObject) {
    if (raw === null || typeof raw !== 'object') throw new InvalidConfigError('config', 'must be an object');
    this.raw = raw;
  }

  /** Whether the caller set the key at all (e.g. to tell an explicit setting from a default). */
  has(key: string): boolean {
    const v = this.raw[key];
    return v !== undefined && v !== null && v !== '';
  }

  private get(key: string): ConfigValue {
    this.used.add(key);
    const v = this.raw[key];
    return typeof v === 'string' ? v.trim() : v;
  }

  string(key: string, fallback: string): string {
    const v = this.get(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidConfigError(key, `expected a string, got ${typeof v}`);
    return String(v);
  }

  stringList(key: string): string[] | undefined {
    const v = this.get(key);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (Array.isArray(v)) return v.map((s) => String(s).trim());
    throw new InvalidConfigError(key, 'expected a comma-separated list');
  }

  int(key: string, fallback: number, range: IntRange = {}): number {
    const v = this.get(key);
    let n: number;
    if (v === undefined || v === null || v === '') n = fallback;
    else if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && /^[-+]?\d+$/.test(v)) n = Number(v);
    else throw new InvalidConfigError(key, `'${String(v)}' is not an integer`);
    if (!Number.isSafeInteger(n)) throw new InvalidConfigError(key, `${n} is not a safe integer`);
    if (range.min !== undefined && n < range.min) throw new InvalidConfigError(key, `${n} is below the minimum ${range.min}`);
    if (range.max !== undefined && n > range.max) throw new InvalidConfigError(key, `${n} is above the maximum ${range.max}`);
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new InvalidConfigError(key, `'${String(v)}' is not true or false`);
  }

  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const v = this.string(key, fallback).toLowerCase();
    if (!(allowed as readonly string[]).includes(v)) {
      throw new InvalidConfigError(key, `'${v}' is not one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  /** Keys that were supplied but never read: Kafka warns about these rather than failing. */
  unusedKeys(): string[] {
    return Object.keys(this.raw).filter((k) => !this.used.has(k) && this.raw[k] !== undefined);
  }
}
