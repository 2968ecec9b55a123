// BrokerCore called directly (what any adapter does): wrong-typed fields are refused per item,
// fetch size limits, metadata for bad names. The broker runs in-process on a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { brokerConfigFromMap } from '../../../broker/config/broker-config.js';
import { startBroker } from '../../../broker/server.js';
import type { ProduceRequest__Output } from '../../../client/wire/generated/strait/v1/ProduceRequest.js';
import type { FetchRequest__Output } from '../../../client/wire/generated/strait/v1/FetchRequest.js';
import { batchOf } from '../../helpers/broker-calls.js';

const garbage = <T>(value: unknown): T => value as T;

test('broker core', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strait-core-'));
  const { config } = brokerConfigFromMap({ 'listeners': 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'metrics.port': '0' });
  const broker = await startBroker(config, { logger: pino({ level: 'silent' }) });
  t.after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const core = broker.core;
  const produce = (topic: unknown, partition: unknown, records: unknown): Promise<number> =>
    core.produce(garbage<ProduceRequest__Output>({ correlationId: 1, acks: 1, timeoutMs: 0, transactionalId: '', topics: [{ name: topic, partitions: [{ partition, records }] }] }))
      .then((r) => r.topics![0]!.partitions![0]!.errorCode as number);

  await t.test('wrong-typed produce fields get INVALID_REQUEST per item, never a throw', async () => {
    assert.equal(await produce(42, 0, batchOf(['x'])), ErrorCode.INVALID_REQUEST);
    assert.equal(await produce('typed', 0, 'not bytes'), ErrorCode.INVALID_REQUEST);
    assert.equal(await produce('typed', 'zero', batchOf(['x'])), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const whole = await core.produce(garbage({ correlationId: 2, acks: 1, topics: [null, { name: 'typed', partitions: 'nope' }] }));
    assert.equal(whole.topics!.length, 2);
    await assert.rejects(core.produce(garbage({ topics: 'not a list' })), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_REQUEST);
  });

  await t.test('fetch respects max_bytes and partition_max_bytes but always returns a whole first batch', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await produce('sizes', 0, batchOf([`v${i}`.padEnd(200, '.')])), ErrorCode.NONE);
    assert.equal(await produce('sizes', 0, batchOf(['tiny'])), ErrorCode.NONE);
    const oneBatch = batchOf(['v0'.padEnd(200, '.')]).length;
    const fetch = (maxBytes: number, partitionMaxBytes: number, fetchOffset = 0) => core.fetch(garbage<FetchRequest__Output>({
      correlationId: 7, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, rackId: '',
      topics: [{ name: 'sizes', partitions: [{ partition: 0, fetchOffset, partitionMaxBytes, logStartOffset: 0 }] }],
    }));
    const tiny = await fetch(10, 10);
    assert.equal((tiny.topics![0]!.partitions![0]!.records as Buffer).length, oneBatch, 'first batch whole even over the limits');
    const two = await fetch(oneBatch * 2 + 10, 1 << 20);
    assert.equal((two.topics![0]!.partitions![0]!.records as Buffer).length, oneBatch * 2);
    const all = await fetch(1 << 20, 1 << 20);
    assert.ok((all.topics![0]!.partitions![0]!.records as Buffer).length > oneBatch * 5);
    assert.equal(all.correlationId, 7);
  });

  await t.test('metadata: invalid names per topic, auto-create with the default partition count', async () => {
    const res = await core.metadata(garbage({ topics: ['bad name', 7, 'auto-md'], allTopics: false, allowAutoTopicCreation: true }));
    assert.deepEqual(res.topics!.map((x) => x.errorCode), [ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    assert.equal(res.topics![2]!.partitions!.length, 1);
  });

  await t.test('metadata auto-creates __consumer_offsets with its own settings (the coordinator\'s), not a user topic\'s defaults', async () => {
    const res = await core.metadata(garbage({ topics: ['__consumer_offsets'], allTopics: false, allowAutoTopicCreation: true }));
    assert.equal(res.topics![0]!.errorCode, ErrorCode.NONE);
    assert.equal(res.topics![0]!.partitions!.length, 50);
    assert.equal(res.topics![0]!.isInternal, true);
    const configs = await core.describeConfigs(garbage({ resources: [{ resourceType: 2, resourceName: '__consumer_offsets', configurationKeys: ['cleanup.policy'] }] }));
    assert.equal(configs.results![0]!.configs![0]!.value, 'compact');
  });

  await t.test('list offsets: earliest, latest, by time and max timestamp', async () => {
    const now = Date.now();
    await core.produce(garbage({ correlationId: 0, acks: 1, topics: [{ name: 'times', partitions: [{ partition: 0, records: batchOf(['a', 'b']) }] }] }));
    const ask = async (timestamp: unknown) => {
      const res = await core.listOffsets(garbage({ replicaId: -1, isolationLevel: 0, topics: [{ name: 'times', partitions: [{ partition: 0, timestamp }] }] }));
      return res.topics![0]!.partitions![0]!;
    };
    assert.equal((await ask(-2)).offset, 0);
    assert.equal((await ask(-1)).offset, 2);
    assert.equal((await ask(now - 60_000)).offset, 0);
    assert.equal((await ask(now + 3_600_000)).offset, -1);
    assert.equal((await ask(-3)).errorCode, ErrorCode.NONE);
    assert.equal((await ask('soon')).errorCode, ErrorCode.INVALID_REQUEST);
  });
});
