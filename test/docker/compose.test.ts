// docker-compose.yml and the Dockerfile hold together without docker: the compose file is read as
// Compose reads it (YAML with merge keys), and every service, command, flag, mounted file, port,
// node config, mirror config and scrape target is checked against this checkout and the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load as loadYaml, mergeTag } from 'js-yaml';
import { loadBrokerConfigFile, type BrokerConfig } from '../../broker/index.js';
import { loadMirrorConfigFile } from '../../mirror/index.js';
import { COMMANDS } from '../../cli/commands/index.js';
import { BROKER_NODE_ARGS } from '../../cli/local-broker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  build?: string;
  image?: string;
  hostname?: string;
  entrypoint?: string[];
  command?: string[];
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
}
interface Compose { name: string; services: Record<string, Service>; volumes: Record<string, unknown> }
interface ScrapeConfig { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[] }

const compose = loadYaml(read('docker-compose.yml'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose;
const services = compose.services;
const REGIONS = ['east', 'west'];
const NODES = REGIONS.flatMap((r) => [1, 2, 3].map((i) => `${r}-${i}`));
const MIRRORS = ['mirror-east-to-west', 'mirror-west-to-east'];
const LOADS = ['load-east', 'load-west'];
const STRAIT_IMAGE = 'strait:local';
/** Where a node's metrics listener is (config/docker/*.properties), and the mirror's --metrics-port. */
const METRICS_PORT = 9100;

interface Mount { source: string; target: string; bind: boolean }
function mountsOf(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    const [source, target] = v.split(':') as [string, string];
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** The container path's file on this checkout, through the service's bind mounts (longest target first). */
function hostPathOf(s: Service, containerPath: string): string | undefined {
  const mount = mountsOf(s)
    .filter((m) => m.bind && (containerPath === m.target || containerPath.startsWith(m.target + '/')))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return mount ? path.join(ROOT, mount.source, containerPath.slice(mount.target.length)) : undefined;
}

/** The image's entrypoint, `node dist/cli/main.js`, with node's options between (none by default). */
function nodeOptionsOf(name: string, entrypoint: readonly string[]): string[] {
  assert.equal(entrypoint[0], 'node', `${name}: an entrypoint other than node or sh -c`);
  assert.equal(entrypoint.at(-1), 'dist/cli/main.js', `${name}: an entrypoint that does not run the CLI`);
  return entrypoint.slice(1, -1);
}

/** The strait argv a service runs: its command, or the `node dist/cli/main.js ...` inside an sh -c script. */
function straitArgv(name: string, s: Service): string[] {
  if (s.entrypoint === undefined || s.entrypoint[0] === 'node') return s.command ?? [];
  assert.deepEqual(s.entrypoint, ['sh', '-c'], `${name}: an entrypoint other than node or sh -c`);
  const script = s.command?.[0] ?? '';
  const m = /\bnode dist\/cli\/main\.js ([^|;&]+)$/.exec(script);
  assert.ok(m, `${name}: its script does not end in node dist/cli/main.js ...: ${script}`);
  return m[1]!.trim().split(/\s+/);
}

/** Flag name -> value of an argv after its command name. */
function flagsOf(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    assert.ok(arg.startsWith('--'), `"${arg}" is not a flag (in ${argv.join(' ')})`);
    flags.set(arg.slice(2), argv[i + 1] ?? '');
    i++;
  }
  return flags;
}

function nodeConfig(name: string): BrokerConfig {
  const s = services[name]!;
  const file = hostPathOf(s, flagsOf(s.command!).get('config')!);
  assert.ok(file, `${name}: its --config is not mounted`);
  const { config, unknownKeys } = loadBrokerConfigFile(file);
  assert.deepEqual(unknownKeys, [], `${name}: ${file} has no unknown key`);
  return config;
}

test('the services: three nodes per region, a mirror worker per direction, a load per region, Prometheus and Grafana', () => {
  assert.deepEqual(Object.keys(services).sort(), [...NODES, ...MIRRORS, ...LOADS, 'prometheus', 'grafana'].sort());
  for (const [name, s] of Object.entries(services)) {
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) assert.ok(services[d], `${name} depends on ${d}, which is no service`);
    if (!Array.isArray(s.depends_on)) {
      for (const [d, { condition }] of Object.entries(s.depends_on ?? {})) {
        if (condition === 'service_healthy') assert.ok(services[d]!.healthcheck, `${name} waits for ${d} to be healthy, which has no healthcheck`);
      }
    }
  }
});

test('every strait service runs the image of this Dockerfile and a real strait command with its real flags', () => {
  const dockerfile = read('Dockerfile');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "dist\/cli\/main\.js"\]$/m);
  assert.ok(existsSync(path.join(ROOT, 'cli/main.ts')), 'dist/cli/main.js is built from cli/main.ts');
  for (const name of [...NODES, ...MIRRORS, ...LOADS]) {
    const s = services[name]!;
    assert.equal(s.image, STRAIT_IMAGE, name);
    assert.equal(s.build, '.', `${name} is built from the Dockerfile at the root`);
    const argv = straitArgv(name, s);
    const command = COMMANDS.find((c) => c.name === argv[0] || c.aliases?.includes(argv[0]!));
    assert.ok(command, `${name}: strait ${argv[0]} is no command`);
    for (const flag of flagsOf(argv).keys()) assert.ok(flag in command.options, `${name}: strait ${argv[0]} has no --${flag}`);
    // Brokers get the node options spawnBroker gives them; other processes node's defaults.
    const nodeOptions = s.entrypoint?.[0] === 'node' ? nodeOptionsOf(name, s.entrypoint) : [];
    assert.deepEqual(nodeOptions, argv[0] === 'broker' ? BROKER_NODE_ARGS : [], `${name}: node options`);
  }
  const expected: Record<string, string> = { ...Object.fromEntries(NODES.map((n) => [n, 'broker'])), ...Object.fromEntries(MIRRORS.map((n) => [n, 'mirror'])), ...Object.fromEntries(LOADS.map((n) => [n, 'produce'])) };
  for (const [name, cmd] of Object.entries(expected)) assert.equal(straitArgv(name, services[name]!)[0], cmd, name);
});

