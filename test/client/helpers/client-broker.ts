// One real broker process per test file, on a free loopback port chosen here so that the address
// the broker advertises and the address clients bootstrap from are the same.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { useBrokers, type BrokerProcess } from '../../helpers/launcher.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startTestBroker(
  t: { after(fn: () => Promise<void> | void): void },
  config: Record<string, string> = {},
): Promise<BrokerProcess> {
  const port = await freePort();
  return useBrokers(t).start({ config: { listeners: `PLAINTEXT://127.0.0.1:${port}`, ...config } });
}

export function randomTopic(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Polls until `want` records arrived or the time is up. */
export async function pollUntil<T>(poll: (ms: number) => Promise<T[]>, want: number, timeoutMs = 10_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < want && Date.now() < deadline) out.push(...(await poll(Math.min(500, deadline - Date.now()))));
  return out;
}
