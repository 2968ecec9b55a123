// The fault proxy in front of a plain TCP echo server: bytes pass unchanged both ways; cutAll()
// closes both sides of every open connection at once; while refusing, a new connection is reset;
// while blackholing, a new connection is held and nothing reaches the server; holding answers, what
// the client sends arrives and nothing comes back; pass() restores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { waitFor } from '../cluster/cluster-kit.js';

interface EchoServer {
  address: string;
  /** Server-side sockets, open or closed. */
  sockets: net.Socket[];
  close(): Promise<void>;
}

async function echoServer(): Promise<EchoServer> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Client {
  socket: net.Socket;
  received: () => string;
  closed: Promise<unknown>;
}

/** A client connection through the proxy that collects what comes back; a reset only closes it. */
function dial(proxy: FaultProxy): Client {
  const socket = net.connect(proxy.port, '127.0.0.1');
  socket.on('error', () => undefined);
  let data = '';
  socket.setEncoding('utf8').on('data', (d: string) => (data += d));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  return { socket, received: () => data, closed };
}

/** dial(), once connected. */
async function connect(proxy: FaultProxy): Promise<Client> {
  const client = dial(proxy);
  await once(client.socket, 'connect');
  return client;
}

async function setup(t: { after(fn: () => Promise<void>): void }): Promise<{ server: EchoServer; proxy: FaultProxy }> {
  const server = await echoServer();
  const proxy = await FaultProxy.start({ target: server.address });
  t.after(async () => {
    await proxy.close();
    await server.close();
  });
  return { server, proxy };
}

test('bytes pass through unchanged, both ways, and are counted', async (t) => {
  const { proxy } = await setup(t);
  const c = await connect(proxy);
  const payload = 'x'.repeat(200_000);
  c.socket.write(payload);
  await waitFor('the echo of 200 kB', () => c.received().length === payload.length, 10_000, 10);
  assert.equal(c.received(), payload);
  assert.equal(proxy.stats.bytesToTarget, payload.length);
  assert.equal(proxy.stats.bytesToClient, payload.length);
  c.socket.end();
  await c.closed;
});

test('cutAll closes both sides of every open connection mid-stream, and new connections work after', async (t) => {
  const { server, proxy } = await setup(t);
  const a = await connect(proxy);
  const b = await connect(proxy);
  a.socket.write('before');
  await waitFor('the first echo', () => a.received() === 'before', 5_000, 10);
  await waitFor('both connections reach the server', () => server.sockets.length === 2, 5_000, 10);
  assert.equal(proxy.openConnections, 2);
  assert.equal(proxy.cutAll(), 2);
  await Promise.all([a.closed, b.closed]);
  await waitFor('the server side closed too', () => server.sockets.every((s) => s.destroyed), 5_000, 10);
  assert.equal(proxy.stats.cut, 2);
  const c = await connect(proxy);
  c.socket.write('after');
  await waitFor('an echo on a new connection', () => c.received() === 'after', 5_000, 10);
  c.socket.destroy();
});

test('refuse resets new connections without reaching the server; open ones stay; pass restores', async (t) => {
  const { server, proxy } = await setup(t);
  const open = await connect(proxy);
  await waitFor('the first connection reaches the server', () => server.sockets.length === 1, 5_000, 10);
  proxy.refuse();
  const refused = dial(proxy);
  refused.socket.write('ignored');
  await refused.closed;
  assert.equal(refused.received(), '');
  assert.equal(proxy.stats.refused, 1);
  assert.equal(server.sockets.length, 1);
  open.socket.write('still');
  await waitFor('the open connection still echoes', () => open.received() === 'still', 5_000, 10);
  proxy.pass();
  const later = await connect(proxy);
  later.socket.write('back');
  await waitFor('an echo after pass()', () => later.received() === 'back', 5_000, 10);
  open.socket.destroy();
  later.socket.destroy();
});

test('blackhole holds new connections without forwarding a byte, and drops them when it ends', async (t) => {
  const { server, proxy } = await setup(t);
  proxy.blackhole(300);
  const held = await connect(proxy);
  held.socket.write('into the void');
  await held.closed;
  assert.equal(held.received(), '');
  assert.equal(server.sockets.length, 0, 'nothing reached the server');
  assert.equal(proxy.stats.blackholed, 1);
  assert.equal(proxy.currentMode, 'pass');
  const after = await connect(proxy);
  after.socket.write('back');
  await waitFor('an echo after the blackhole', () => after.received() === 'back', 5_000, 10);
  after.socket.destroy();
});

test('holdAnswersAfter: the request with the marker reaches the server, and no answer comes back on any connection until pass', async (t) => {
  const { server, proxy } = await setup(t);
  const a = await connect(proxy);
  const b = await connect(proxy);
  a.socket.write('hello');
  await waitFor('the first echo', () => a.received() === 'hello', 5_000, 10);
  proxy.holdAnswersAfter(Buffer.from('MARK'));
  // Half the marker: answers still flow.
  a.socket.write('xxMA');
  await waitFor('the echo before the marker is complete', () => a.received() === 'helloxxMA', 5_000, 10);
  assert.equal(proxy.answersHeld, false);
  a.socket.write('RKyy');
  await waitFor('the marker seen', () => proxy.answersHeld, 5_000, 10);
  b.socket.write('other');
  await waitFor('the server echoed both and the proxy dropped both echoes', () => proxy.stats.answerBytesDropped === 'RKyy'.length + 'other'.length, 5_000, 10);
  assert.equal(server.sockets.reduce((n, s) => n + s.bytesRead, 0), 'hello'.length + 'xxMARKyy'.length + 'other'.length);
  assert.deepEqual([a.received(), b.received()], ['helloxxMA', '']);
  proxy.pass();
  assert.equal(proxy.cutAll(), 2);
  await Promise.all([a.closed, b.closed]);
  const c = await connect(proxy);
  c.socket.write('after');
  await waitFor('an echo after pass()', () => c.received() === 'after', 5_000, 10);
  c.socket.destroy();
});
