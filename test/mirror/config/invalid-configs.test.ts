// Each invalid mirror config stops start-up with a MirrorConfigError naming the file, the line and the
// key. The files are written to disk and read by loadMirrorConfigFile, as `strait mirror --config` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../client/index.js';
import { loadMirrorConfigFile, MirrorConfigError } from '../../../mirror/index.js';

const HEAD = ['clusters = A, B', 'A.bootstrap.servers = 127.0.0.1:9092', 'B.bootstrap.servers = 127.0.0.1:9292', 'A->B.enabled = true'];

interface Case {
  name: string;
  /** File extension: properties unless said. */
  yaml?: boolean;
  lines: string[];
  key: string;
  line: number;
  problem: RegExp;
}

const CASES: Case[] = [
  { name: 'no clusters', lines: ['A.bootstrap.servers = h:1'], key: 'clusters', line: 0, problem: /is required/ },
  { name: 'empty clusters', lines: ['# c', 'clusters = , '], key: 'clusters', line: 2, problem: /names no cluster/ },
  { name: 'an alias a topic name cannot hold', lines: ['clusters = A, B C'], key: 'clusters', line: 1, problem: /alias "B C"/ },
  { name: 'an alias that is a client prefix', lines: ['clusters = A, consumer'], key: 'clusters', line: 1, problem: /alias "consumer" would make every consumer\.\* key mean two things/ },
  { name: 'an alias twice', lines: ['clusters = A, B, A'], key: 'clusters', line: 1, problem: /"A" appears twice/ },
  { name: 'a cluster without bootstrap servers', lines: ['clusters = A, B', 'A.bootstrap.servers = h:1'], key: 'B.bootstrap.servers', line: 1, problem: /cluster B .* has no bootstrap servers/ },
  { name: 'bootstrap servers that are not host:port', lines: ['clusters = A, B', 'A.bootstrap.servers = h:1', 'B.bootstrap.servers = just-a-host'], key: 'B.bootstrap.servers', line: 3, problem: /'just-a-host' is not host:port/ },
  { name: 'a flow to an undeclared alias', lines: [...HEAD, 'A->C.enabled = true'], key: 'A->C.enabled', line: 5, problem: /names cluster "C", which is not in clusters \(declared: A, B\)/ },
  { name: 'a flow from an undeclared alias', lines: [...HEAD, 'X->A.topics = t'], key: 'X->A.topics', line: 5, problem: /names cluster "X"/ },
  { name: 'A->A', lines: [...HEAD, 'A->A.enabled = true'], key: 'A->A.enabled', line: 5, problem: /cannot mirror into itself/ },
  { name: 'a flow key without a setting', lines: [...HEAD, 'B->A = true'], key: 'B->A', line: 5, problem: /no setting of it \(e\.g\. B->A\.enabled\)/ },
  { name: 'enabled that is not a boolean', lines: [...HEAD, 'B->A.enabled = yes'], key: 'B->A.enabled', line: 5, problem: /"yes" is not true or false/ },
  { name: 'a bad regex', lines: [...HEAD, 'A->B.topics = orders, foo('], key: 'A->B.topics', line: 5, problem: /"foo\(" is not a valid regular expression/ },
  { name: 'a bad regex in a layer no flow uses', lines: [...HEAD, 'B.groups.exclude = [a-'], key: 'B.groups.exclude', line: 5, problem: /"\[a-" is not a valid regular expression/ },
  { name: 'a bad legacy-named regex', lines: [...HEAD, 'topics.blacklist = *x'], key: 'topics.blacklist', line: 5, problem: /not a valid regular expression/ },
  { name: 'replication.factor 0', lines: [...HEAD, 'replication.factor = 0'], key: 'replication.factor', line: 5, problem: /0 is not a replication factor/ },
  { name: 'replication.factor not a number', lines: [...HEAD, 'A->B.replication.factor = three'], key: 'A->B.replication.factor', line: 5, problem: /"three" is not an integer/ },
  { name: 'a custom replication policy class', lines: [...HEAD, 'replication.policy.class = com.acme.MyPolicy'], key: 'replication.policy.class', line: 5, problem: /"com\.acme\.MyPolicy" is not a replication policy Strait has/ },
  { name: 'a separator with a slash', lines: [...HEAD, 'replication.policy.separator = /'], key: 'replication.policy.separator', line: 5, problem: /characters a topic name cannot hold/ },
  { name: 'a separator inside "heartbeats"', lines: [...HEAD, 'A->B.replication.policy.separator = at'], key: 'A->B.replication.policy.separator', line: 5, problem: /occurs in "heartbeats"/ },
  { name: 'an empty separator', lines: [...HEAD, 'replication.policy.separator ='], key: 'replication.policy.separator', line: 5, problem: /is empty/ },
  { name: 'an alias holding the separator', lines: ['clusters = us.west, B', 'us.west.bootstrap.servers = h:1', 'B.bootstrap.servers = h:2', 'us.west->B.enabled = true'], key: 'clusters', line: 1, problem: /us\.west->B: alias "us\.west" holds the separator "\."/ },
  { name: 'an alias holding a separator set for its flow', lines: ['clusters = a_, B', 'a_.bootstrap.servers = h:1', 'B.bootstrap.servers = h:2', 'a_->B.enabled = true', 'a_->B.replication.policy.separator = __'], key: 'a_->B.replication.policy.separator', line: 5, problem: /alias "a_" holds the separator "__" \(or the start of it\)/ },
  { name: 'offset-syncs.topic.location neither source nor target', lines: [...HEAD, 'offset-syncs.topic.location = middle'], key: 'offset-syncs.topic.location', line: 5, problem: /"middle" is not one of source, target/ },
  { name: 'use.defaults.from neither', lines: [...HEAD, 'A->B.use.defaults.from = both'], key: 'A->B.use.defaults.from', line: 5, problem: /"both" is not one of target, source/ },
  { name: 'an interval of 0 seconds', lines: [...HEAD, 'refresh.topics.interval.seconds = 0'], key: 'refresh.topics.interval.seconds', line: 5, problem: /0 is below the minimum 1/ },
  { name: 'a negative interval (MM2\'s "off")', lines: [...HEAD, 'B.emit.checkpoints.interval.seconds = -1'], key: 'B.emit.checkpoints.interval.seconds', line: 5, problem: /-1 is below the minimum 1/ },
  { name: 'an interval Node cannot time', lines: [...HEAD, 'emit.heartbeats.interval.seconds = 9999999'], key: 'emit.heartbeats.interval.seconds', line: 5, problem: /above the maximum 2147483/ },
  { name: 'a negative offset.lag.max', lines: [...HEAD, 'offset.lag.max = -1'], key: 'offset.lag.max', line: 5, problem: /-1 is below the minimum 0/ },
  { name: 'tasks.max 0', lines: [...HEAD, 'tasks.max = 0'], key: 'tasks.max', line: 5, problem: /0 is below the minimum 1/ },
  { name: 'offset.flush.interval.ms 0', lines: [...HEAD, 'offset.flush.interval.ms = 0'], key: 'offset.flush.interval.ms', line: 5, problem: /below the minimum 1/ },
  { name: 'a boolean setting that is not one', lines: [...HEAD, 'A->B.sync.group.offsets.enabled = on'], key: 'A->B.sync.group.offsets.enabled', line: 5, problem: /"on" is not true or false/ },
  { name: 'emit.offset-syncs off while checkpoints need them', lines: [...HEAD, 'emit.offset-syncs.enabled = false'], key: 'emit.offset-syncs.enabled', line: 5, problem: /false contradicts emit\.checkpoints\.enabled = true for A->B/ },
  { name: 'TLS at top level', lines: [...HEAD, 'ssl.truststore.location = /etc/ts.jks'], key: 'ssl.truststore.location', line: 5, problem: /TLS is not implemented/ },
  { name: 'a cluster\'s security.protocol', lines: [...HEAD, 'A.security.protocol = SASL_SSL'], key: 'A.security.protocol', line: 5, problem: /"SASL_SSL" is not implemented/ },
  { name: 'SASL in a cluster\'s consumer', lines: [...HEAD, 'B.consumer.sasl.jaas.config = x'], key: 'B.consumer.sasl.jaas.config', line: 5, problem: /SASL is not implemented/ },
  { name: 'TLS in a flow\'s target producer', lines: [...HEAD, 'A->B.target.producer.ssl.keystore.location = k'], key: 'A->B.target.producer.ssl.keystore.location', line: 5, problem: /TLS is not implemented/ },
  { name: 'a transform', lines: [...HEAD, 'A->B.transforms = dropHeaders'], key: 'A->B.transforms', line: 5, problem: /transforms are not implemented/ },
  { name: 'a custom topic filter class', lines: [...HEAD, 'topic.filter.class = com.acme.Filter'], key: 'topic.filter.class', line: 5, problem: /cannot be loaded/ },
  { name: 'a config provider placeholder', lines: [...HEAD, 'B.producer.client.id = ${file:/etc/secrets:id}'], key: 'B.producer.client.id', line: 5, problem: /config provider placeholder/ },
  { name: 'a consumer option the SDK refuses', lines: [...HEAD, 'A.consumer.auto.offset.reset = sometimes'], key: 'A.consumer.auto.offset.reset', line: 5, problem: /as a consumer option: auto\.offset\.reset: 'sometimes' is not one of latest, earliest, none/ },
  { name: 'a producer option the SDK refuses', lines: [...HEAD, 'B.producer.acks = 2'], key: 'B.producer.acks', line: 5, problem: /as a producer option: acks/ },
  { name: 'YAML: a bad value in a flow map', yaml: true, lines: ['clusters: [A, B]', 'A: {bootstrap.servers: "h:1"}', 'B: {bootstrap.servers: "h:2"}', '"A->B":', '  enabled: true', '  replication.factor: many'], key: 'A->B.replication.factor', line: 6, problem: /"many" is not an integer/ },
  { name: 'YAML: a flow to an undeclared alias', yaml: true, lines: ['clusters: A, B', 'A.bootstrap.servers: "h:1"', 'B.bootstrap.servers: "h:2"', '"A->C": {enabled: true}'], key: 'A->C.enabled', line: 4, problem: /names cluster "C"/ },
];

