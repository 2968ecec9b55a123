// Listener and security keys: Kafka's KRaft server.properties shapes start as written when every
// listener they use is PLAINTEXT; anything asking for TLS, SASL or ACLs stops start-up naming the key,
// the file and the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerConfigFromMap, loadBrokerConfigFile, type ParsedBrokerConfig } from '../../../broker/config/broker-config.js';
import { ConfigError } from '../../../client/index.js';
import { parseListener } from '../../../broker/config/listener-config.js';

type After = { after(fn: () => void): void };

function load(t: After, lines: readonly string[]): ParsedBrokerConfig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-listeners-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'server.properties');
  writeFileSync(file, lines.join('\n') + '\n');
  return loadBrokerConfigFile(file);
}

/** Kafka 3.x config/kraft/server.properties, comments dropped: a combined node. */
const KAFKA_COMBINED = [
  'process.roles=broker,controller',
  'node.id=1',
  'controller.quorum.voters=1@localhost:9093',
  'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
  'inter.broker.listener.name=PLAINTEXT',
  'advertised.listeners=PLAINTEXT://localhost:9092',
  'controller.listener.names=CONTROLLER',
  'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
  'num.network.threads=3',
  'num.io.threads=8',
  'socket.send.buffer.bytes=102400',
  'socket.receive.buffer.bytes=102400',
  'socket.request.max.bytes=104857600',
  'log.dirs=/tmp/kraft-combined-logs',
  'num.partitions=1',
  'num.recovery.threads.per.data.dir=1',
  'offsets.topic.replication.factor=1',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
  'log.retention.hours=168',
  'log.segment.bytes=1073741824',
  'log.retention.check.interval.ms=300000',
];

/** Kafka 3.x config/kraft/broker.properties: a broker-only node. */
const KAFKA_BROKER = [
  'process.roles=broker',
  'node.id=2',
  'controller.quorum.voters=1@localhost:9093',
  'listeners=PLAINTEXT://localhost:9092',
  'inter.broker.listener.name=PLAINTEXT',
  'advertised.listeners=PLAINTEXT://localhost:9092',
  'controller.listener.names=CONTROLLER',
  'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
  'log.dirs=/tmp/kraft-broker-logs',
];

/** Kafka 3.x config/kraft/controller.properties: a controller-only node, no protocol map. */
const KAFKA_CONTROLLER = [
  'process.roles=controller',
  'node.id=1',
  'controller.quorum.voters=1@localhost:9093',
  'listeners=CONTROLLER://:9093',
  'controller.listener.names=CONTROLLER',
  'log.dirs=/tmp/kraft-controller-logs',
];

