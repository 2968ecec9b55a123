// Loads proto/*.proto at runtime with the exact options the generated types were made with
// (proto-options.json), so a field's runtime shape always matches its declared type.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as BrokerProto } from './generated/broker.js';
import type { ProtoGrpcType as AdminProto } from './generated/admin.js';
import type { ProtoGrpcType as QuorumProto } from './generated/quorum.js';
import type { ProtoGrpcType as ReplicaProto } from './generated/replica.js';
import type { ProtoGrpcType as GroupsProto } from './generated/groups.js';

/** Every service and message constructor of proto/*.proto, as grpc-js loads them. */
export type StraitProto = BrokerProto & AdminProto & QuorumProto & ReplicaProto & GroupsProto;

const require = createRequire(import.meta.url);
const jsonOptions = require('./proto-options.json') as Record<string, unknown>;
// JSON names the conversions ("Number", "String"); proto-loader wants the constructors themselves,
// and with a bare string it silently hands back Long objects for int64 fields.
const CONVERSIONS: Record<string, unknown> = { Number, String };
const loaderOptions = Object.fromEntries(
  Object.entries(jsonOptions).map(([k, v]) => [k, typeof v === 'string' && v in CONVERSIONS ? CONVERSIONS[v] : v]),
) as protoLoader.Options;

/** The proto/ folder, found from both the source tree and the compiled dist/ tree. */
export function protoDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // here = <root>/client/wire or <root>/dist/client/wire
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../../proto' : '../../proto';
  return path.resolve(here, up);
}

export const PROTO_FILES = ['common.proto', 'broker.proto', 'admin.proto', 'quorum.proto', 'replica.proto', 'groups.proto'] as const;

let cached: { definition: protoLoader.PackageDefinition; proto: StraitProto } | undefined;

export function loadProtos(): { definition: protoLoader.PackageDefinition; proto: StraitProto } {
  if (cached) return cached;
  const definition = protoLoader.loadSync([...PROTO_FILES], { ...loaderOptions, includeDirs: [protoDir()] });
  const proto = grpc.loadPackageDefinition(definition) as unknown as StraitProto;
  cached = { definition, proto };
  return cached;
}

/** Largest gRPC message either side accepts; a produce or fetch carries up to this many bytes. */
export const MAX_GRPC_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Client-side flow-control window (see shared notes: the default 64 KiB caps throughput 2-3x). */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

export function channelOptions(): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  };
}
