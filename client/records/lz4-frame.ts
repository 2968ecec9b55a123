// LZ4 frames (the format Kafka's v2 batches use), via lz4-napi.
//
// The frame structure is walked here: lz4-napi's frame decoder accepts a frame whose end mark is
// cut off, and it is slow (about 3x slower than its block decoder on 16 KiB). So block-independent
// frames (what Kafka's Java client, librdkafka and lz4-napi write) are decoded block by block with
// the block decoder; anything else, or a block the block decoder refuses, goes through the frame
// decoder, whose verdict stands. Frame and block checksums are not checked on the block path: the
// batch's CRC32C already covers every compressed byte.
import { compressFrameSync, decompressFrameSync, uncompressSync } from 'lz4-napi';

const FRAME_MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
/** BD byte bits 4-6: 4 = 64 KiB ... 7 = 4 MiB. */
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
/** Room past the block size that lz4_flex's decoder wants for its wide copies. */
const BLOCK_OUTPUT_SLACK = 64;

export class Lz4FrameError extends Error {
  override readonly name = 'Lz4FrameError';
}

interface FrameLayout {
  /** Start and end of each block's payload, and whether it is stored uncompressed. */
  blocks: Array<{ start: number; end: number; stored: boolean; maxSize: number }>;
  independent: boolean;
  /** Upper bound of the output: each block yields at most its frame's block size. */
  maxOutput: number;
}

export function compressLz4(data: Buffer): Buffer {
  return compressFrameSync(data);
}

function walkFrames(data: Buffer): FrameLayout {
  const layout: FrameLayout = { blocks: [], independent: true, maxOutput: 0 };
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 7) throw new Lz4FrameError(`truncated frame header at ${pos}`);
    if (data.readUInt32LE(pos) !== FRAME_MAGIC) throw new Lz4FrameError(`no LZ4 frame magic at ${pos}`);
    const flg = data[pos + 4]!;
    const blockMax = BLOCK_MAX_SIZES[(data[pos + 5]! >> 4) & 0x07];
    if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01 || blockMax === undefined) {
      throw new Lz4FrameError(`unsupported frame descriptor at ${pos}`);
    }
    if ((flg & FLG_BLOCK_INDEPENDENCE) === 0) layout.independent = false;
    pos += 6 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0) + 1;
    const blockChecksum = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
    for (;;) {
      if (data.length - pos < 4) throw new Lz4FrameError(`frame cut off before its end mark at ${pos}`);
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = (word & ~BLOCK_UNCOMPRESSED_BIT) >>> 0;
      if (size > blockMax) throw new Lz4FrameError(`block of ${size} bytes exceeds the frame's ${blockMax}`);
      if (pos + size > data.length) throw new Lz4FrameError(`block at ${pos} runs past the end of the data`);
      layout.blocks.push({ start: pos, end: pos + size, stored: (word & BLOCK_UNCOMPRESSED_BIT) !== 0, maxSize: blockMax });
      pos += size + blockChecksum;
      layout.maxOutput += blockMax;
    }
    if (flg & FLG_CONTENT_CHECKSUM) pos += 4;
    if (pos > data.length) throw new Lz4FrameError(`frame runs past the end of the data (${data.length})`);
  }
  return layout;
}

/** Decodes independent blocks one by one; null when the block decoder refuses one. */
function decodeBlocks(data: Buffer, layout: FrameLayout): Buffer | null {
  const parts: Buffer[] = [];
  let total = 0;
  for (const block of layout.blocks) {
    let out: Buffer;
    if (block.stored) {
      out = data.subarray(block.start, block.end);
    } else {
      // uncompressSync reads lz4_flex's size-prepended block: a little-endian output capacity first.
      const input = Buffer.allocUnsafe(4 + block.end - block.start);
      input.writeUInt32LE(block.maxSize + BLOCK_OUTPUT_SLACK, 0);
      data.copy(input, 4, block.start, block.end);
      try {
        out = uncompressSync(input);
      } catch {
        return null;
      }
      if (out.length > block.maxSize) return null;
    }
    parts.push(out);
    total += out.length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

export function decompressLz4(data: Buffer, maxOutput: number): Buffer {
  const layout = walkFrames(data);
  if (layout.maxOutput > maxOutput) {
    throw new Lz4FrameError(`frames can expand to ${layout.maxOutput} bytes, more than ${maxOutput}`);
  }
  const fast = layout.independent ? decodeBlocks(data, layout) : null;
  return fast ?? decompressFrameSync(data);
}
