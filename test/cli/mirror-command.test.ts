// `strait mirror`'s subcommand table: each subcommand's help, its options, usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIRROR_SUBCOMMANDS } from '../../cli/commands/mirror.js';
import { runStrait } from '../helpers/run-strait.js';

test("each mirror subcommand's help lists exactly the options it parses", () => {
  for (const c of MIRROR_SUBCOMMANDS) {
    const listed = c.help.options.flatMap(([spelling]) => [...spelling.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!)).sort();
    assert.deepEqual(listed, Object.keys(c.options).sort(), c.name);
  }
});

test('strait mirror <sub> --help prints that subcommand\'s help; the table\'s help lists every form; a missing --config, an unreadable file or an unknown word is one line and exit 1', async () => {
  for (const c of MIRROR_SUBCOMMANDS) {
    const run = await runStrait(['mirror', c.name, '--help']);
    assert.equal(run.code, 0);
    assert.ok(run.stdout.startsWith(`usage: strait mirror ${c.name} `), run.stdout);
  }
  const table = await runStrait(['mirror', '--help']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /strait mirror failback/);
  const cases: [string[], RegExp][] = [
    [['mirror', 'status'], /Missing required argument --config/],
    [['mirror', 'status', '--config', '/nonexistent/mm2.properties'], /mm2\.properties/],
    [['mirror', 'failover', '--config', '/nonexistent/mm2.properties', '--group', 'g', '--from', 'A', '--to', 'B'], /mm2\.properties/],
    [['mirror', 'promote'], /Unexpected argument 'promote'/],
    [['mirror'], /Missing required argument --config/],
  ];
  for (const [args, message] of cases) {
    const run = await runStrait(args);
    assert.equal(run.code, 1, args.join(' '));
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});
