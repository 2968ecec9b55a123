import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfigFromMap, loadBrokerConfigFile, parseListener } from '../../../broker/config/broker-config.js';
import { ConfigError } from '../../../client/index.js';

function tempFile(t: { after(fn: () => void): void }, name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('defaults follow Kafka', () => {
  const { config, unknownKeys } = brokerConfigFromMap({});
  assert.equal(config.nodeId, 1);
  assert.deepEqual(config.processRoles, ['broker', 'controller']);
  assert.deepEqual(config.listener, { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 });
  assert.equal(config.numPartitions, 1);
  assert.equal(config.defaultReplicationFactor, 1);
  assert.equal(config.autoCreateTopicsEnable, true);
  assert.equal(config.retentionCheckIntervalMs, 300000);
  assert.deepEqual(unknownKeys, []);
});

test('properties file: values, lists, advertised listener, topic defaults', (t) => {
  const file = tempFile(t, 'b.properties', [
    'node.id=7', 'process.roles=broker', 'controller.quorum.voters=1@c1:9093,2@c2:9093,3@c3:9093', 'listeners=PLAINTEXT://0.0.0.0:19092',
    'advertised.listeners=PLAINTEXT://broker7:19092', 'log.dirs=/a, /b', 'num.partitions=3',
    'auto.create.topics.enable=false', 'log.retention.hours=1', 'metrics.port=0', 'broker.rack=r1',
  ].join('\n'));
  const { config } = loadBrokerConfigFile(file);
  assert.equal(config.nodeId, 7);
  assert.deepEqual(config.logDirs, ['/a', '/b']);
  assert.equal(config.listener.port, 19092);
  assert.deepEqual(config.advertised, { name: 'PLAINTEXT', host: 'broker7', port: 19092 });
  assert.equal(config.numPartitions, 3);
  assert.equal(config.autoCreateTopicsEnable, false);
  assert.deepEqual(config.topicDefaults, { 'log.retention.hours': '1' });
  assert.equal(config.rack, 'r1');
  assert.deepEqual(config.processRoles, ['broker']);
  assert.deepEqual(config.quorumVoters, [{ id: 1, host: 'c1', port: 9093 }, { id: 2, host: 'c2', port: 9093 }, { id: 3, host: 'c3', port: 9093 }]);
});

test('quorum keys: defaults, voters syntax, duplicates, roles against the voters list, with key and line', (t) => {
  const { config } = brokerConfigFromMap({});
  assert.equal(config.quorumVoters, undefined, 'no voters: a quorum of this node alone');
  assert.equal(config.electionTimeoutMs, 1000);
  assert.equal(config.brokerHeartbeatIntervalMs, 2000);
  assert.equal(config.brokerSessionTimeoutMs, 9000);
  const voters = '1@127.0.0.1:9001,2@127.0.0.1:9002,3@[::1]:9003';
  const ok = brokerConfigFromMap({ 'node.id': '3', 'controller.quorum.voters': voters, 'controller.quorum.election.timeout.ms': '300' }).config;
  assert.deepEqual(ok.quorumVoters!.map((v) => `${v.id}@${v.host}:${v.port}`), ['1@127.0.0.1:9001', '2@127.0.0.1:9002', '3@::1:9003']);
  assert.equal(ok.electionTimeoutMs, 300);
  assert.deepEqual(brokerConfigFromMap({ 'node.id': '4', 'process.roles': 'broker', 'controller.quorum.voters': voters }).config.processRoles, ['broker']);
  assert.deepEqual(brokerConfigFromMap({ 'process.roles': 'controller' }).config.processRoles, ['controller']);

  const bad: [Record<string, string>, string][] = [
    [{ 'controller.quorum.voters': '1@host' }, 'controller.quorum.voters'],
    [{ 'controller.quorum.voters': 'one@host:1' }, 'controller.quorum.voters'],
    [{ 'controller.quorum.voters': '1@h:1,1@h:2' }, 'controller.quorum.voters'],
    [{ 'controller.quorum.voters': '1@h:70000' }, 'controller.quorum.voters'],
    [{ 'node.id': '5', 'controller.quorum.voters': voters }, 'controller.quorum.voters'],
    [{ 'node.id': '2', 'process.roles': 'broker', 'controller.quorum.voters': voters }, 'process.roles'],
    [{ 'process.roles': 'broker' }, 'process.roles'],
    [{ 'controller.quorum.election.timeout.ms': '0' }, 'controller.quorum.election.timeout.ms'],
    [{ 'broker.session.timeout.ms': 'soon' }, 'broker.session.timeout.ms'],
  ];
  for (const [values, key] of bad) {
    assert.throws(() => brokerConfigFromMap(values), (err: unknown) => err instanceof ConfigError && err.key === key, JSON.stringify(values));
  }
  const file = tempFile(t, 'q.properties', ['node.id=1', 'process.roles=broker,controller', 'controller.quorum.voters=1@a:1,1@b:2'].join('\n'));
  assert.throws(() => loadBrokerConfigFile(file), (err: unknown) => err instanceof ConfigError && err.line === 3 && /appears twice/.test(err.message));
});

test('YAML file: flat and nested keys flatten with dots', (t) => {
  const file = tempFile(t, 'b.yaml', 'node.id: 2\nlog:\n  dirs: /data\n  retention:\n    ms: 1000\nlisteners: PLAINTEXT://127.0.0.1:0\n');
  const { config } = loadBrokerConfigFile(file);
  assert.equal(config.nodeId, 2);
  assert.deepEqual(config.logDirs, ['/data']);
  assert.equal(config.topicDefaults['log.retention.ms'], '1000');
  assert.equal(config.listener.port, 0);
});

test('unknown keys are reported with their line, not fatal', (t) => {
  const file = tempFile(t, 'b.properties', 'node.id=1\nno.such.key=1\n');
  const { unknownKeys } = loadBrokerConfigFile(file);
  assert.deepEqual(unknownKeys, [{ key: 'no.such.key', line: 2 }]);
});

test('an invalid value is a ConfigError naming the key, the file and the line', (t) => {
  const file = tempFile(t, 'b.properties', '# header\nnode.id=1\nnum.partitions=zero\n');
  assert.throws(() => loadBrokerConfigFile(file), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.key, 'num.partitions');
    assert.equal(err.line, 3);
    assert.match(err.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3`));
    assert.match(err.message, /num\.partitions/);
    return true;
  });
});

test('YAML errors name the line of the nested key', (t) => {
  const file = tempFile(t, 'b.yml', 'node.id: 1\nlog:\n  retention:\n    check.interval.ms: -5\n');
  assert.throws(() => loadBrokerConfigFile(file), (err: unknown) =>
    err instanceof ConfigError && err.key === 'log.retention.check.interval.ms' && err.line === 4);
});

test('range and shape checks', () => {
  const bad: Record<string, string>[] = [
    { 'node.id': '-1' },
    { 'metrics.port': '70000' },
    { 'num.partitions': '0' },
    { 'auto.create.topics.enable': 'yes' },
    { 'process.roles': 'observer' },
    { listeners: 'nonsense' },
    { listeners: 'PLAINTEXT://127.0.0.1:99999' },
    { 'cluster.id': 'has space' },
    { 'log.dirs': ' , ' },
    { 'metrics.listener': 'http://x' },
    { 'log.cleaner.min.cleanable.ratio': '2' },
    { 'node.id': '99999999999999999999' },
  ];
  for (const values of bad) {
    assert.throws(() => brokerConfigFromMap(values), ConfigError, JSON.stringify(values));
  }
});

test('a missing file is a ConfigError naming it', () => {
  assert.throws(() => loadBrokerConfigFile('/nonexistent/strait.properties'), (err: unknown) =>
    err instanceof ConfigError && err.file === '/nonexistent/strait.properties');
});

test('parseListener', () => {
  assert.deepEqual(parseListener('PLAINTEXT://:9092'), { name: 'PLAINTEXT', host: '0.0.0.0', port: 9092 });
  assert.deepEqual(parseListener('X://[::1]:1'), { name: 'X', host: '::1', port: 1 });
  assert.equal(parseListener('127.0.0.1:9092'), undefined);
});
