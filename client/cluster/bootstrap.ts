// bootstrap.servers: `host:port,host:port`, as Kafka clients take it.
import { InvalidConfigError } from './config-values.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

export function formatAddress(address: BrokerAddress): string {
  // IPv6 literals need brackets in a gRPC target.
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function parseOne(entry: string): BrokerAddress {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(entry);
  const plain = /^([^:\s\[\]]+):(\d+)$/.exec(entry);
  const match = bracketed ?? plain;
  if (!match) {
    throw new InvalidConfigError('bootstrap.servers', `'${entry}' is not host:port`);
  }
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidConfigError('bootstrap.servers', `port ${match[2]} in '${entry}' is outside 1..65535`);
  }
  return { host: match[1]!, port };
}

/** Parses a comma-separated list (an array of entries is accepted too); at least one address. */
export function parseBootstrapServers(value: string | readonly string[]): BrokerAddress[] {
  const entries = (typeof value === 'string' ? value.split(',') : [...value])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new InvalidConfigError('bootstrap.servers', 'at least one host:port is required');
  return entries.map(parseOne);
}
