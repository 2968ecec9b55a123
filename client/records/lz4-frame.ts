// LZ4 frames (the format Kafka's v2 batches use), via lz4-napi. lz4-napi's decoder accepts a frame
// whose end mark is cut off, so the frame's structure is walked here first: every block present,
// the end mark and the optional content checksum in place, and the output bounded.
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

const FRAME_MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
/** BD byte bits 4-6: 4 = 64 KiB ... 7 = 4 MiB. */
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

export class Lz4FrameError extends Error {
  override readonly name = 'Lz4FrameError';
}

export function compressLz4(data: Buffer): Buffer {
  return compressFrameSync(data);
}

/** Checks the structure of the frames in data; returns the largest output they can produce. */
function walkFrames(data: Buffer): number {
  let pos = 0;
  let maxOutput = 0;
  while (pos < data.length) {
    if (data.length - pos < 7) throw new Lz4FrameError(`truncated frame header at ${pos}`);
    if (data.readUInt32LE(pos) !== FRAME_MAGIC) throw new Lz4FrameError(`no LZ4 frame magic at ${pos}`);
    const flg = data[pos + 4]!;
    const blockMax = BLOCK_MAX_SIZES[(data[pos + 5]! >> 4) & 0x07];
    if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01 || blockMax === undefined) {
      throw new Lz4FrameError(`unsupported frame descriptor at ${pos}`);
    }
    pos += 6 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0) + 1;
    const blockChecksum = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
    for (;;) {
      if (data.length - pos < 4) throw new Lz4FrameError(`frame cut off before its end mark at ${pos}`);
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = (word & ~BLOCK_UNCOMPRESSED_BIT) >>> 0;
      if (size > blockMax) throw new Lz4FrameError(`block of ${size} bytes exceeds the frame's ${blockMax}`);
      pos += size + blockChecksum;
      maxOutput += blockMax;
    }
    if (flg & FLG_CONTENT_CHECKSUM) pos += 4;
    if (pos > data.length) throw new Lz4FrameError(`frame runs past the end of the data (${data.length})`);
  }
  return maxOutput;
}

export function decompressLz4(data: Buffer, maxOutput: number): Buffer {
  // Each block yields at most its frame's block size: an upper bound, checked before anything inflates.
  const bound = walkFrames(data);
  if (bound > maxOutput) throw new Lz4FrameError(`frames can expand to ${bound} bytes, more than ${maxOutput}`);
  const out = decompressFrameSync(data);
  if (out.length > maxOutput) throw new Lz4FrameError(`frames expand to ${out.length} bytes, more than ${maxOutput}`);
  return out;
}
