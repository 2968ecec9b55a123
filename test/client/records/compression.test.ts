import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compressSync as snappyBlock } from 'snappy';
import { CompressStream } from 'zstd-napi';
import { ErrorCode, StraitError } from '../../../client/errors.js';
import {
  COMPRESSION_TYPES,
  CompressionType,
  MAX_DECOMPRESSED_BYTES,
  compress,
  compressionName,
  decompress,
  parseCompressionType,
} from '../../../client/records/index.js';
import { isXerialFramed } from '../../../client/records/snappy-xerial.js';
import { decompressZstd } from '../../../client/records/zstd.js';

function isCorrupt(err: unknown): boolean {
  return err instanceof StraitError && err.code === ErrorCode.CORRUPT_MESSAGE;
}

/** Incompressible bytes from a fixed xorshift sequence. */
function noise(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('every codec round-trips any bytes', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...COMPRESSION_TYPES),
      fc.oneof(
        fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
        fc.integer({ min: 0, max: 200_000 }).map((n) => Buffer.alloc(n, 'abcdefgh')),
        fc.integer({ min: 0, max: 300_000 }).map(noise),
      ),
      (type, data) => {
        assert.deepEqual(decompress(type, compress(type, data)), data, compressionName(type));
      },
    ),
    { numRuns: 200 },
  );
});

test('snappy is written with xerial framing in 32 KiB blocks, as Kafka\'s Java client does', () => {
  const data = Buffer.alloc(70_000, 'kafka');
  const framed = compress(CompressionType.Snappy, data);
  assert.ok(isXerialFramed(framed));
  assert.deepEqual([...framed.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
  assert.equal(framed.readInt32BE(8), 1);
  assert.equal(framed.readInt32BE(12), 1);
  // Walk the chunks: three of them (32 KiB, 32 KiB, the rest).
  let pos = 16;
  let chunks = 0;
  while (pos < framed.length) {
    pos += 4 + framed.readInt32BE(pos);
    chunks++;
  }
  assert.equal(pos, framed.length);
  assert.equal(chunks, 3);
});

test('snappy decoding accepts a raw block and concatenated xerial streams', () => {
  const data = Buffer.from('hello snappy hello snappy hello snappy');
  assert.deepEqual(decompress(CompressionType.Snappy, snappyBlock(data)), data);
  const twice = Buffer.concat([compress(CompressionType.Snappy, data), compress(CompressionType.Snappy, data)]);
  assert.deepEqual(decompress(CompressionType.Snappy, twice), Buffer.concat([data, data]));
});

test('lz4 output is an LZ4 frame with independent blocks (what Kafka\'s KafkaLZ4BlockInputStream reads)', () => {
  const framed = compress(CompressionType.Lz4, Buffer.alloc(1000, 'x'));
  assert.equal(framed.readUInt32LE(0), 0x184d2204);
  assert.equal(framed[4]! & 0xc0, 0x40, 'frame version 01');
  assert.equal(framed[4]! & 0x20, 0x20, 'block independence');
});

test('lz4: multi-block frames, stored (incompressible) blocks and checksummed frames decode', () => {
  const random = noise(150_000);
  const framed = compress(CompressionType.Lz4, random);
  assert.ok(framed.readUInt32LE(7) & 0x80000000, 'the first block is stored uncompressed');
  assert.deepEqual(decompress(CompressionType.Lz4, framed), random);
  const text = Buffer.alloc(300_000, 'lz4 frame blocks ');
  assert.deepEqual(decompress(CompressionType.Lz4, compress(CompressionType.Lz4, text)), text);
  // A frame with a content checksum and 4 MiB blocks (as sarama writes): the bytes of one record.
  const sarama = Buffer.from([
    4, 34, 77, 24, 100, 112, 185, 21, 0, 0, 128, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2,
    6, 8, 9, 10, 4, 11, 12, 0, 0, 0, 0, 12, 59, 239, 146,
  ]);
  assert.deepEqual([...decompress(CompressionType.Lz4, sarama)], [40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12]);
  // A block whose size word runs past the data.
  const cut = Buffer.from(framed.subarray(0, 20));
  assert.throws(() => decompress(CompressionType.Lz4, cut), isCorrupt);
});

test('garbage and truncated input are CORRUPT_MESSAGE for every codec', () => {
  const garbage = Buffer.from('this is not compressed data at all, not even close');
  for (const type of COMPRESSION_TYPES) {
    if (type === CompressionType.None) continue;
    assert.throws(() => decompress(type, garbage), isCorrupt, compressionName(type));
    const good = compress(type, Buffer.alloc(5000, 'abc'));
    assert.throws(() => decompress(type, good.subarray(0, good.length - 3)), isCorrupt, `${compressionName(type)} truncated`);
  }
  assert.throws(() => decompress(CompressionType.Snappy, Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1])), isCorrupt);
});

test('an unknown codec is UNSUPPORTED_COMPRESSION_TYPE', () => {
  const unsupported = (err: unknown) => err instanceof StraitError && err.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  assert.throws(() => decompress(5 as CompressionType, Buffer.alloc(1)), unsupported);
  assert.throws(() => compress(7 as CompressionType, Buffer.alloc(1)), unsupported);
});

test('declared or actual output beyond the cap is refused before it is allocated', () => {
  // A raw snappy block whose preamble declares 4 GiB.
  const liar = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
  assert.throws(() => decompress(CompressionType.Snappy, liar), isCorrupt);
  const zeros = Buffer.alloc(2 << 20);
  assert.throws(() => decompressZstd(compress(CompressionType.Zstd, zeros), 1 << 20), /more than/);
  assert.equal(MAX_DECOMPRESSED_BYTES, 256 * 1024 * 1024);
  const gzipped = gzipSync(zeros);
  assert.deepEqual(decompress(CompressionType.Gzip, gzipped), zeros);
});

test('zstd frames without a declared size (streaming writers such as Kafka\'s) decode, bounded', async () => {
  const data = Buffer.alloc(300_000, 'zstd stream ');
  const stream = new CompressStream();
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  stream.end(data);
  await ended;
  const framed = Buffer.concat(parts);
  assert.deepEqual(decompress(CompressionType.Zstd, framed), data);
  assert.throws(() => decompressZstd(framed, 100_000), /more than/);
  assert.throws(() => decompress(CompressionType.Zstd, framed.subarray(0, framed.length - 4)), isCorrupt);
});

test('parseCompressionType knows Kafka\'s names and nothing else', () => {
  assert.equal(parseCompressionType('none'), CompressionType.None);
  assert.equal(parseCompressionType('gzip'), CompressionType.Gzip);
  assert.equal(parseCompressionType('snappy'), CompressionType.Snappy);
  assert.equal(parseCompressionType('LZ4'), CompressionType.Lz4);
  assert.equal(parseCompressionType(' zstd '), CompressionType.Zstd);
  assert.throws(() => parseCompressionType('brotli'), (err: unknown) => err instanceof StraitError && err.code === ErrorCode.INVALID_CONFIG);
  assert.throws(() => parseCompressionType(''), StraitError);
});
