// spawnBroker: every broker it starts runs with the broker's node options (the heap setting that
// keeps V8 from marking over and over under replication traffic, cli/local-broker.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BROKER_NODE_ARGS, STRAIT_MAIN } from '../../cli/local-broker.js';
import { useBrokers } from '../helpers/launcher.js';

test('a broker started by spawnBroker runs node with BROKER_NODE_ARGS ahead of its script', async (t) => {
  const broker = await useBrokers(t).start();
  const argv = readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8').split('\0');
  const script = argv.indexOf(STRAIT_MAIN);
  assert.ok(script > 0, `the broker's command line names ${STRAIT_MAIN}: ${argv.join(' ')}`);
  assert.ok(BROKER_NODE_ARGS.length > 0);
  for (const arg of BROKER_NODE_ARGS) {
    const at = argv.indexOf(arg);
    assert.ok(at > 0 && at < script, `${arg} goes to node, before the script: ${argv.join(' ')}`);
  }
});
