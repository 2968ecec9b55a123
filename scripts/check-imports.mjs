// Checks the import rules of DESIGN §1 and broker/README.md, and names the file and line of each
// import that breaks one (exit 1). test/ is not checked: tests may import anything they test.
//
// 1. Modules meet only at their entry. A file of client/, broker/, mirror/ or cli/ imports another of
//    them only through its entry (client/index.ts, broker/index.ts, mirror/index.ts; cli/ has none:
//    cli/main.ts runs, nobody imports it), and only the ones it may use: client/ nothing else of
//    ours; broker/ and mirror/ the client; cli/ all three. None of them imports test/ or bench/.
//    bench/ takes the client through its entry too, but may reach inside broker/ and cli/ (a
//    benchmark measures one part, such as Log.append or the local cluster launcher, as a test does)
//    and use test/ helpers.
// 2. The broker's layers call downwards only (BROKER_LAYERS, top first). A file imports files of its
//    own layer and of layers below it; a layer that has an index.ts is entered only through it.
//    A folder missing from BROKER_LAYERS is an error: a new layer needs its place decided here.
//
// Imports are read from the text (static, type-only, re-exports, dynamic import() and require() of
// a relative path); comments are skipped. Usage: node scripts/check-imports.mjs [ROOT] (default: this
// checkout; test/scripts/check-imports.test.ts points it at small trees that break each rule).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

/** What each top-level folder may import outside itself. */
const MODULES = {
  client: { entry: 'client/index.ts', uses: [], internals: [] },
  broker: { entry: 'broker/index.ts', uses: ['client'], internals: [] },
  mirror: { entry: 'mirror/index.ts', uses: ['client'], internals: [] },
  cli: { entry: undefined, uses: ['client', 'broker', 'mirror'], internals: [] },
  bench: { entry: undefined, uses: ['client', 'broker', 'mirror'], internals: ['broker', 'cli', 'test'] },
};

/** The broker's layers, top first; a layer may import only the layers after it. The top-level
 * files (index.ts, broker-process.ts, server.ts) are the wiring, one layer above all. */
const WIRING = '(top-level files)';
const BROKER_LAYERS = [
  [WIRING],
  ['rpc', 'metrics'],
  ['core'],
  ['groups'],
  ['replication'],
  ['cluster'],
  ['controller'],
  ['quorum'],
  ['metadata'],
  ['log'],
  ['config'],
];
const layerRank = new Map(BROKER_LAYERS.flatMap((names, rank) => names.map((name) => [name, rank])));

function sourceFiles(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'generated' && name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (name.endsWith('.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** The text with comments blanked (newlines kept, so offsets and lines stay), and the spans of
 * string and template literals, where a keyword is no import. */
function scan(text) {
  const chars = text.split('');
  const strings = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const end = text[i + 1] === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 2;
      const stop = end <= 0 || end === 1 ? text.length : end;
      for (let j = i; j < stop; j++) if (chars[j] !== '\n') chars[j] = ' ';
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      strings.push([i, j]);
      i = j + 1;
    } else {
      i++;
    }
  }
  return { code: chars.join(''), strings };
}

const IMPORT_PATTERNS = [
  /\b(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])(\.[^'"]*)\1/g,
  /\bimport\s*(['"])(\.[^'"]*)\1/g,
  /\b(?:import|require)\s*\(\s*(['"])(\.[^'"]*)\1\s*\)/g,
];

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const { code, strings } = scan(text);
  const inString = (at) => strings.some(([from, to]) => at > from && at < to);
  const found = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      if (inString(m.index)) continue;
      const line = code.slice(0, m.index + m[0].length).split('\n').length;
      found.push({ specifier: m[2], line });
    }
  }
  return found;
}

/** The source path (from the root) an import names: '.js' stands for the '.ts' beside it. */
function targetOf(file, specifier) {
  const resolved = path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
  return resolved.endsWith('.js') ? `${resolved.slice(0, -3)}.ts` : resolved;
}

/** The broker layer a path (from the root) belongs to. */
function layerOf(rel) {
  const parts = rel.split('/');
  return parts.length === 2 ? WIRING : parts[1];
}

function checkModules(rel, target, module) {
  const other = target.split('/')[0];
  if (other === module) return undefined;
  if (other === '..') return `${target} is outside the project`;
  const rules = MODULES[module];
  if (rules.internals.includes(other)) return undefined;
  if (!rules.uses.includes(other)) {
    const may = rules.uses.length ? `it may use ${rules.uses.map((m) => `${m}/`).join(', ')}` : 'it depends on nothing else of ours';
    return `${module}/ imports ${other === target ? target : `${other}/`}: ${may}`;
  }
  const entry = MODULES[other]?.entry;
  if (target !== entry) return `${target} is inside ${other}/: import ${entry ?? `nothing of ${other}/`} instead`;
  return undefined;
}

function checkBrokerLayers(rel, target) {
  const from = layerOf(rel);
  const to = layerOf(target);
  for (const layer of [from, to]) {
    if (!layerRank.has(layer)) return `broker/${layer}/ has no place in BROKER_LAYERS of scripts/check-imports.mjs: decide where it sits`;
  }
  if (from === to) return undefined;
  if (layerRank.get(to) <= layerRank.get(from)) {
    const where = layerRank.get(to) === layerRank.get(from) ? 'beside it' : 'above it';
    return `broker/${from === WIRING ? rel.split('/')[1] : `${from}/`} imports ${target}, a layer ${where}: layers call downwards only`;
  }
  const face = `broker/${to}/index.ts`;
  if (to !== WIRING && existsSync(path.join(root, face)) && target !== face) return `${target} is inside broker/${to}/: import ${face} instead`;
  return undefined;
}

const problems = [];
for (const module of Object.keys(MODULES)) {
  for (const file of sourceFiles(path.join(root, module))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    for (const { specifier, line } of importsOf(file)) {
      const target = targetOf(file, specifier);
      const problem = checkModules(rel, target, module)
        ?? (module === 'broker' && target.startsWith('broker/') ? checkBrokerLayers(rel, target) : undefined);
      if (problem) problems.push(`${rel}:${line}: ${problem}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`${problems.length} import(s) break the layout rules (DESIGN §1, broker/README.md):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('imports: every module meets the others at their entries; broker layers call downwards only');