test("Kafka's KRaft sample files are accepted as written", (t) => {
  const combined = load(t, KAFKA_COMBINED).config;
  assert.deepEqual(combined.listeners, [
    { name: 'PLAINTEXT', host: '0.0.0.0', port: 9092 },
    { name: 'CONTROLLER', host: '0.0.0.0', port: 9093 },
  ], 'both listeners are bound');
  assert.equal(combined.listener.name, 'PLAINTEXT', 'clients are told about the inter-broker listener');
  assert.deepEqual(combined.advertised, { name: 'PLAINTEXT', host: 'localhost', port: 9092 });
  assert.deepEqual(combined.controllerListenerNames, ['CONTROLLER']);
  assert.deepEqual(combined.quorumVoters, [{ id: 1, host: 'localhost', port: 9093 }], 'the quorum is reached on the controller listener');

  const broker = load(t, KAFKA_BROKER).config;
  assert.deepEqual(broker.listeners, [{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
  assert.deepEqual(broker.processRoles, ['broker']);

  const controller = load(t, KAFKA_CONTROLLER).config;
  assert.deepEqual(controller.listeners, [{ name: 'CONTROLLER', host: '0.0.0.0', port: 9093 }], 'KRaft: controller listeners are PLAINTEXT without a map');
  assert.equal(controller.listener.name, 'CONTROLLER');
});

test('other PLAINTEXT shapes: custom names through the map, lower case, security.inter.broker.protocol', () => {
  const custom = brokerConfigFromMap({
    listeners: 'INTERNAL://127.0.0.1:19092,EXTERNAL://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093',
    'advertised.listeners': 'INTERNAL://broker1:19092,EXTERNAL://public.example:9092',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'INTERNAL',
  }).config;
  assert.deepEqual(custom.listeners.map((l) => l.name), ['INTERNAL', 'EXTERNAL', 'CONTROLLER']);
  assert.deepEqual(custom.advertised, { name: 'INTERNAL', host: 'broker1', port: 19092 });

  const noInterBroker = brokerConfigFromMap({
    listeners: 'CONTROLLER://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092', 'controller.listener.names': 'CONTROLLER',
  }).config;
  assert.equal(noInterBroker.listener.name, 'PLAINTEXT', 'the first listener that is not a controller listener');

  const lower = brokerConfigFromMap({ listeners: 'plaintext://127.0.0.1:9092', 'security.inter.broker.protocol': 'PLAINTEXT' }).config;
  assert.deepEqual(lower.listener, { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 });

  const { unknownKeys } = brokerConfigFromMap({ 'security.protocol': 'PLAINTEXT' });
  assert.deepEqual(unknownKeys.map((k) => k.key), ['security.protocol'], 'a client key, harmless as PLAINTEXT: warned, not refused');
});

test('TLS, SASL, ACLs and inconsistent listener settings stop start-up with the key, the file and the line', (t) => {
  const base = ['node.id=1', 'log.dirs=/tmp/x'];
  const voters = ['controller.quorum.voters=1@localhost:9093'];
  const cases: { lines: string[]; key: string; message: RegExp }[] = [
    { lines: ['listeners=SSL://:9093'], key: 'listeners', message: /listener SSL is SSL, which is not implemented/ },
    { lines: ['listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9094'], key: 'listeners', message: /SASL_PLAINTEXT/ },
    {
      lines: ['listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SECURE:SSL', 'listeners=PLAINTEXT://:9092,SECURE://:9093'],
      key: 'listeners', message: /listener SECURE is SSL in listener\.security\.protocol\.map \(line 3\)/,
    },
    { lines: ['listeners=INTERNAL://:9092'], key: 'listeners', message: /no security protocol/ },
    { lines: ['listener.security.protocol.map=PLAINTEXT'], key: 'listener.security.protocol.map', message: /NAME:PROTOCOL/ },
    { lines: ['listener.security.protocol.map=PLAINTEXT:TLS'], key: 'listener.security.protocol.map', message: /TLS is not one of/ },
    { lines: ['listener.security.protocol.map=PLAINTEXT:PLAINTEXT,plaintext:SSL'], key: 'listener.security.protocol.map', message: /appears twice/ },
    { lines: ['listeners=PLAINTEXT://:9092,PLAINTEXT://:9093'], key: 'listeners', message: /appears twice/ },
    { lines: ['listeners=PLAINTEXT://:9092,OTHER://:9092', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT'], key: 'listeners', message: /port 9092/ },
    { lines: ['advertised.listeners=EXTERNAL://h:9092'], key: 'advertised.listeners', message: /EXTERNAL is not in listeners/ },
    {
      lines: ['process.roles=broker', ...voters, 'listeners=PLAINTEXT://:9092', 'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL'],
      key: 'controller.listener.names', message: /CONTROLLER is SASL_SSL/,
    },
    {
      lines: ['process.roles=broker', ...voters, 'listeners=PLAINTEXT://:9092', 'controller.listener.names=SSL'],
      key: 'controller.listener.names', message: /listener SSL is SSL/,
    },
    {
      lines: ['listeners=PLAINTEXT://:9092', 'controller.listener.names=CTRL', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT'],
      key: 'controller.listener.names', message: /CTRL has no security protocol/,
    },
    { lines: ['listeners=PLAINTEXT://:9092', 'controller.listener.names=CONTROLLER'], key: 'controller.listener.names', message: /a controller needs one of CONTROLLER in listeners/ },
    {
      lines: ['process.roles=broker', ...voters, 'listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names=CONTROLLER'],
      key: 'listeners', message: /CONTROLLER is a controller listener, but process.roles=broker/,
    },
    {
      lines: ['process.roles=controller', 'listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names=CONTROLLER'],
      key: 'listeners', message: /PLAINTEXT is not in controller\.listener\.names, but process.roles=controller/,
    },
    { lines: ['listeners=CONTROLLER://:9093', 'controller.listener.names=CONTROLLER'], key: 'listeners', message: /a broker needs a listener/ },
    {
      lines: ['listeners=PLAINTEXT://:9092', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT', 'inter.broker.listener.name=EXTERNAL'],
      key: 'inter.broker.listener.name', message: /EXTERNAL is not in listeners/,
    },
    { lines: ['listeners=PLAINTEXT://:9092', 'inter.broker.listener.name=SSL'], key: 'inter.broker.listener.name', message: /listener SSL is SSL/ },
    {
      lines: ['listeners=PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=CONTROLLER'],
      key: 'inter.broker.listener.name', message: /CONTROLLER is a controller listener/,
    },
    { lines: ['security.inter.broker.protocol=SSL'], key: 'security.inter.broker.protocol', message: /not implemented/ },
    {
      lines: ['inter.broker.listener.name=PLAINTEXT', 'security.inter.broker.protocol=PLAINTEXT'],
      key: 'security.inter.broker.protocol', message: /only one of/,
    },
    { lines: ['ssl.keystore.location=/etc/kafka/keystore.jks'], key: 'ssl.keystore.location', message: /TLS is not implemented/ },
    { lines: ['ssl.client.auth=none'], key: 'ssl.client.auth', message: /TLS is not implemented/ },
    { lines: ['sasl.enabled.mechanisms=PLAIN'], key: 'sasl.enabled.mechanisms', message: /SASL is not implemented/ },
    { lines: ['sasl.mechanism.inter.broker.protocol=PLAIN'], key: 'sasl.mechanism.inter.broker.protocol', message: /SASL is not implemented/ },
    { lines: ['listener.name.internal.ssl.keystore.location=/k'], key: 'listener.name.internal.ssl.keystore.location', message: /TLS/ },
    { lines: ['listener.name.sasl_ssl.plain.sasl.jaas.config=x'], key: 'listener.name.sasl_ssl.plain.sasl.jaas.config', message: /SASL/ },
    { lines: ['security.protocol=SASL_SSL'], key: 'security.protocol', message: /not implemented/ },
    { lines: ['authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer'], key: 'authorizer.class.name', message: /ACLs are not implemented/ },
  ];
  for (const { lines, key, message } of cases) {
    const all = [...base, ...lines];
    const line = all.findIndex((l) => l.startsWith(`${key}=`)) + 1;
    assert.throws(() => load(t, all), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.key, key, `${err.message} (${all.join(' ')})`);
      assert.equal(err.line, line, err.message);
      assert.match(err.message, new RegExp(`server\\.properties:${line} key "${key.replace(/\./g, '\\.')}": `));
      assert.match(err.message, message);
      return true;
    });
  }
});

test('parseListener normalises the name to upper case, as Kafka does', () => {
  assert.deepEqual(parseListener('controller://[::1]:9093'), { name: 'CONTROLLER', host: '::1', port: 9093 });
});
