// Every command answers --help / -h with its usage on stdout and exit 0 (its subcommand forms too),
// without running anything; `strait --version` prints package.json's version from any directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { formatHelp } from '../../cli/command.js';
import { COMMANDS } from '../../cli/commands/index.js';
import { runStrait } from '../helpers/run-strait.js';

/** dist/test/cli -> the package root's package.json */
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('each command and each of its forms prints its help with --help and -h, exit 0', async () => {
  const forms: string[][] = [
    ...COMMANDS.map((c) => [c.name, '--help']),
    ['topics', '-h'],
    ['storage', 'format', '--help'],
    ['storage', 'random-uuid', '-h'],
    ['storage', 'info', '--config', '/nonexistent.properties', '--help'],
    ['cluster', '--describe', '--help'],
    ['cluster', '--brokers', '3', '-h'],
    ['topics', '--bootstrap-server', '127.0.0.1:1', '--create', '--topic', 't', '--help'],
    ['broker', '--config', '/nonexistent.properties', '--help'],
    ['consume', '--bogus', '--help'],
  ];
  // A few at a time: each run is a node process start.
  for (let i = 0; i < forms.length; i += 4) {
    await Promise.all(forms.slice(i, i + 4).map(async (argv) => {
      const command = COMMANDS.find((c) => c.name === argv[0])!;
      const r = await runStrait(argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', argv.join(' '));
      assert.equal(r.stdout, formatHelp(command.help), argv.join(' '));
      assert.match(r.stdout, new RegExp(`^usage: strait ${command.name} `));
    }));
  }
});

test('strait --help lists every command; strait alone prints it on stderr and exits 1', async () => {
  const help = await runStrait(['--help']);
  assert.equal(help.code, 0);
  for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c.name} +\\S`, 'm'));
  const bare = await runStrait([]);
  assert.equal(bare.code, 1);
  assert.equal(bare.stdout, '');
  assert.equal(bare.stderr, help.stdout);
});

test("--version prints package.json's version, from any working directory", async () => {
  for (const argv of [['--version'], ['topics', '--version']]) {
    const r = await runStrait(argv, undefined, 20_000, { cwd: os.tmpdir() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${VERSION}\n`);
  }
});

test("each command's help lists exactly the options it parses", () => {
  for (const c of COMMANDS) {
    const listed = c.help.options.flatMap(([spelling]) => [...spelling.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!)).sort();
    assert.deepEqual(listed, Object.keys(c.options).sort(), c.name);
  }
});
