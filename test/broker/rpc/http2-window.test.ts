// The server-side HTTP/2 window workaround reaches grpc-js internals; this catches a grpc-js upgrade
// that breaks it by reading a real session's windows after a call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { http2SessionsOf, raiseServerFlowControlWindow } from '../../../broker/rpc/http2-window.js';

const WINDOW = 16 * 1024 * 1024;
const identity = (b: Buffer): Buffer => b;
const echoService: grpc.ServiceDefinition = {
  Echo: {
    path: '/test.Echo/Echo', requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  },
};

async function serverWithOneCall(t: { after(fn: () => void): void }, tuned: boolean): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.addService(echoService, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  if (tuned) assert.equal(raiseServerFlowControlWindow(server, WINDOW), 1);
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(() => {
    client.close();
    server.forceShutdown();
  });
  const payload = Buffer.alloc(256 * 1024, 1);
  const echoed = await new Promise<Buffer>((resolve, reject) =>
    client.makeUnaryRequest('/test.Echo/Echo', identity, identity, payload, (err, res) => (err ? reject(err) : resolve(res!))));
  assert.equal(echoed.length, payload.length);
  return server;
}

test('every accepted session gets the raised stream and connection windows', async (t) => {
  const server = await serverWithOneCall(t, true);
  const sessions = http2SessionsOf(server);
  assert.equal(sessions.length, 1, 'grpc-js still keeps its sessions where http2-window.ts looks');
  const session = sessions[0]!;
  assert.equal(session.localSettings.initialWindowSize, WINDOW);
  assert.ok((session.state.localWindowSize ?? 0) >= WINDOW - 512 * 1024, `connection window ${session.state.localWindowSize}`);
});

test('without the workaround the server keeps the 64 KiB default (what the test guards against)', async (t) => {
  const server = await serverWithOneCall(t, false);
  const session = http2SessionsOf(server)[0]!;
  assert.equal(session.localSettings.initialWindowSize, 65_535);
  assert.ok((session.state.localWindowSize ?? 0) <= 65_535);
});