test('every file mounted from this checkout exists, every path a command names is mounted, named volumes are declared', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const m of mountsOf(s)) {
      if (m.bind) assert.ok(existsSync(path.join(ROOT, m.source)), `${name}: ${m.source} does not exist`);
      else assert.ok(m.source in compose.volumes, `${name}: volume ${m.source} is not declared`);
    }
    const argv = s.entrypoint?.[0] === 'sh' ? [] : s.command ?? [];
    for (const arg of argv) {
      const value = arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
      if (!value.startsWith('/')) continue;
      const file = hostPathOf(s, value);
      assert.ok(file && existsSync(file), `${name}: ${value} is not a mounted file of this checkout`);
    }
  }
});

test('host ports are distinct', () => {
  const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':').slice(0, -1).join(':')));
  assert.ok(hostPorts.length >= 2);
  assert.equal(new Set(hostPorts).size, hostPorts.length, hostPorts.join(', '));
});

test("each node's config is valid and names its own service, its region's voters and its data volume", () => {
  const clusterIds = new Map<string, string>();
  for (const name of NODES) {
    const region = name.split('-')[0]!;
    const config = nodeConfig(name);
    const s = services[name]!;
    assert.equal(config.advertised.host, name, `${name} advertises its service name`);
    assert.equal(config.nodeId, Number(name.split('-')[1]));
    assert.deepEqual(config.quorumVoters?.map((v) => `${v.id}@${v.host}:${v.port}`), [1, 2, 3].map((i) => `${i}@${region}-${i}:${config.listener.port}`));
    assert.equal(config.metricsPort, METRICS_PORT, `${name}: the healthcheck and Prometheus use port ${METRICS_PORT}`);
    assert.match(s.healthcheck!.test.join(' '), new RegExp(`127\\.0\\.0\\.1:${METRICS_PORT}/readyz`));
    assert.equal(config.metricsHost, '0.0.0.0', `${name}: Prometheus reaches its metrics from another container`);
    assert.deepEqual(config.logDirs.map((d) => mountsOf(s).find((m) => !m.bind && m.target === d)?.source), [`${name}-data`], `${name}: its log dir is its own volume`);
    assert.ok(config.clusterId, `${name}: a fixed cluster.id, so no storage format step is needed`);
    const known = clusterIds.get(region);
    if (known === undefined) clusterIds.set(region, config.clusterId);
    else assert.equal(config.clusterId, known, `${name}: one cluster id per region`);
  }
  assert.equal(new Set(clusterIds.values()).size, REGIONS.length, 'each region is its own cluster');
});

