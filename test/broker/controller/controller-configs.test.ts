import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../client/errors.js';
import { InvalidConfigError } from '../../../broker/log/topic-config.js';
import { createTopics, incrementalAlterConfigs, type AlterConfigsOptions } from '../../../broker/controller/index.js';
import { TestController } from './fixtures.js';

const alterOptions: AlterConfigsOptions = {
  validateBrokerConfigs: (_name, overrides) => {
    for (const key of Object.keys(overrides)) if (key !== 'log.retention.ms') throw new InvalidConfigError(key, `Unknown broker config ${key}`);
  },
};

test('incremental alter configs: set, delete, append, subtract; validated; one record per changed key', () => {
  const c = new TestController();
  c.startBrokers(1);
  c.commit(createTopics(c.image, [{ name: 't', configs: { 'retention.ms': '100', 'segment.ms': '5000' } }],
    { defaults: { numPartitions: 1, replicationFactor: 1 }, random: c.random, newTopicId: c.newTopicId }));
  const result = incrementalAlterConfigs(c.image, [
    { resourceType: 'topic', resourceName: 't', ops: [
      { name: 'retention.ms', op: 'set', value: '200' }, { name: 'segment.ms', op: 'delete' },
      { name: 'cleanup.policy', op: 'append', value: 'compact' }, { name: 'max.message.bytes', op: 'set', value: '1000' },
    ] },
    { resourceType: 'topic', resourceName: 'missing', ops: [{ name: 'retention.ms', op: 'set', value: '1' }] },
    { resourceType: 'topic', resourceName: 't2', ops: [] },
    { resourceType: 'broker', resourceName: '', ops: [{ name: 'log.retention.ms', op: 'set', value: '1' }] },
    { resourceType: 'broker', resourceName: '1', ops: [{ name: 'bogus', op: 'set', value: '1' }] },
    { resourceType: 'broker', resourceName: 'x', ops: [{ name: 'log.retention.ms', op: 'set', value: '1' }] },
  ], alterOptions);
  assert.deepEqual(result.response.map((r) => r.errorCode), [
    ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE,
    ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_REQUEST,
  ]);
  assert.equal(result.records.length, 5);
  c.commitRecords(result.records);
  assert.deepEqual(c.image.topicConfigOverrides('t'), { 'retention.ms': '200', 'cleanup.policy': 'delete,compact', 'max.message.bytes': '1000' });
  assert.deepEqual(c.image.brokerConfigOverrides(''), { 'log.retention.ms': '1' });
  assert.deepEqual(c.image.brokerConfigOverrides('1'), {});

  const again = incrementalAlterConfigs(c.image, [{ resourceType: 'topic', resourceName: 't', ops: [
    { name: 'cleanup.policy', op: 'subtract', value: 'delete' }, { name: 'retention.ms', op: 'set', value: '200' },
  ] }], alterOptions);
  assert.equal(again.records.length, 1);
  c.commitRecords(again.records);
  assert.equal(c.image.topicConfigOverrides('t')['cleanup.policy'], 'compact');

  const refused = incrementalAlterConfigs(c.image, [
    { resourceType: 'topic', resourceName: 't', ops: [{ name: 'retention.ms', op: 'set', value: 'never' }] },
    { resourceType: 'topic', resourceName: 't', ops: [] },
  ], alterOptions);
  assert.deepEqual(refused.response.map((r) => r.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  const each = incrementalAlterConfigs(c.image, [
    { resourceType: 'topic', resourceName: 't', ops: [{ name: 'retention.ms', op: 'set', value: 'never' }] },
  ], alterOptions);
  assert.equal(each.response[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  const cases = [
    [{ name: 'retention.ms', op: 'append', value: '1' }],
    [{ name: 'retention.ms', op: 'set' }],
    [{ name: 'retention.ms', op: 'set', value: '1' }, { name: 'retention.ms', op: 'delete' }],
    [{ name: '__proto__', op: 'set', value: '1' }],
    [{ name: 'retention.ms', op: 'replace', value: '1' }],
  ] as const;
  for (const ops of cases) {
    const r = incrementalAlterConfigs(c.image, [{ resourceType: 'topic', resourceName: 't', ops: ops as never }], alterOptions);
    assert.notEqual(r.response[0]!.errorCode, ErrorCode.NONE, JSON.stringify(ops));
    assert.deepEqual(r.records, []);
  }
  const dry = incrementalAlterConfigs(c.image, [{ resourceType: 'topic', resourceName: 't', ops: [{ name: 'retention.ms', op: 'set', value: '9' }] }],
    { ...alterOptions, validateOnly: true });
  assert.equal(dry.response[0]!.errorCode, ErrorCode.NONE);
  assert.deepEqual(dry.records, []);
});
