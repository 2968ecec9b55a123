// GET /metrics (Prometheus text), /healthz (the process is up) and /readyz (logs loaded and the gRPC
// port bound) on the metrics port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsEndpoint(options: {
  registry: Registry;
  host: string;
  port: number;
  ready: () => boolean;
  logger: Logger;
}): Promise<MetricsEndpoint> {
  const { registry, ready, logger } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'text/plain', 'ok\n');
    if (path === '/readyz') return ready() ? reply(200, 'text/plain', 'ready\n') : reply(503, 'text/plain', 'not ready\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        (err: unknown) => {
          logger.error({ err }, 'metrics collection failed');
          reply(500, 'text/plain', 'metrics collection failed\n');
        },
      );
      return;
    }
    reply(404, 'text/plain', 'not found\n');
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
