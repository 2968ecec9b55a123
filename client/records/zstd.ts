// zstd through zstd-napi (libzstd built from source), with decompression bounded: zstd-napi's own
// one-shot decompress trusts the frame's declared content size and returns partial output for a
// truncated frame, neither of which is acceptable for bytes that came off the network.
import { createRequire } from 'node:module';
import { Compressor } from 'zstd-napi';

type ZstdBinding = typeof import('zstd-napi/binding.js');
// binding.js re-exports a native addon, whose names Node's ESM loader cannot see: load it with require.
const binding = createRequire(import.meta.url)('zstd-napi/binding.js') as ZstdBinding;
const STREAM_OUT_SIZE = binding.dStreamOutSize();

export class ZstdFrameError extends Error {
  override readonly name = 'ZstdFrameError';
}

let dctx: InstanceType<ZstdBinding['DCtx']> | undefined;

function context(): InstanceType<ZstdBinding['DCtx']> {
  dctx ??= new binding.DCtx();
  return dctx;
}

let compressor: Compressor | undefined;

export function compressZstd(data: Buffer): Buffer {
  // One long-lived compressor at zstd's default level (3, as Kafka's): zstd-napi's compress() resets
  // its context's parameters on every call, which costs more than compressing a small batch.
  compressor ??= new Compressor();
  return compressor.compress(data);
}

/** Sum of the frames' declared content sizes, or null when a frame does not declare one. */
function declaredSize(data: Buffer): number | null {
  let total = 0;
  let frame = data;
  while (frame.length > 0) {
    const size = binding.getFrameContentSize(frame);
    if (size === null) return null;
    total += size;
    frame = frame.subarray(binding.findFrameCompressedSize(frame));
  }
  return total;
}

export function decompressZstd(data: Buffer, maxOutput: number): Buffer {
  const ctx = context();
  ctx.reset(binding.ResetDirective.sessionOnly);
  const declared = declaredSize(data);
  if (declared !== null) {
    if (declared > maxOutput) throw new ZstdFrameError(`frames declare ${declared} bytes, more than ${maxOutput}`);
    const out = Buffer.allocUnsafe(declared);
    const written = ctx.decompress(out, data);
    if (written !== declared) throw new ZstdFrameError(`frames declare ${declared} bytes but hold ${written}`);
    return out;
  }
  // Frames written by a streaming compressor (Kafka's Java client) do not declare their size.
  const chunks: Buffer[] = [];
  let total = 0;
  let remaining = data;
  let frameDone = true;
  while (remaining.length > 0 || !frameDone) {
    const chunk = Buffer.allocUnsafe(Math.max(STREAM_OUT_SIZE, remaining.length));
    const [hint, produced, consumed] = ctx.decompressStream(chunk, remaining);
    if (produced === 0 && consumed === 0) throw new ZstdFrameError(`truncated frame (${remaining.length} bytes left)`);
    total += produced;
    if (total > maxOutput) throw new ZstdFrameError(`frames expand to more than ${maxOutput} bytes`);
    chunks.push(chunk.subarray(0, produced));
    remaining = remaining.subarray(consumed);
    frameDone = hint === 0;
  }
  // Copied into one exact-size buffer: decoded records are views of it, and a view of a mostly empty
  // STREAM_OUT_SIZE chunk would keep the whole chunk alive.
  return Buffer.concat(chunks, total);
}
