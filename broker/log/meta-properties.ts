// meta.properties of a data dir (Kafka KRaft's node.id, cluster.id, version), so a node refuses a
// directory that belongs to another node or cluster. Java properties syntax, written atomically.
import fs from 'node:fs';
import path from 'node:path';
import { CorruptCheckpointError, readKeyValueFile, writeFileAtomic } from './checkpoint-file.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  nodeId: number;
  clusterId: string;
  version: number;
}

/** Reads dir/meta.properties; undefined when there is none, CorruptCheckpointError when malformed. */
export function readMetaProperties(dir: string): MetaProperties | undefined {
  const file = path.join(dir, META_PROPERTIES);
  const props = readKeyValueFile(file);
  if (props === undefined) return undefined;
  const nodeId = Number(props.get('node.id'));
  const version = Number(props.get('version') ?? '1');
  const clusterId = props.get('cluster.id') ?? '';
  if (!Number.isSafeInteger(nodeId) || nodeId < 0) throw new CorruptCheckpointError(file, 'node.id is missing or not a non-negative integer');
  if (!Number.isSafeInteger(version)) throw new CorruptCheckpointError(file, 'version is not an integer');
  if (clusterId.length === 0) throw new CorruptCheckpointError(file, 'cluster.id is missing');
  return { nodeId, clusterId, version };
}

export function writeMetaProperties(dir: string, props: MetaProperties): void {
  fs.mkdirSync(dir, { recursive: true });
  const text = [
    '#',
    `#${new Date().toUTCString()}`,
    `cluster.id=${props.clusterId}`,
    `node.id=${props.nodeId}`,
    `version=${props.version}`,
    '',
  ].join('\n');
  writeFileAtomic(path.join(dir, META_PROPERTIES), text);
}