test('each invalid file stops start-up with a MirrorConfigError naming the file, the line and the key', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-invalid-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  CASES.forEach((c, i) => {
    const file = path.join(dir, `case-${i}.${c.yaml ? 'yaml' : 'properties'}`);
    writeFileSync(file, `${c.lines.join('\n')}\n`);
    assert.throws(() => loadMirrorConfigFile(file), (err: unknown) => {
      assert.ok(err instanceof MirrorConfigError, `${c.name}: ${String(err)}`);
      assert.ok(err instanceof ConfigError, 'a ConfigError, as the broker\'s, for the CLI to print');
      assert.equal(err.file, file, c.name);
      assert.equal(err.key, c.key, c.name);
      assert.equal(err.line, c.line, `${c.name}: ${err.message}`);
      assert.match(err.message, c.problem, c.name);
      const where = c.line > 0 ? `${file}:${c.line}` : file;
      assert.ok(err.message.startsWith(`${where} key "${c.key}": `), `${c.name}: ${err.message}`);
      return true;
    }, c.name);
  });
});

test('a file that cannot be read or parsed is a ConfigError with the file (and the line where there is one)', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-mirror-unreadable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'none.properties');
  assert.throws(() => loadMirrorConfigFile(missing), (err: unknown) => err instanceof ConfigError && err.file === missing);
  const badYaml = path.join(dir, 'bad.yaml');
  writeFileSync(badYaml, 'clusters: [A, B\n');
  assert.throws(() => loadMirrorConfigFile(badYaml), (err: unknown) => err instanceof ConfigError && err.file === badYaml && (err.line ?? 0) > 0);
});
