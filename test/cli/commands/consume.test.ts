// strait consume's group settings, as Kafka's console consumer settles them from its flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerSettings } from '../../../cli/commands/consume.js';
import { UsageError } from '../../../cli/cli-args.js';

const flags = (extra: Partial<Parameters<typeof consumerSettings>[0]> = {}) => ({ group: undefined, partition: undefined, fromBeginning: false, ...extra });

test('without --group: a throwaway console-consumer-NNNNN group that commits nothing', () => {
  const { groupId, options } = consumerSettings(flags({ fromBeginning: true }), {}, () => 12345);
  assert.equal(groupId, 'console-consumer-12345');
  assert.deepEqual(options, { 'client.id': 'console-consumer', 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false', 'group.id': 'console-consumer-12345' });
  assert.match(consumerSettings(flags(), {}).groupId!, /^console-consumer-\d{5}$/);
  assert.equal(consumerSettings(flags(), { 'enable.auto.commit': 'true' }).options['enable.auto.commit'], 'true', 'unless asked to');
});

test('--group G (or group.id as a consumer property): that group, committing', () => {
  assert.deepEqual(consumerSettings(flags({ group: 'billing' }), {}), {
    groupId: 'billing',
    options: { 'client.id': 'console-consumer', 'auto.offset.reset': 'latest', 'group.id': 'billing' },
  });
  assert.equal(consumerSettings(flags(), { 'group.id': 'billing' }).groupId, 'billing');
  assert.equal(consumerSettings(flags({ group: 'billing' }), { 'group.id': 'billing' }).groupId, 'billing');
});

test("--partition reads without a group; Kafka's refusals", () => {
  assert.equal(consumerSettings(flags({ partition: 0 }), {}).groupId, undefined);
  assert.throws(() => consumerSettings(flags({ group: 'a', partition: 0 }), {}), (e: Error) => e instanceof UsageError && e.message === 'Options group and partition cannot be specified together.');
  assert.throws(() => consumerSettings(flags({ group: 'a' }), { 'group.id': 'b' }), /do not match\. Detected group ids: 'a', 'b'/);
  assert.throws(() => consumerSettings(flags({ fromBeginning: true }), { 'auto.offset.reset': 'latest' }), /Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest'/);
});
