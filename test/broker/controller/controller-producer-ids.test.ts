import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import { PRODUCER_ID_BLOCK_SIZE, allocateProducerIds } from '../../../broker/controller/index.js';
import { TestController } from './fixtures.js';

const code = (c: number) => (err: unknown) => err instanceof StraitError && err.code === c;

test('producer id blocks follow each other and need the current broker epoch', () => {
  const c = new TestController();
  c.startBrokers(2);
  const e1 = c.image.broker(1)!.brokerEpoch;
  const first = c.commit(allocateProducerIds(c.image, 1, e1));
  assert.deepEqual(first, { firstProducerId: 0, size: PRODUCER_ID_BLOCK_SIZE });
  const second = c.commit(allocateProducerIds(c.image, 2, c.image.broker(2)!.brokerEpoch));
  assert.deepEqual(second, { firstProducerId: 1000, size: 1000 });
  assert.equal(c.image.nextProducerId, 2000);
  assert.throws(() => allocateProducerIds(c.image, 1, e1 + 100), code(ErrorCode.STALE_BROKER_EPOCH));
  assert.throws(() => allocateProducerIds(c.image, 7, 0), code(ErrorCode.STALE_BROKER_EPOCH));
});
