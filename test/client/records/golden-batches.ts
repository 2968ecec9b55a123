// RecordBatch v2 byte vectors from IBM/sarama's record_test.go (a Kafka client's test suite), with
// real CRC32C values: one record, key 01 02 03 04, value 05 06 07, one header 08 09 0a = 0b 0c,
// baseTimestamp 1479847795000 (timestamp delta 5 ms), maxTimestamp 0, producer id/epoch/sequence 0.
// Sarama's snappy vector is a bare snappy block (no xerial framing); its lz4 vector an LZ4 frame.

function header(length: number, crc: number[], attributes: number): number[] {
  return [
    0, 0, 0, 0, 0, 0, 0, 0, // base offset
    0, 0, 0, length, // batch length
    0, 0, 0, 0, // partition leader epoch
    2, // magic
    ...crc,
    0, attributes,
    0, 0, 0, 0, // last offset delta
    0, 0, 1, 88, 141, 205, 89, 56, // base timestamp 1479847795000
    0, 0, 0, 0, 0, 0, 0, 0, // max timestamp
    0, 0, 0, 0, 0, 0, 0, 0, // producer id
    0, 0, // producer epoch
    0, 0, 0, 0, // base sequence
    0, 0, 0, 1, // record count
  ];
}

/** The one record: length 20, attributes, timestamp delta 5, offset delta 0, key, value, 1 header. */
export const GOLDEN_RECORD = [40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12];

export const GOLDEN_BASE_TIMESTAMP = 1479847795000;

export const GOLDEN_UNCOMPRESSED = Buffer.from([...header(70, [84, 121, 97, 253], 0), ...GOLDEN_RECORD]);

export const GOLDEN_GZIP = Buffer.from([
  ...header(95, [231, 74, 206, 165], 1),
  31, 139, 8, 0, 0, 9, 110, 136, 0, 255, 0, 21, 0, 234, 255, 40, 0, 10, 0, 8, 1, 2,
  3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12, 3, 0, 173, 201, 88, 103, 21, 0, 0, 0,
]);

export const GOLDEN_RAW_SNAPPY = Buffer.from([
  ...header(72, [21, 0, 159, 97], 2),
  21, 80, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12,
]);

export const GOLDEN_LZ4 = Buffer.from([
  ...header(89, [169, 74, 119, 197], 3),
  4, 34, 77, 24, 100, 112, 185, 21, 0, 0, 128, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2,
  6, 8, 9, 10, 4, 11, 12, 0, 0, 0, 0, 12, 59, 239, 146,
]);

/** Sarama's empty batch: no records, CRC over an all-zero header. */
export const GOLDEN_EMPTY = Buffer.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 49, 0, 0, 0, 0, 2, 89, 95, 183, 221, 0, 0, 0, 0, 0, 0,
  ...new Array<number>(8 + 8 + 8 + 2 + 4 + 4).fill(0),
]);