test("the mirror's clusters are the regions' nodes, and the two workers write one region each", () => {
  const targets: string[] = [];
  for (const name of MIRRORS) {
    const s = services[name]!;
    const flags = flagsOf(s.command!);
    const config = loadMirrorConfigFile(hostPathOf(s, flags.get('config')!)!);
    assert.deepEqual(config.warnings, [], `${config.file} loads without a warning`);
    assert.deepEqual(config.clusters, REGIONS);
    for (const region of REGIONS) {
      const servers = config.clusterSettings[region]!.bootstrapServers.split(',');
      assert.deepEqual(servers, [1, 2, 3].map((i) => `${region}-${i}:${nodeConfig(`${region}-${i}`).listener.port}`));
    }
    assert.deepEqual(config.flows.map((f) => `${f.source}->${f.target}`), ['east->west', 'west->east']);
    assert.equal(flags.get('metrics-port'), String(METRICS_PORT));
    assert.equal(flags.get('metrics-host'), '0.0.0.0', `${name}: Prometheus reaches its metrics from another container`);
    const target = flags.get('clusters')!;
    assert.ok(REGIONS.includes(target), `${name}: --clusters ${target}`);
    assert.equal(name, `mirror-${REGIONS.find((r) => r !== target)}-to-${target}`, `${name} writes to ${target}`);
    targets.push(target);
    for (const region of REGIONS) {
      assert.ok(Object.keys(s.depends_on ?? {}).includes(`${region}-1`), `${name} waits for region ${region}`);
    }
  }
  assert.deepEqual(targets.sort(), REGIONS);
  for (const name of LOADS) {
    const region = name.slice('load-'.length);
    assert.equal(flagsOf(straitArgv(name, services[name]!)).get('bootstrap-server'), [1, 2, 3].map((i) => `${region}-${i}:9092`).join(','));
  }
});

test('Prometheus scrapes every node and worker, Grafana loads the dashboards where its provisioning looks', () => {
  const prometheus = services.prometheus!;
  const scrapeFile = hostPathOf(prometheus, (prometheus.command ?? []).find((a) => a.startsWith('--config.file='))!.slice('--config.file='.length));
  assert.equal(scrapeFile, path.join(ROOT, 'dashboards/prometheus/prometheus.yml'));
  const scrape = loadYaml(readFileSync(scrapeFile, 'utf8')) as ScrapeConfig;
  const targets = (job: string): { target: string; cluster?: string }[] =>
    scrape.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((sc) => sc.targets.map((target) => ({ target, ...(sc.labels?.cluster ? { cluster: sc.labels.cluster } : {}) })));
  assert.deepEqual(targets('strait-broker'), NODES.map((n) => ({ target: `${n}:${METRICS_PORT}`, cluster: n.split('-')[0] })));
  assert.deepEqual(targets('strait-mirror'), MIRRORS.map((n) => ({ target: `${n}:${METRICS_PORT}` })));

  const grafana = services.grafana!;
  const provisioning = hostPathOf(grafana, '/etc/grafana/provisioning');
  assert.equal(provisioning, path.join(ROOT, 'dashboards/grafana/provisioning'));
  const provider = loadYaml(readFileSync(path.join(provisioning, 'dashboards/strait.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
  for (const p of provider.providers) {
    const dir = hostPathOf(grafana, p.options.path);
    assert.equal(dir, path.join(ROOT, 'dashboards/grafana/dashboards'), `Grafana finds the dashboards at ${p.options.path}`);
  }
  const home = hostPathOf(grafana, grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!);
  assert.ok(home && existsSync(home), 'the home dashboard is a mounted dashboard');
});

test("the Dockerfile copies only what exists and what .dockerignore lets through", () => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const copies = read('Dockerfile').split('\n').filter((l) => /^COPY /.test(l) && !l.includes('--from='));
  assert.ok(copies.length > 0);
  for (const line of copies) {
    const parts = line.split(/\s+/).slice(1);
    for (const source of parts.slice(0, -1)) {
      assert.ok(existsSync(path.join(ROOT, source)), `COPY ${source}: no such file`);
      assert.ok(!ignored.some((i) => source === i || source.startsWith(i + '/')), `COPY ${source}: excluded by .dockerignore`);
    }
  }
});
