// The import check (scripts/check-imports.mjs, run by npm test) against small trees: a tree that keeps
// the rules passes, and each kind of break is reported with its file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/check-imports.mjs');

/** A tree that keeps every rule; each test adds one file that breaks one. */
const GOOD: Record<string, string> = {
  'client/index.ts': "export * from './errors.js';\n",
  'client/errors.ts': 'export const ErrorCode = {};\n',
  'broker/index.ts': "export { startBroker } from './server.js';\n",
  'broker/server.ts': "import { startGrpcServer } from './rpc/grpc-server.js';\nimport { LogManager } from './log/index.js';\n",
  'broker/rpc/grpc-server.ts': "import { ErrorCode } from '../../client/index.js';\nimport type { BrokerCore } from '../core/broker-core.js';\n",
  'broker/core/broker-core.ts': "import { Log } from '../log/index.js';\nconst later = () => import('../config/broker-config.js');\n",
  'broker/log/index.ts': "export { Log } from './log.js';\n",
  'broker/log/log.ts': "import { ErrorCode } from '../../client/index.js';\n// import { BrokerCore } from '../core/broker-core.js';\nconst text = \"import { x } from '../core/broker-core.js'\";\n",
  'broker/config/broker-config.ts': 'export const x = 1;\n',
  'mirror/index.ts': "export { loadMirrorConfigFile } from './config/mirror-config.js';\n",
  'mirror/config/mirror-config.ts': "import { readConfigEntries } from '../../client/index.js';\nimport { isCycle } from '../policy/cycles.js';\n",
  'mirror/policy/cycles.ts': 'export const isCycle = () => false;\n',
  'cli/main.ts': "import { startBroker } from '../broker/index.js';\nimport { loadMirrorConfigFile } from '../mirror/index.js';\n",
  'bench/log-append.ts': "import { Log } from '../broker/log/log.js';\nimport { ErrorCode } from '../client/index.js';\n",
};

function check(extra: Record<string, string>): { status: number | null; stderr: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'strait-imports-'));
  try {
    for (const [file, text] of Object.entries({ ...GOOD, ...extra })) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a tree that keeps the rules passes, commented and quoted imports included', () => {
  const { status, stderr } = check({});
  assert.equal(status, 0, stderr);
});

const breaks: [string, Record<string, string>, RegExp][] = [
  ['a module reaching inside another', { 'broker/core/errors-use.ts': "\nimport { ErrorCode } from '../../client/errors.js';\n" },
    /broker\/core\/errors-use\.ts:2: client\/errors\.ts is inside client\/: import client\/index\.ts instead/],
  ['the client using another module', { 'client/x.ts': "export { startBroker } from '../broker/index.js';\n" },
    /client\/x\.ts:1: client\/ imports broker\/: it depends on nothing else of ours/],
  ['the broker using the CLI', { 'broker/core/x.ts': "import '../../cli/main.js';\n" }, /broker\/core\/x\.ts:1: broker\/ imports cli\//],
  ['a module using a test helper', { 'cli/x.ts': "const h = await import('../test/helpers/launcher.js');\n" }, /cli\/x\.ts:1: cli\/ imports test\//],
  ['the CLI inside the broker', { 'cli/x.ts': "import {\n  readMetaProperties,\n} from '../broker/log/index.js';\n" },
    /cli\/x\.ts:3: broker\/log\/index\.ts is inside broker\/: import broker\/index\.ts instead/],
  ['a benchmark inside the client', { 'bench/x.ts': "import { encodeRecordBatch } from '../client/records/index.js';\n" },
    /bench\/x\.ts:1: client\/records\/index\.ts is inside client\/: import client\/index\.ts instead/],
  ['the mirror reaching inside the client', { 'mirror/config/x.ts': "import { parseProperties } from '../../client/config/properties-parser.js';\n" },
    /mirror\/config\/x\.ts:1: client\/config\/properties-parser\.ts is inside client\/: import client\/index\.ts instead/],
  ['the mirror using the broker', { 'mirror/x.ts': "import { startBroker } from '../broker/index.js';\n" },
    /mirror\/x\.ts:1: mirror\/ imports broker\/: it may use client\//],
  ['the CLI inside the mirror', { 'cli/x.ts': "import { isCycle } from '../mirror/policy/cycles.js';\n" },
    /cli\/x\.ts:1: mirror\/policy\/cycles\.ts is inside mirror\/: import mirror\/index\.ts instead/],
  ['a broker layer calling upwards', { 'broker/log/up.ts': "import type { BrokerCore } from '../core/broker-core.js';\n" },
    /broker\/log\/up\.ts:1: broker\/log\/ imports broker\/core\/broker-core\.ts, a layer above it/],
  ['a broker layer calling beside it', { 'broker/metrics/m.ts': "export type { BrokerCore } from '../rpc/grpc-server.js';\n" },
    /broker\/metrics\/m\.ts:1: broker\/metrics\/ imports broker\/rpc\/grpc-server\.ts, a layer beside it/],
  ['a layer entered past its index', { 'broker/core/c.ts': "import { Log } from '../log/log.js';\n" },
    /broker\/core\/c\.ts:1: broker\/log\/log\.ts is inside broker\/log\/: import broker\/log\/index\.ts instead/],
  ['a broker folder with no place among the layers', { 'broker/replica/r.ts': "import { Log } from '../log/index.js';\n" },
    /broker\/replica\/r\.ts:1: broker\/replica\/ has no place in BROKER_LAYERS/],
];

for (const [name, extra, expected] of breaks) {
  test(`reported: ${name}`, () => {
    const { status, stderr } = check(extra);
    assert.equal(status, 1, stderr);
    assert.match(stderr, expected);
    assert.match(stderr, /^1 import\(s\) break the layout rules/);
  });
}
