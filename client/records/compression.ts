// Compression codecs of the records section of a batch, as Kafka's v2 format defines them:
// gzip (node:zlib), snappy (xerial framing over the `snappy` package), lz4 (the LZ4 frame format,
// via `lz4-napi`, block-independent frames as Kafka writes them) and zstd (`zstd-napi`, standard frames).
import { gunzipSync, gzipSync } from 'node:zlib';
import { ErrorCode, StraitError } from '../errors.js';
import { CompressionType } from './batch-header.js';
import { compressLz4, decompressLz4 } from './lz4-frame.js';
import { compressXerial, uncompressSnappy } from './snappy-xerial.js';
import { compressZstd, decompressZstd } from './zstd.js';

/**
 * Largest records section a compressed batch may expand to. A batch is at most a few MiB on the wire;
 * this cap keeps a hostile "compression bomb" from taking the process's memory.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const NAMES: Record<CompressionType, string> = {
  [CompressionType.None]: 'none',
  [CompressionType.Gzip]: 'gzip',
  [CompressionType.Snappy]: 'snappy',
  [CompressionType.Lz4]: 'lz4',
  [CompressionType.Zstd]: 'zstd',
};

const BY_NAME = new Map<string, CompressionType>(
  Object.entries(NAMES).map(([type, name]) => [name, Number(type) as CompressionType]),
);

export const COMPRESSION_TYPES: readonly CompressionType[] = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

export function isCompressionType(type: number): type is CompressionType {
  return Number.isInteger(type) && type >= CompressionType.None && type <= CompressionType.Zstd;
}

export function compressionName(type: CompressionType): string {
  return NAMES[type] ?? `unknown(${type})`;
}

/** 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' (Kafka's compression.type names, any case). */
export function parseCompressionType(name: string): CompressionType {
  const type = BY_NAME.get(String(name).trim().toLowerCase());
  if (type === undefined) {
    throw new StraitError(
      ErrorCode.INVALID_CONFIG,
      `unknown compression type '${name}', expected one of ${[...BY_NAME.keys()].join(', ')}`,
    );
  }
  return type;
}

function unsupported(type: number): StraitError {
  return new StraitError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${type} is not supported`);
}

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipSync(data);
    case CompressionType.Snappy:
      return compressXerial(data);
    case CompressionType.Lz4:
      return compressLz4(data);
    case CompressionType.Zstd:
      return compressZstd(data);
    default:
      throw unsupported(type);
  }
}

function decompressWith(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gunzipSync(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    case CompressionType.Snappy:
      return uncompressSnappy(data, MAX_DECOMPRESSED_BYTES);
    case CompressionType.Lz4:
      return decompressLz4(data, MAX_DECOMPRESSED_BYTES);
    case CompressionType.Zstd:
      return decompressZstd(data, MAX_DECOMPRESSED_BYTES);
    default:
      throw unsupported(type);
  }
}

/**
 * Decompresses a records section. Garbage, truncated input or an output beyond
 * MAX_DECOMPRESSED_BYTES is CORRUPT_MESSAGE; a codec number Kafka does not define is
 * UNSUPPORTED_COMPRESSION_TYPE.
 */
export function decompress(type: CompressionType, data: Buffer): Buffer {
  if (!isCompressionType(type)) throw unsupported(type);
  let out: Buffer;
  try {
    out = decompressWith(type, data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StraitError(ErrorCode.CORRUPT_MESSAGE, `${NAMES[type]} decompression failed: ${reason}`, { cause: err });
  }
  if (out.length > MAX_DECOMPRESSED_BYTES) {
    throw new StraitError(
      ErrorCode.CORRUPT_MESSAGE,
      `${NAMES[type]} records expand to ${out.length} bytes, more than ${MAX_DECOMPRESSED_BYTES}`,
    );
  }
  return out;
}
