import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { fromTransportError } from '../../../client/cluster/grpc-errors.js';
import { ErrorCode, StraitError } from '../../../client/errors.js';

function serviceError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: undefined });
}

test('transport failures become retriable Kafka errors', () => {
  const unavailable = fromTransportError(serviceError(status.UNAVAILABLE, 'connection refused'), '127.0.0.1:1');
  assert.equal(unavailable.code, ErrorCode.NETWORK_EXCEPTION);
  assert.equal(unavailable.retriable, true);
  assert.match(unavailable.message, /connection refused \(127\.0\.0\.1:1\)/);
  assert.equal(fromTransportError(serviceError(status.DEADLINE_EXCEEDED, 'x')).code, ErrorCode.REQUEST_TIMED_OUT);
  assert.equal(fromTransportError(serviceError(status.RESOURCE_EXHAUSTED, 'x')).retriable, false);
  assert.equal(fromTransportError(new Error('socket hang up')).code, ErrorCode.NETWORK_EXCEPTION);
});

test('StraitErrors pass through unchanged', () => {
  const err = new StraitError(ErrorCode.MESSAGE_TOO_LARGE);
  assert.equal(fromTransportError(err), err);
});
