// Cluster ids in Kafka's form (`kafka-storage random-uuid`, Kafka's Uuid.randomUuid()): the 16 bytes
// of a random (version 4) UUID in URL-safe base64 without padding, 22 characters. As Kafka does, an
// id that would start with '-' is drawn again: a command line would read it as an option
// (`strait storage format --cluster-id -Xb...`), and about one draw in 64 starts that way.
import { randomUUID } from 'node:crypto';

/** The 16 bytes of a new random UUID. */
function uuidBytes(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

/** A new cluster id that does not start with '-'. `draw` gives 16 random bytes (tests replace it). */
export function randomClusterId(draw: () => Buffer = uuidBytes): string {
  for (;;) {
    const id = draw().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * True for an id of Kafka's form: URL-safe base64 of exactly 16 bytes. One that starts with '-' is
 * valid (older tools made such ids, and a cluster keeps its id): it is only never generated.
 */
export function isClusterId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id) && Buffer.from(id, 'base64url').length === 16;
}
