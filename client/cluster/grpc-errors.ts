// gRPC status codes carry transport-level failure only (DESIGN §3); here they become the Kafka errors
// a Kafka client would see for the same failure, so retry logic looks at one kind of error.
import { status, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, StraitError, type ErrorCodeValue } from '../errors.js';

export function errorCodeForStatus(code: number): ErrorCodeValue {
  switch (code) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
    case status.ABORTED:
      return ErrorCode.NETWORK_EXCEPTION;
    case status.DEADLINE_EXCEEDED:
      return ErrorCode.REQUEST_TIMED_OUT;
    case status.RESOURCE_EXHAUSTED:
      return ErrorCode.MESSAGE_TOO_LARGE;
    case status.UNIMPLEMENTED:
      return ErrorCode.UNSUPPORTED_VERSION;
    case status.INVALID_ARGUMENT:
      return ErrorCode.INVALID_REQUEST;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/** Any error from a gRPC call as a StraitError; StraitErrors pass through. */
export function fromTransportError(err: unknown, address?: string): StraitError {
  if (err instanceof StraitError) return err;
  const where = address ? ` (${address})` : '';
  if (isServiceError(err)) {
    return new StraitError(errorCodeForStatus(err.code), `${err.details || err.message}${where}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StraitError(ErrorCode.NETWORK_EXCEPTION, `${message}${where}`, { cause: err });
}
