// Kafka's zigzag varints (ByteUtils.writeVarint / writeVarlong), written and read in place.
// Varlongs stay JS numbers: every value we encode is a safe integer, so zigzag(v) <= 2^54 and is
// still exact; a varlong on the wire that decodes beyond the safe range is reported as corrupt.
import { ErrorCode, StraitError } from '../errors.js';

const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;
const TWO_27 = 2 ** 27;

/** Bytes taken by the zigzag varint of a signed 32-bit value. */
export function sizeOfVarint(value: number): number {
  const zz = ((value << 1) ^ (value >> 31)) >>> 0;
  if (zz < 0x80) return 1;
  if (zz < 0x4000) return 2;
  if (zz < 0x200000) return 3;
  if (zz < 0x10000000) return 4;
  return 5;
}

/** Bytes taken by the zigzag varlong of a safe integer. */
export function sizeOfVarlong(value: number): number {
  if (value >= -TWO_31 && value < TWO_31) return sizeOfVarint(value);
  let zz = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zz >= 0x80) {
    zz = Math.floor(zz / 0x80);
    bytes++;
  }
  return bytes;
}

/** Writes the zigzag varint of a signed 32-bit value at pos; returns the position after it. */
export function writeVarint(buf: Buffer, value: number, pos: number): number {
  let zz = ((value << 1) ^ (value >> 31)) >>> 0;
  while (zz >= 0x80) {
    buf[pos++] = (zz & 0x7f) | 0x80;
    zz >>>= 7;
  }
  buf[pos++] = zz;
  return pos;
}

/** Writes the zigzag varlong of a safe integer at pos; returns the position after it. */
export function writeVarlong(buf: Buffer, value: number, pos: number): number {
  if (value >= -TWO_31 && value < TWO_31) return writeVarint(buf, value, pos);
  // zigzag(value) can be odd and above 2^53, beyond what a double holds: work on two 32-bit halves.
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  const sign = hi < 0 ? 0xffffffff : 0;
  let zzLo = ((lo << 1) ^ sign) >>> 0;
  let zzHi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  while (zzHi !== 0 || zzLo >= 0x80) {
    buf[pos++] = (zzLo & 0x7f) | 0x80;
    zzLo = ((zzLo >>> 7) | (zzHi << 25)) >>> 0;
    zzHi >>>= 7;
  }
  buf[pos++] = zzLo;
  return pos;
}

function corrupt(message: string): StraitError {
  return new StraitError(ErrorCode.CORRUPT_MESSAGE, message);
}

/**
 * A cursor over a byte range that reads Kafka varints. Reading past `end` or a varint longer than
 * Kafka allows throws StraitError(CORRUPT_MESSAGE): the bytes came from outside.
 */
export class VarintReader {
  pos: number;
  end: number;
  readonly buf: Buffer;

  constructor(buf: Buffer, pos: number, end: number) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  // One- and two-byte varints (small lengths, deltas and counts: nearly every varint of a record) are
  // read here, small enough for V8 to inline into the record loops; longer ones take the slow path.
  // A one-byte varint may be the range's last byte (a record's header count): the fast path must
  // not ask for a second byte before it knows it needs one.
  readVarint(): number {
    const pos = this.pos;
    const end = this.end;
    if (pos < end) {
      const buf = this.buf;
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
      if (pos + 1 < end) {
        const b2 = buf[pos + 1]!;
        if (b2 < 0x80) {
          this.pos = pos + 2;
          const zz = (b & 0x7f) | (b2 << 7);
          return (zz >>> 1) ^ -(zz & 1);
        }
      }
    }
    return this.readLongVarint();
  }

  readVarlong(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
    }
    return this.readLongVarlong();
  }

  private readLongVarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) throw corrupt(`varint runs past the end of the records at ${pos}`);
      const b = buf[pos++]!;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw corrupt(`varint longer than 5 bytes at ${this.pos}`);
    }
    this.pos = pos;
    return (value >>> 1) ^ -(value & 1);
  }

  private readLongVarlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    // The low 28 bits gather exactly in an int; the rest, as a double, scaled at the end, so that an
    // odd zigzag value above 2^53 still decodes exactly.
    let low = 0;
    let high = 0;
    let multiplier = 1;
    for (let i = 0; ; i++) {
      if (pos >= end) throw corrupt(`varlong runs past the end of the records at ${pos}`);
      if (i === 10) throw corrupt(`varlong longer than 10 bytes at ${this.pos}`);
      const b = buf[pos++]!;
      if (i < 4) {
        low |= (b & 0x7f) << (7 * i);
      } else {
        high += (b & 0x7f) * multiplier;
        multiplier *= 0x80;
      }
      if ((b & 0x80) === 0) break;
    }
    // zigzag value = high * 2^28 + low; the signed value is half of it, rounded away for odd ones.
    const value = low & 1 ? -(high * TWO_27 + (low + 1) / 2) : high * TWO_27 + low / 2;
    if (!Number.isSafeInteger(value)) throw corrupt(`varlong at ${this.pos} is outside the safe integer range`);
    this.pos = pos;
    return value;
  }
}
