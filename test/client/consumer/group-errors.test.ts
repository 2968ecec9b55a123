// What a member does about each error its coordinator sends (Kafka's KIP-848 heartbeat handling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupErrorAction } from '../../../client/consumer/group-errors.js';
import { ErrorCode } from '../../../client/errors.js';

test('each coordinator error maps to Kafka\'s reaction', () => {
  const expected: [number, string][] = [
    [ErrorCode.NOT_COORDINATOR, 'find-coordinator'],
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, 'find-coordinator'],
    [ErrorCode.NETWORK_EXCEPTION, 'find-coordinator'],
    [ErrorCode.REQUEST_TIMED_OUT, 'find-coordinator'],
    [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'retry'],
    [ErrorCode.FENCED_MEMBER_EPOCH, 'rejoin-fenced'],
    [ErrorCode.UNKNOWN_MEMBER_ID, 'rejoin-unknown'],
    [ErrorCode.FENCED_INSTANCE_ID, 'fatal'],
    [ErrorCode.UNRELEASED_INSTANCE_ID, 'fatal'],
    [ErrorCode.GROUP_MAX_SIZE_REACHED, 'fatal'],
    [ErrorCode.INVALID_SESSION_TIMEOUT, 'fatal'],
    [ErrorCode.UNSUPPORTED_ASSIGNOR, 'fatal'],
    [ErrorCode.INVALID_REQUEST, 'fatal'],
    [ErrorCode.INVALID_GROUP_ID, 'fatal'],
    [ErrorCode.UNSUPPORTED_VERSION, 'fatal'],
    [ErrorCode.NOT_ENOUGH_REPLICAS, 'retry'],
    [ErrorCode.UNKNOWN_SERVER_ERROR, 'fatal'],
  ];
  for (const [code, action] of expected) assert.equal(groupErrorAction(code), action, String(code));
});
