// fast-check generators for the policy tests: separators, cluster aliases the config accepts for a
// separator, topic names, and a reporter that names the seed of a failure for a rerun.
import fc from 'fast-check';
import { aliasTraceProblem } from '../../../mirror/config/topology-checks.js';
import { parseSeparator } from '../../../mirror/config/value-parsers.js';

const TOPIC_CHAR = fc.constantFrom(...'abcxyzABC019._-'.split(''));

const acceptedSeparator = (separator: string): boolean => {
  try {
    return parseSeparator(separator) === separator;
  } catch {
    return false;
  }
};

/** Separators the config accepts: one to three topic-name characters, '.' most often. */
export const separatorArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('.') },
  { weight: 2, arbitrary: fc.constantFrom('_', '-', '__', '--', '.-', 'x') },
  { weight: 1, arbitrary: fc.string({ unit: TOPIC_CHAR, minLength: 1, maxLength: 3 }).filter(acceptedSeparator) },
);

/** An alias the config accepts for flows with `separator` (see aliasTraceProblem). */
export const aliasArb = (separator: string): fc.Arbitrary<string> =>
  fc.string({ unit: TOPIC_CHAR, minLength: 1, maxLength: 8 }).filter((alias) => aliasTraceProblem(alias, separator) === undefined);

/** A topic name (DESIGN §12's characters) that is more than separators. */
export const topicArb = (separator: string): fc.Arbitrary<string> =>
  fc.string({ unit: TOPIC_CHAR, minLength: 1, maxLength: 20 }).filter((topic) => topic.split(separator).some((part) => part !== ''));

/** A topic name that holds no separator: one no policy reads as remote. */
export const localTopicArb = (separator: string): fc.Arbitrary<string> =>
  fc.string({ unit: TOPIC_CHAR, minLength: 1, maxLength: 20 }).filter((topic) => !topic.includes(separator));

export function assertProperty<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns = 500): void {
  fc.assert(property, {
    numRuns,
    reporter: (details) => {
      if (details.failed) throw new Error(`property failed with seed ${details.seed} (path ${details.counterexamplePath}): ${fc.defaultReportMessage(details)}`);
    },
  });
}
