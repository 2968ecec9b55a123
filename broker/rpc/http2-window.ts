// Raises the HTTP/2 flow-control windows of the gRPC server's connections.
//
// Why: grpc-js ignores 'grpc-node.flow_control_window' on the server side and keeps HTTP/2's default
// 64 KiB receive window, which caps produce and follower-fetch request streams at a fraction of what
// the machine can carry (measured in /work/shared/notes/grpc-js-throughput.md: bidi 1 MiB messages
// 266 -> 838 MB/s with 16 MiB windows). grpc-js gives no public way to reach its node:http2 servers,
// so this module reads the private `http2Servers` map (grpc-js 1.14) and tunes every new session.
// It is the only place that touches grpc-js internals; test/broker/rpc/http2-window.test.ts checks a
// real session's window so that a grpc-js upgrade that moves the map fails loudly.
import type * as grpc from '@grpc/grpc-js';
import type { Http2Server, Http2Session } from 'node:http2';

interface GrpcServerInternals {
  http2Servers?: Map<Http2Server, { sessions: Set<Http2Session> }>;
}

/** The node:http2 servers behind a bound grpc-js Server. Throws when grpc-js no longer has them. */
export function http2ServersOf(server: grpc.Server): Http2Server[] {
  const map = (server as unknown as GrpcServerInternals).http2Servers;
  if (!(map instanceof Map)) {
    throw new Error('grpc-js internals changed: Server.http2Servers is gone; update broker/rpc/http2-window.ts');
  }
  return [...map.keys()];
}

/** Live HTTP/2 sessions of the server (for tests and diagnostics). */
export function http2SessionsOf(server: grpc.Server): Http2Session[] {
  const map = (server as unknown as GrpcServerInternals).http2Servers;
  if (!(map instanceof Map)) return [];
  return [...map.values()].flatMap((entry) => [...entry.sessions]);
}

function tune(session: Http2Session, windowBytes: number): void {
  const apply = (): void => {
    try {
      session.settings({ initialWindowSize: windowBytes });
      session.setLocalWindowSize(windowBytes);
    } catch {
      // The session closed before it was tuned; nothing to do.
    }
  };
  // setLocalWindowSize needs the connection established; sessions of a TCP server are, but be safe.
  if ((session as Http2Session & { connecting?: boolean }).connecting) session.once('connect', apply);
  else apply();
}

/**
 * Tunes the stream and connection receive windows of every session the server accepts from now on
 * (call right after bindAsync resolves). Returns how many http2 servers were hooked.
 */
export function raiseServerFlowControlWindow(server: grpc.Server, windowBytes: number): number {
  const servers = http2ServersOf(server);
  for (const s of servers) s.on('session', (session: Http2Session) => tune(session, windowBytes));
  // Sessions accepted between listen() and this call (a client retrying a fixed port) are tuned too.
  for (const session of http2SessionsOf(server)) tune(session, windowBytes);
  return servers.length;
}
