// The fault suite's only source of randomness: one seed (FAULT_SEED, else a random one that is
// printed) fixes which faults hit, when and for how long, so that a failing run can be replayed.
import { randomInt } from 'node:crypto';
import { seededRandom, type RandomSource } from '../../broker/controller/index.js';

export class SeededRandom {
  readonly seed: number;
  private readonly next: RandomSource;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`a seed is an integer in 0..2^32-1, got ${seed}`);
    this.seed = seed;
    this.next = seededRandom(seed);
  }

  /** In [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`no integer in [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** FAULT_SEED when set (decimal), else a fresh random seed; the caller prints it. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['FAULT_SEED'];
  if (text === undefined || text === '') return randomInt(0, 0xffff_ffff);
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed) || seed > 0xffff_ffff) {
    throw new RangeError(`FAULT_SEED must be a decimal integer in 0..4294967295, got ${JSON.stringify(text)}`);
  }
  return seed;
}

/** The seed of run `run` (0-based) of a scenario: runs after the first move on from the base seed. */
export function runSeed(base: number, run: number): number {
  return (base + run) >>> 0;
}
