// A controller decision's records travel as ONE Raft entry, so they commit (or vanish with a lost
// leadership) together: a leader change can never leave half a topic in the log. The records of the
// entry at Raft index i get the image offsets i * RECORDS_PER_ENTRY + 0, 1, 2, ... (increasing, as the
// image requires); offsets the broker compares (registration, controlled shutdown) are in that space.
// Layout: [u32 count] then per record [u32 length][encoded record].
import { decodeMetadataRecord, encodeMetadataRecord, MetadataRecordError, type AppliedRecord, type MetadataRecord } from '../metadata/index.js';

/** Records one entry may hold; a larger decision is split over several entries. */
export const RECORDS_PER_ENTRY = 2 ** 20;

export function encodeRecordBatch(records: readonly MetadataRecord[]): Buffer {
  if (records.length === 0 || records.length > RECORDS_PER_ENTRY) throw new RangeError(`a batch holds 1 to ${RECORDS_PER_ENTRY} records, got ${records.length}`);
  const encoded = records.map(encodeMetadataRecord);
  const out = Buffer.allocUnsafe(4 + encoded.reduce((n, b) => n + 4 + b.length, 0));
  out.writeUInt32BE(encoded.length, 0);
  let at = 4;
  for (const b of encoded) {
    out.writeUInt32BE(b.length, at);
    b.copy(out, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** The records of the entry at Raft index `index`, with their image offsets; MetadataRecordError when malformed. */
export function decodeRecordBatch(index: number, data: Buffer): AppliedRecord[] {
  if (data.length < 4) throw new MetadataRecordError(`entry ${index}: ${data.length} bytes is no record batch`);
  const count = data.readUInt32BE(0);
  if (count < 1 || count > RECORDS_PER_ENTRY) throw new MetadataRecordError(`entry ${index}: batch of ${count} records`);
  const out: AppliedRecord[] = [];
  let at = 4;
  for (let j = 0; j < count; j++) {
    if (at + 4 > data.length) throw new MetadataRecordError(`entry ${index}: record ${j} is cut off`);
    const length = data.readUInt32BE(at);
    if (at + 4 + length > data.length) throw new MetadataRecordError(`entry ${index}: record ${j} is cut off`);
    out.push({ record: decodeMetadataRecord(data.subarray(at + 4, at + 4 + length)), offset: index * RECORDS_PER_ENTRY + j });
    at += 4 + length;
  }
  if (at !== data.length) throw new MetadataRecordError(`entry ${index}: ${data.length - at} bytes after the last record`);
  return out;
}

/** The image offset that marks "everything of Raft index `index` applied". */
export function lastOffsetOfIndex(index: number): number {
  return index * RECORDS_PER_ENTRY + RECORDS_PER_ENTRY - 1;
}
