// What a group member does about an error from its coordinator, as Kafka's consumer does it
// (KIP-848's heartbeat error handling): find the coordinator again, try the same one later, abandon
// every partition and rejoin (fenced: keep the member id; unknown: get a new one), or give up and
// raise the error from poll().
import { ErrorCode, isRetriable } from '../errors.js';

export type GroupErrorAction = 'find-coordinator' | 'retry' | 'rejoin-fenced' | 'rejoin-unknown' | 'fatal';

export function groupErrorAction(code: number): GroupErrorAction {
  switch (code) {
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.REQUEST_TIMED_OUT:
      return 'find-coordinator';
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      return 'retry';
    case ErrorCode.FENCED_MEMBER_EPOCH:
      return 'rejoin-fenced';
    case ErrorCode.UNKNOWN_MEMBER_ID:
      return 'rejoin-unknown';
    default:
      // INVALID_REQUEST, GROUP_MAX_SIZE_REACHED, UNSUPPORTED_ASSIGNOR, UNSUPPORTED_VERSION,
      // INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, FENCED_INSTANCE_ID, UNRELEASED_INSTANCE_ID, ...
      // are fatal; an error the table calls retriable is tried again later.
      return isRetriable(code) ? 'retry' : 'fatal';
  }
}
