// The argument parser: a value that starts with '-' is taken by an option declared as taking one
// (`--opt -x` and `--opt=-x`), and --help / --version are found wherever an option may stand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { foldDashValues, InfoRequest, parseCommand, UsageError } from '../../cli/cli-args.js';

const OPTIONS = {
  'cluster-id': { type: 'string', short: 't' },
  topic: { type: 'string' },
  config: { type: 'string', multiple: true },
  create: { type: 'boolean' },
  'ignore-formatted': { type: 'boolean', short: 'g' },
} as const;

test('a string option takes a value starting with - in every spelling', () => {
  fc.assert(fc.property(fc.string({ minLength: 1 }).map((s) => `-${s}`).filter((v) => v !== '--'), (value) => {
    for (const argv of [['--cluster-id', value], [`--cluster-id=${value}`], ['-t', value]]) {
      const { values, positionals } = parseCommand([...argv, '--create'], OPTIONS);
      assert.equal(values['cluster-id'], value, JSON.stringify(argv));
      assert.equal(values.create, true);
      assert.deepEqual(positionals, []);
    }
    assert.deepEqual(parseCommand(['--config', value, '--config', 'a=b'], OPTIONS).values.config, [value, 'a=b']);
  }));
});

test('folding leaves flags, ordinary values and everything after -- alone', () => {
  assert.deepEqual(foldDashValues(['--create', '-g', '--topic', 't', '--cluster-id', '-x'], OPTIONS), ['--create', '-g', '--topic', 't', '--cluster-id=-x']);
  assert.deepEqual(foldDashValues(['--create', '--topic', '--', '-x'], OPTIONS), ['--create', '--topic', '--', '-x']);
  assert.deepEqual(foldDashValues(['--no-such', '-x'], OPTIONS), ['--no-such', '-x']);
  assert.throws(() => parseCommand(['--topic'], OPTIONS), (err: unknown) => err instanceof UsageError && !err.message.includes('\n'));
  assert.throws(() => parseCommand(['--create', 'stray'], OPTIONS), UsageError);
});

test('--help, -h and --version stand anywhere an option may, even next to a mistake', () => {
  const kind = (argv: string[]): string | undefined => {
    try {
      parseCommand(argv, OPTIONS);
      return undefined;
    } catch (err) {
      return err instanceof InfoRequest ? err.kind : 'error';
    }
  };
  assert.equal(kind(['--help']), 'help');
  assert.equal(kind(['--create', '-h']), 'help');
  assert.equal(kind(['--bogus', '--help']), 'help');
  assert.equal(kind(['--version']), 'version');
  assert.equal(kind(['--topic', '--help']), undefined, 'the value of --topic, not a request for help');
  assert.equal(kind(['--', '--help']), 'error', 'after --, not an option');
});
