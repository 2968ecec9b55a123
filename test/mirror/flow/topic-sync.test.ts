// topic-sync's config rule (MM2's targetConfig, incremental form): which source entries are set on
// the remote topic and which are deleted there, under config.properties.exclude and use.defaults.from.
// The rule at work on real clusters is in test/mirror/mirror-topics.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigSource, parseProperties, type ConfigEntryDescription } from '../../../client/index.js';
import { FlowPolicy, parseMirrorConfig } from '../../../mirror/index.js';
import { configChanges } from '../../../mirror/flow/topic-sync.js';

function policy(extra: string): FlowPolicy {
  const config = parseMirrorConfig(parseProperties(`clusters = A, B\nA.bootstrap.servers = h:1\nB.bootstrap.servers = h:2\nA->B.enabled = true\n${extra}`), 'mm2.properties');
  return new FlowPolicy(config.flows[0]!);
}

const entry = (name: string, value: string | null, source: number, extra: Partial<ConfigEntryDescription> = {}): ConfigEntryDescription =>
  ({ name, value, source, readOnly: false, isSensitive: false, ...extra });

const entries = [
  entry('retention.ms', '60000', ConfigSource.DYNAMIC_TOPIC_CONFIG),
  entry('cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG),
  entry('min.insync.replicas', '2', ConfigSource.DYNAMIC_TOPIC_CONFIG),
  entry('segment.bytes', '1000', ConfigSource.STATIC_BROKER_CONFIG),
  entry('max.message.bytes', '2000', ConfigSource.DYNAMIC_TOPIC_CONFIG, { readOnly: true }),
];

test('target defaults: set what the source set, delete what it leaves at its default, never an excluded key', () => {
  assert.deepEqual(configChanges(entries, policy('')), [
    { name: 'retention.ms', op: 'set', value: '60000' },
    { name: 'cleanup.policy', op: 'delete' },
  ]);
});

test('source defaults: the source default is copied too', () => {
  assert.deepEqual(configChanges(entries, policy('use.defaults.from = source')), [
    { name: 'retention.ms', op: 'set', value: '60000' },
    { name: 'cleanup.policy', op: 'set', value: 'delete' },
  ]);
});

test('config.properties.exclude replaces MM2\'s list', () => {
  assert.deepEqual(configChanges(entries, policy('config.properties.exclude = retention\\..*')), [
    { name: 'cleanup.policy', op: 'delete' },
    { name: 'min.insync.replicas', op: 'set', value: '2' },
  ]);
});
