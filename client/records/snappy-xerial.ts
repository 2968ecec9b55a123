// Snappy as Kafka's Java client writes it: xerial snappy-java's stream framing (SnappyOutputStream).
//
//   magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version int32 | min compatible version int32 |
//   then chunks: compressed length int32 (big endian) | raw snappy block
//
// Kafka brokers and librdkafka accept both this framing and a bare snappy block (what sarama and
// some other clients write), so decoding accepts both; encoding always writes the framing.
import { compressSync, uncompressSync } from 'snappy';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size: each chunk compresses at most this much input. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

export class SnappyFramingError extends Error {
  override readonly name = 'SnappyFramingError';
}

function startsWithMagic(data: Buffer, pos: number): boolean {
  if (data.length - pos < XERIAL_MAGIC.length) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) {
    if (data[pos + i] !== XERIAL_MAGIC[i]) return false;
  }
  return true;
}

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && startsWithMagic(data, 0);
}

export function compressXerial(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.allocUnsafe(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const chunk = data.subarray(pos, Math.min(pos + XERIAL_BLOCK_SIZE, data.length));
    const block = compressSync(chunk, { copyOutputData: true });
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** The uncompressed length a raw snappy block declares in its varint preamble. */
function declaredLength(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw new SnappyFramingError('snappy block without a valid length preamble');
}

function uncompressBlock(block: Buffer, budget: number): Buffer {
  // The native decoder allocates whatever the preamble declares: check it against what is left.
  const length = declaredLength(block);
  if (length > budget) throw new SnappyFramingError(`snappy block declares ${length} bytes, more than the ${budget} allowed`);
  // copyOutputData: an ordinary Buffer decodes faster than an external one, which the GC must finalize.
  return uncompressSync(block, { asBuffer: true, copyOutputData: true }) as Buffer;
}

/**
 * Decodes xerial-framed snappy (several concatenated streams included) or one raw snappy block,
 * refusing output beyond maxOutput bytes.
 */
export function uncompressSnappy(data: Buffer, maxOutput: number): Buffer {
  if (!isXerialFramed(data)) return uncompressBlock(data, maxOutput);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (pos < data.length) {
    // snappy-java reads a fresh stream header wherever one starts, so concatenated streams decode.
    if (startsWithMagic(data, pos)) {
      if (data.length - pos < XERIAL_HEADER_SIZE) throw new SnappyFramingError(`truncated xerial header at ${pos}`);
      pos += XERIAL_HEADER_SIZE;
      continue;
    }
    if (data.length - pos < 4) throw new SnappyFramingError(`truncated chunk length at ${pos}`);
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) {
      throw new SnappyFramingError(`chunk of ${length} bytes at ${pos - 4} runs past the end (${data.length})`);
    }
    const block = uncompressBlock(data.subarray(pos, pos + length), maxOutput - total);
    total += block.length;
    parts.push(block);
    pos += length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
