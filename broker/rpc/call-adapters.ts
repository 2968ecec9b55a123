// Turns core request functions into grpc-js handlers: unary calls and pipelined bidi streams. Every
// handler catches everything: a request the core rejects as a whole gets an error answer (a response
// with an error code where the message has one, else INVALID_ARGUMENT), an unexpected failure is
// logged and answered, and neither ends the process or, on a stream, the stream. Nothing a request
// causes may reach the process: an uncaught exception or rejection there stops the broker (DESIGN §12).
import * as grpc from '@grpc/grpc-js';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ErrorCode, StraitError, errorName } from '../../client/index.js';
import { MalformedRequest } from './tolerant-deserializer.js';
import { outcomeOf } from './request-outcome.js';

export interface RpcObserver {
  requestDone(rpc: string, seconds: number, error: string): void;
}

/** Counts requests being worked on, so shutdown can stop taking new ones and wait for the rest. */
export class RequestTracker {
  private active = 0;
  private waiters: (() => void)[] = [];
  draining = false;

  begin(): void {
    this.active++;
  }

  end(): void {
    this.active--;
    if (this.active === 0) for (const w of this.waiters.splice(0)) w();
  }

  get inFlight(): number {
    return this.active;
  }

  /** Resolves when nothing is in flight, or after timeoutMs. */
  idle(timeoutMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface AdapterDeps {
  observer: RpcObserver;
  logger: Logger;
  tracker: RequestTracker;
}

/** Builds the response that carries a request-level error, for messages that have a place for one. */
export type ErrorResponse<Res> = (code: number, message: string, correlationId: number) => Res;

function correlationOf(req: unknown): number {
  if (req instanceof MalformedRequest) return req.correlationId;
  const id = (req as { correlationId?: unknown } | null)?.correlationId;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : 0;
}

/** Runs one request to a response or a request-level error; never throws, never rejects. */
async function runOne<Req, Res>(
  rpc: string,
  req: unknown,
  run: (req: Req) => Promise<Res>,
  deps: AdapterDeps,
): Promise<{ ok: true; res: Res } | { ok: false; code: number; message: string }> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  deps.tracker.begin();
  try {
    return await answer<Req, Res>(rpc, req, run, deps, seconds);
  } finally {
    deps.tracker.end();
  }
}

async function answer<Req, Res>(
  rpc: string,
  req: unknown,
  run: (req: Req) => Promise<Res>,
  deps: AdapterDeps,
  seconds: () => number,
): Promise<{ ok: true; res: Res } | { ok: false; code: number; message: string }> {
  if (req instanceof MalformedRequest) {
    deps.observer.requestDone(rpc, seconds(), errorName(ErrorCode.INVALID_REQUEST));
    return { ok: false, code: ErrorCode.INVALID_REQUEST, message: `malformed ${rpc} request: ${req.reason}` };
  }
  try {
    const res = await run(req as Req);
    deps.observer.requestDone(rpc, seconds(), outcomeOf(res));
    return { ok: true, res };
  } catch (err) {
    if (err instanceof StraitError) {
      deps.observer.requestDone(rpc, seconds(), errorName(err.code));
      return { ok: false, code: err.code, message: err.message };
    }
    // A wrong-typed field reaching code that trusted it shows up as a TypeError: the request's fault.
    const code = err instanceof TypeError ? ErrorCode.INVALID_REQUEST : ErrorCode.UNKNOWN_SERVER_ERROR;
    deps.logger.error({ err, rpc }, 'request failed');
    deps.observer.requestDone(rpc, seconds(), errorName(code));
    return { ok: false, code, message: code === ErrorCode.INVALID_REQUEST ? `invalid ${rpc} request` : 'internal error' };
  }
}

function grpcStatusOf(code: number): grpc.status {
  switch (code) {
    case ErrorCode.INVALID_REQUEST:
    case ErrorCode.CORRUPT_MESSAGE:
      return grpc.status.INVALID_ARGUMENT;
    case ErrorCode.UNKNOWN_SERVER_ERROR:
      return grpc.status.INTERNAL;
    default:
      return grpc.status.FAILED_PRECONDITION;
  }
}

export function unary<Req, Res>(
  rpc: string,
  run: (req: Req, signal: AbortSignal) => Promise<Res>,
  deps: AdapterDeps,
  errorResponse?: ErrorResponse<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    if (deps.tracker.draining) {
      callback({ code: grpc.status.UNAVAILABLE, details: 'the broker is shutting down' });
      return;
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const req: unknown = call.request;
    void runOne<Req, Res>(rpc, req, (r) => run(r, abort.signal), deps).then((outcome) => {
      // grpc-js answers a response it cannot serialize with INTERNAL itself; this catch keeps any
      // other surprise in answering one call from becoming an unhandled rejection (which ends the process).
      try {
        if (outcome.ok) callback(null, outcome.res);
        else if (errorResponse) callback(null, errorResponse(outcome.code, outcome.message, correlationOf(req)));
        else callback({ code: grpcStatusOf(outcome.code), details: `${errorName(outcome.code)}: ${outcome.message}` });
      } catch (err) {
        deps.logger.error({ err, rpc }, 'answer failed');
      }
    });
  };
}

/**
 * A pipelined bidi stream: every request is answered with its correlation_id. With ordered=true the
 * answers leave in request order (produce); otherwise each leaves when ready (long-poll fetch).
 */
export function bidiStream<Req, Res>(
  rpc: string,
  run: (req: Req, signal: AbortSignal) => Promise<Res>,
  deps: AdapterDeps,
  errorResponse: ErrorResponse<Res>,
  ordered: boolean,
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    const abort = new AbortController();
    // Every parked fetch of the stream listens on this one signal; many in flight are normal.
    setMaxListeners(0, abort.signal);
    let open = true;
    let inFlight = 0;
    let ended = false;
    let tail: Promise<unknown> = Promise.resolve();
    const close = (): void => {
      open = false;
      abort.abort();
    };
    call.on('error', close);
    call.on('cancelled', close);
    const finishIfIdle = (): void => {
      if (open && ended && inFlight === 0) {
        open = false;
        call.end();
      }
    };
    // Never throws: with ordered=true a throw would reject the tail, and every later answer of the
    // stream would be skipped.
    const send = (req: unknown, outcome: Awaited<ReturnType<typeof runOne<Req, Res>>>): void => {
      inFlight--;
      try {
        if (open) call.write(outcome.ok ? outcome.res : errorResponse(outcome.code, outcome.message, correlationOf(req)));
        finishIfIdle();
      } catch (err) {
        deps.logger.error({ err, rpc }, 'stream write failed');
      }
    };
    call.on('data', (req: unknown) => {
      // While shutting down, new requests are left unanswered: the client resends them elsewhere.
      if (deps.tracker.draining) return;
      inFlight++;
      const pending = runOne<Req, Res>(rpc, req, (r) => run(r, abort.signal), deps);
      if (ordered) tail = tail.then(() => pending).then((outcome) => send(req, outcome));
      else void pending.then((outcome) => send(req, outcome));
    });
    call.on('end', () => {
      ended = true;
      finishIfIdle();
    });
  };
}

