// The one place where a thrown error becomes a per-partition (or per-topic) error code and message.
// StraitError carries Kafka's code; anything else is a bug or an I/O failure and is reported as
// UNKNOWN_SERVER_ERROR without leaking internals to the client.
import { ErrorCode, StraitError, type ErrorCodeValue } from '../../client/index.js';

export interface ErrorFields {
  errorCode: ErrorCodeValue;
  errorMessage: string;
}

export function errorFields(err: unknown): ErrorFields {
  if (err instanceof StraitError) return { errorCode: err.code as ErrorCodeValue, errorMessage: err.message };
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'The server experienced an unexpected error' };
}

/** True when err is not one of ours and should be logged as a server-side failure. */
export function isUnexpected(err: unknown): boolean {
  return !(err instanceof StraitError);
}

export function straitError(code: number, message?: string): StraitError {
  return new StraitError(code, message);
}
