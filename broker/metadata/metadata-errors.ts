// Named errors of the metadata layer. None of them is a protocol error: they say that bytes of the
// metadata log or a snapshot are malformed, or that a record contradicts the image it is applied to.

/** Bytes (or an object about to be encoded) that are not a valid metadata record. */
export class MetadataRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataRecordError';
  }
}

/** A well-formed record that contradicts the image (unknown topic, stale broker epoch, ...). The
 * image it was applied to is unchanged. `offset` is the log offset the record was applied at. */
export class MetadataApplyError extends Error {
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(`metadata record at offset ${offset}: ${message}`);
    this.offset = offset;
    this.name = 'MetadataApplyError';
  }
}

/** A snapshot that cannot be read back into an image. */
export class MetadataSnapshotError extends Error {
  constructor(message: string) {
    super(`metadata snapshot: ${message}`);
    this.name = 'MetadataSnapshotError';
  }
}