/** Where a session stream's answers go. */
export interface StreamSink<Res> {
  send(response: Res): void;
  end(): void;
}

/** The other end of a session stream: each message of the peer, and the stream's end. */
export interface StreamSession<Req> {
  receive(request: Req): void;
  /**
   * The peer is gone (halfClosed false: the call is over) or has stopped sending (halfClosed true:
   * it still reads; the session ends the sink once it has answered what it owes).
   */
  closed(halfClosed: boolean): void;
}

/** How long a half-closed session stream may take to answer what it owes before the call ends anyway. */
const HALF_CLOSED_GRACE_MS = 10_000;

/**
 * A bidi stream that is a session rather than a pipeline (GroupStream): messages are handed to the
 * session one by one, and the session answers when and as often as it wants, pushes included. A
 * message the session refuses (or bytes that do not decode) gets an error answer and the stream
 * carries on; an unexpected failure is logged and answered the same way. A peer that half-closes
 * still gets what the session owes it (at most HALF_CLOSED_GRACE_MS more). Each message counts in
 * the request metrics; the stream itself is not a request in flight, so shutdown does not wait for it.
 */
export function sessionStream<Req, Res>(
  rpc: string,
  open: (sink: StreamSink<Res>) => StreamSession<Req>,
  deps: AdapterDeps,
  errorResponse: ErrorResponse<Res>,
): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    let writable = true;
    const sink: StreamSink<Res> = {
      send: (response) => {
        if (!writable) return;
        try {
          call.write(response);
        } catch (err) {
          deps.logger.error({ err, rpc }, 'stream write failed');
        }
      },
      end: () => {
        if (!writable) return;
        writable = false;
        call.end();
      },
    };
    const session = open(sink);
    let ended = false;
    const close = (): void => {
      if (ended) return;
      ended = true;
      session.closed(false);
      sink.end();
    };
    call.on('error', close);
    call.on('cancelled', close);
    call.on('end', () => {
      if (ended) return;
      ended = true;
      session.closed(true);
      setTimeout(() => sink.end(), HALF_CLOSED_GRACE_MS).unref();
    });
    call.on('data', (req: unknown) => {
      // While shutting down, messages are left unanswered: the member finds its new coordinator.
      if (deps.tracker.draining || ended) return;
      const started = performance.now();
      deps.tracker.begin();
      let outcome = 'NONE';
      try {
        if (req instanceof MalformedRequest) {
          outcome = errorName(ErrorCode.INVALID_REQUEST);
          sink.send(errorResponse(ErrorCode.INVALID_REQUEST, `malformed ${rpc} message: ${req.reason}`, 0));
        } else {
          session.receive(req as Req);
        }
      } catch (err) {
        const code = err instanceof StraitError ? err.code : err instanceof TypeError ? ErrorCode.INVALID_REQUEST : ErrorCode.UNKNOWN_SERVER_ERROR;
        if (!(err instanceof StraitError)) deps.logger.error({ err, rpc }, 'stream message failed');
        outcome = errorName(code);
        const message = err instanceof StraitError ? err.message : code === ErrorCode.INVALID_REQUEST ? `invalid ${rpc} message` : 'internal error';
        sink.send(errorResponse(code, message, 0));
      } finally {
        deps.tracker.end();
        deps.observer.requestDone(rpc, (performance.now() - started) / 1000, outcome);
      }
    });
  };
}
