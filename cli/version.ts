// The version `strait --version` prints: package.json's, found from this compiled file
// (dist/cli/version.js -> ../../package.json), so it is right from any working directory.
import { readFileSync } from 'node:fs';

export function straitVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${file.pathname} has no version`);
  return version;
}
