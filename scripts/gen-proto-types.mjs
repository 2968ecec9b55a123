// Regenerates client/wire/generated/ from proto/*.proto with the same options the runtime loader uses
// (client/wire/proto-options.json), so the types always describe what grpc-js actually hands us.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const options = JSON.parse(readFileSync(path.join(root, 'client/wire/proto-options.json'), 'utf8'));
const outDir = path.join(root, 'client/wire/generated');
// common.proto has no service; its types are generated through the files that import it (its own
// aggregate file would only hold unused declarations, which the strict build rejects).
const protos = readdirSync(path.join(root, 'proto'))
  .filter((f) => f.endsWith('.proto') && f !== 'common.proto')
  .sort();

rmSync(outDir, { recursive: true, force: true });
const args = [
  '--grpcLib=@grpc/grpc-js',
  `--outDir=${outDir}`,
  `--includeDirs=${path.join(root, 'proto')}`,
  '--importFileExtension=.js',
];
if (options.longs === 'Number') args.push('--longs=Number');
if (options.enums === 'String') args.push('--enums=String');
if (options.defaults) args.push('--defaults');
if (options.oneofs) args.push('--oneofs');
if (options.keepCase) args.push('--keepCase');
execFileSync(path.join(root, 'node_modules/.bin/proto-loader-gen-types'), [...args, ...protos], {
  cwd: path.join(root, 'proto'),
  stdio: 'inherit',
});
