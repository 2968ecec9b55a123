// A TCP proxy between clients and one broker, for tests that need to break the link rather than the
// process: cut every open connection at once (both sockets destroyed mid-stream, whatever is on the
// wire is lost in either direction), refuse new connections (accepted, then reset), blackhole them
// (accepted and held, nothing forwarded, as a dropped route looks to the client), or let a request
// through and lose its answer (holdAnswersAfter: once the client has sent given bytes, nothing more
// comes back on any connection). Otherwise bytes pass through unchanged. Clients reach the broker through it only if the broker advertises the
// proxy's address (advertised.listeners), since clients connect to what metadata tells them.
import net from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface ProxyStats {
  /** Connections accepted, in every mode. */
  accepted: number;
  /** Connections closed by cutAll() (pairs, counted once). */
  cut: number;
  /** Connections reset on arrival while refusing. */
  refused: number;
  /** Connections held without forwarding while blackholing. */
  blackholed: number;
  /** Bytes from the target dropped by holdAnswersAfter. */
  answerBytesDropped: number;
  bytesToTarget: number;
  bytesToClient: number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** The last bytes sent to the target, so a marker split across two chunks is still seen. */
  sentTail: Buffer;
}

export class FaultProxy {
  readonly port: number;
  private readonly server: net.Server;
  private target: { host: string; port: number } | undefined;
  private mode: ProxyMode = 'pass';
  private modeTimer: NodeJS.Timeout | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<net.Socket>();
  /** holdAnswersAfter's marker, and whether a client has sent it yet. */
  private answerHold: { marker: Buffer; seen: boolean } | undefined;
  readonly stats: ProxyStats = { accepted: 0, cut: 0, refused: 0, blackholed: 0, answerBytesDropped: 0, bytesToTarget: 0, bytesToClient: 0 };

  private constructor(server: net.Server, port: number) {
    this.server = server;
    this.port = port;
  }

  /** Listens on 127.0.0.1 (port 0: any free port). The target may be set later, before clients come. */
  static async start(opts: { port?: number; target?: string } = {}): Promise<FaultProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const proxy = new FaultProxy(server, (server.address() as net.AddressInfo).port);
    if (opts.target !== undefined) proxy.setTarget(opts.target);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** 127.0.0.1:PORT, the address clients (and advertised.listeners) use. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  /** Open client connections (forwarded or held). */
  get openConnections(): number {
    return this.pairs.size + this.held.size;
  }

  /** host:port of the broker behind the proxy. */
  setTarget(address: string): void {
    const at = address.lastIndexOf(':');
    const port = Number(address.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new RangeError(`not a host:port address: ${address}`);
    this.target = { host: address.slice(0, at), port };
  }

  private accept(client: net.Socket): void {
    this.stats.accepted++;
    client.on('error', () => undefined);
    if (this.mode === 'refuse' || this.target === undefined) {
      this.stats.refused++;
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole') {
      this.stats.blackholed++;
      // Not reading leaves the client's bytes in the kernel buffers: nothing goes anywhere.
      client.pause();
      this.held.add(client);
      client.once('close', () => this.held.delete(client));
      return;
    }
    const pair: Pair = { client, upstream: undefined, sentTail: Buffer.alloc(0) };
    this.pairs.add(pair);
    const upstream = net.connect({ host: this.target.host, port: this.target.port });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      this.stats.bytesToTarget += chunk.length;
      this.watchForMarker(pair, chunk);
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.answerHold?.seen) {
        this.stats.answerBytesDropped += chunk.length;
        return;
      }
      this.stats.bytesToClient += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    // Half-closes pass through; a close or error on one side ends the other.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const close = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
  }

  private watchForMarker(pair: Pair, chunk: Buffer): void {
    const hold = this.answerHold;
    if (hold === undefined || hold.seen) return;
    const window = Buffer.concat([pair.sentTail, chunk]);
    if (window.includes(hold.marker)) hold.seen = true;
    pair.sentTail = window.subarray(Math.max(0, window.length - hold.marker.length + 1));
  }

  /**
   * From the moment a client sends `marker` (forwarded whole to the target), every byte the target
   * sends back, on every connection, is dropped: the target gets the request and acts on it, the
   * client never hears the answer. Until pass(); the connections stay open (cutAll() ends them).
   */
  holdAnswersAfter(marker: Buffer): void {
    if (marker.length === 0) throw new RangeError('the marker must not be empty');
    this.answerHold = { marker, seen: false };
  }

  /** True once a client has sent holdAnswersAfter's marker. */
  get answersHeld(): boolean {
    return this.answerHold?.seen === true;
  }

  /**
   * Destroys both sockets of every open connection at once (and drops any held by a blackhole):
   * requests and answers on the wire are lost. Returns how many connections were cut.
   */
  cutAll(): number {
    const pairs = [...this.pairs];
    this.pairs.clear();
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream?.destroy();
    }
    const held = [...this.held];
    this.held.clear();
    for (const socket of held) socket.destroy();
    this.stats.cut += pairs.length + held.length;
    return pairs.length + held.length;
  }

  /** New connections are reset on arrival for durationMs (or until pass()); open ones are untouched. */
  refuse(durationMs?: number): void {
    this.setMode('refuse', durationMs);
  }

  /** New connections are held and never forwarded for durationMs (or until pass()), then dropped. */
  blackhole(durationMs?: number): void {
    this.setMode('blackhole', durationMs);
  }

  /** Back to forwarding new connections and answers; connections held by a blackhole are dropped
   * (clients reconnect). Answers already dropped by holdAnswersAfter stay lost. */
  pass(): void {
    if (this.modeTimer) clearTimeout(this.modeTimer);
    this.modeTimer = undefined;
    this.mode = 'pass';
    this.answerHold = undefined;
    const held = [...this.held];
    this.held.clear();
    for (const socket of held) socket.destroy();
  }

  private setMode(mode: ProxyMode, durationMs: number | undefined): void {
    if (this.modeTimer) clearTimeout(this.modeTimer);
    this.modeTimer = undefined;
    this.mode = mode;
    if (durationMs !== undefined) this.modeTimer = setTimeout(() => this.pass(), durationMs);
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    this.pass();
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
