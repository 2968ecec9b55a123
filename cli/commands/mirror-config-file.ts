// The --config FILE every `strait mirror` subcommand reads: a file that cannot be used is a usage
// error naming the file, the line and the key (MirrorConfigError's message), not a stack trace.
import { ConfigError } from '../../client/index.js';
import { loadMirrorConfigFile, type MirrorConfig } from '../../mirror/index.js';
import { UsageError } from '../cli-args.js';

export function readMirrorConfig(file: string): MirrorConfig {
  try {
    return loadMirrorConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
