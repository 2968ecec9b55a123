// strait storage: format writes meta.properties into every log dir and refuses an already formatted
// one unless --ignore-formatted (then it leaves it as it is); random-uuid and info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runStorage } from '../../../cli/commands/storage.js';
import { UsageError } from '../../../cli/cli-args.js';
import { isClusterId, randomClusterId } from '../../../cli/local-cluster.js';
import { readMetaProperties } from '../../../broker/log/index.js';
import { runStrait } from '../../helpers/run-strait.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function storage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runStorage(args, out, err);
  return { code, stdout: out.text, stderr: err.text };
}

function nodeConfig(t: { after(fn: () => void): void }, nodeId: number): { file: string; dirs: string[] } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strait-storage-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dirs = [path.join(tmp, 'd1'), path.join(tmp, 'd2')];
  const file = path.join(tmp, 'server.properties');
  writeFileSync(file, `node.id=${nodeId}\nprocess.roles=broker,controller\nlog.dirs=${dirs.join(',')}\n`);
  return { file, dirs };
}

test('random-uuid prints a new Kafka-form cluster id each time', async () => {
  const a = await storage(['random-uuid']);
  const b = await storage(['random-uuid']);
  assert.equal(a.code, 0);
  assert.match(a.stdout, /^[A-Za-z0-9_-]{22}\n$/);
  assert.ok(isClusterId(a.stdout.trim()));
  assert.notEqual(a.stdout, b.stdout);
  assert.equal(isClusterId('not-an-id'), false);
  assert.equal(isClusterId('A'.repeat(23)), false);
});

test('format writes node.id and cluster.id into every log dir; info reads them back', async (t) => {
  const { file, dirs } = nodeConfig(t, 4);
  const id = randomClusterId();
  const r = await storage(['format', '--config', file, '--cluster-id', id]);
  assert.equal(r.code, 0, r.stderr);
  for (const dir of dirs) {
    assert.deepEqual(readMetaProperties(dir), { nodeId: 4, clusterId: id, version: 1 });
    assert.match(r.stdout, new RegExp(`Formatting ${dir.replace(/[/\\]/g, '.')} with cluster.id ${id} and node.id 4`));
  }
  const info = await storage(['info', '--config', file]);
  assert.equal(info.code, 0, info.stdout);
  assert.match(info.stdout, new RegExp(`cluster.id=${id}, node.id=4, version=1`));
});

test('format refuses a formatted dir (nothing written) unless --ignore-formatted, which leaves it as it is', async (t) => {
  const { file, dirs } = nodeConfig(t, 1);
  const first = randomClusterId();
  // Only d1 belongs to a cluster already.
  const d1Config = path.join(path.dirname(file), 'd1.properties');
  writeFileSync(d1Config, `node.id=1\nlog.dirs=${dirs[0]}\n`);
  assert.equal((await storage(['format', '--config', d1Config, '--cluster-id', first])).code, 0);
  const before = readFileSync(path.join(dirs[0]!, 'meta.properties'), 'utf8');

  const other = randomClusterId();
  const refused = await storage(['format', '--config', file, '--cluster-id', other]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`already formatted \\(cluster.id ${first}, node.id 1; asked for cluster.id ${other}`));
  assert.equal(readMetaProperties(dirs[1]!), undefined, 'a refused format wrote nothing');
  assert.equal(readFileSync(path.join(dirs[0]!, 'meta.properties'), 'utf8'), before);

  const ignored = await storage(['format', '--config', file, '--cluster-id', other, '--ignore-formatted']);
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.equal(readMetaProperties(dirs[0]!)?.clusterId, first);
  assert.equal(readMetaProperties(dirs[1]!)?.clusterId, other);

  // Two clusters in one node's dirs is a problem info reports.
  const info = await storage(['info', '--config', file]);
  assert.equal(info.code, 1);
  assert.match(info.stdout, /belong to different clusters/);
});

test('info reports an unformatted dir; bad arguments are usage errors that write nothing', async (t) => {
  const { file, dirs } = nodeConfig(t, 2);
  const info = await storage(['info', '--config', file]);
  assert.equal(info.code, 1);
  assert.match(info.stdout, /is not formatted/);
  await assert.rejects(storage(['format', '--config', file, '--cluster-id', 'abc']), (e: unknown) => e instanceof UsageError && /does not appear to be a valid UUID/.test(e.message));
  await assert.rejects(storage(['format', '--config', file]), UsageError);
  await assert.rejects(storage(['format', '--config', path.join(dirs[0]!, 'missing.properties'), '--cluster-id', randomClusterId()]), /cannot read the config file/);
  await assert.rejects(storage(['wipe']), /storage needs an action/);
  await assert.rejects(storage(['format', 'info', '--config', file]), /one action/);
  for (const dir of dirs) assert.equal(readMetaProperties(dir), undefined);
});

/** A cluster id that starts with '-', as about one in 64 of the ids older tools made did. */
function dashId(): string {
  const bytes = Buffer.from(randomClusterId(), 'base64url');
  bytes[0] = 0xf8 | (bytes[0]! & 0x03);
  const id = bytes.toString('base64url');
  assert.ok(id.startsWith('-') && isClusterId(id));
  return id;
}

test('format takes a cluster id that starts with -, in every spelling', async (t) => {
  for (const spelling of [(id: string) => ['--cluster-id', id], (id: string) => [`--cluster-id=${id}`], (id: string) => ['-t', id]]) {
    const { file, dirs } = nodeConfig(t, 3);
    const id = dashId();
    const r = await storage(['format', '--config', file, ...spelling(id)]);
    assert.equal(r.code, 0, r.stderr);
    for (const dir of dirs) assert.equal(readMetaProperties(dir)?.clusterId, id);
  }
});

test('the README recipe through the real CLI: random-uuid, then format with a - id as typed', async (t) => {
  const made = await runStrait(['storage', 'random-uuid']);
  assert.equal(made.code, 0, made.stderr);
  assert.ok(isClusterId(made.stdout.trim()) && !made.stdout.startsWith('-'));
  const { file, dirs } = nodeConfig(t, 5);
  const id = dashId();
  const r = await runStrait(['storage', 'format', '--config', file, '--cluster-id', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`with cluster.id ${id.replace(/[-]/g, '\\-')} and node.id 5`));
  for (const dir of dirs) assert.equal(readMetaProperties(dir)?.clusterId, id);
});
