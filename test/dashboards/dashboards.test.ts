// The Grafana dashboards use only what the code exports (DESIGN §10): every metric name in a panel
// query or a variable is a series of a live scrape (the cluster dashboard: a real 3-node cluster with
// replicated traffic and a consumer group; the mirror dashboard: a MirrorMetrics registry fed one of
// everything it counts, served by startMetricsEndpoint), every label a query matches or groups by is
// on that series or is one the Prometheus scrape config adds, and every job a query names is a job of
// that config. The provisioning files point Grafana at these files and that Prometheus.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load as loadYaml } from 'js-yaml';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Admin, Consumer, Producer, startMetricsEndpoint, type MetricsEndpoint } from '../../client/index.js';
import { MirrorMetrics } from '../../mirror/index.js';
import { scrapeMetrics, type Exposition } from '../../cli/prometheus-text.js';
import { bootstrapOf, startCluster, type ClusterNodeProcess } from '../helpers/launcher.js';
import { labelValuesReference, promqlReferences, type QueryReferences } from './promql-references.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DASHBOARD_DIR = path.join(ROOT, 'dashboards/grafana/dashboards');
/** Series Prometheus makes for each target itself, with the target's labels. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

interface Panel { title?: string; type?: string; targets?: { expr?: string }[]; panels?: Panel[] }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string; query?: unknown }[] } }
interface ScrapeConfig { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[] }

function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(path.join(DASHBOARD_DIR, file), 'utf8')) as Dashboard;
}

function panelsOf(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard, named by its panel, and its label_values variables. */
function queriesOf(d: Dashboard): { where: string; refs: QueryReferences }[] {
  const queries: { where: string; refs: QueryReferences }[] = [];
  for (const panel of panelsOf(d.panels)) {
    if (panel.type === 'row') continue;
    assert.ok(panel.targets && panel.targets.length > 0, `${d.title}: panel "${panel.title}" has no query`);
    for (const target of panel.targets) {
      assert.ok(target.expr, `${d.title}: panel "${panel.title}" has a query without an expression`);
      const refs = promqlReferences(target.expr);
      assert.ok(refs.selectors.length > 0, `${d.title}: "${target.expr}" names no metric`);
      queries.push({ where: `${d.title} / ${panel.title}: ${target.expr}`, refs });
    }
  }
  for (const variable of d.templating.list) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : (variable.query as { query: string }).query;
    const ref = labelValuesReference(text);
    assert.ok(ref, `${d.title}: variable ${variable.name} is not label_values(metric, label): ${text}`);
    queries.push({ where: `${d.title} / variable ${variable.name}`, refs: { selectors: [{ metric: ref.metric, matchers: [] }], groupingLabels: [ref.label] } });
  }
  return queries;
}

/** label names seen on each series name of the scrapes. */
function seriesLabels(scrapes: readonly Exposition[]): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const scrape of scrapes) {
    for (const s of scrape.samples) {
      let labels = byName.get(s.name);
      if (!labels) byName.set(s.name, (labels = new Set()));
      for (const l of Object.keys(s.labels)) labels.add(l);
    }
  }
  return byName;
}

function checkQueries(dashboard: Dashboard, series: Map<string, Set<string>>, scrape: ScrapeConfig): void {
  const jobs = new Set(scrape.scrape_configs.map((c) => c.job_name));
  const targetLabels = new Set(['job', 'instance', ...scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => Object.keys(s.labels ?? {})))]);
  for (const { where, refs } of queriesOf(dashboard)) {
    const available = new Set(targetLabels);
    for (const { metric, matchers } of refs.selectors) {
      const labels = PROMETHEUS_SERIES.has(metric) ? new Set<string>() : series.get(metric);
      assert.ok(labels, `${where}: ${metric} is not a series of the live scrape`);
      for (const l of labels) available.add(l);
      for (const m of matchers) {
        assert.ok(labels.has(m.label) || targetLabels.has(m.label), `${where}: ${metric} has no label ${m.label}`);
        if (m.label === 'job' && m.op === '=') assert.ok(jobs.has(m.value), `${where}: no scrape job ${m.value} in dashboards/prometheus/prometheus.yml`);
      }
    }
    for (const l of refs.groupingLabels) assert.ok(available.has(l), `${where}: groups by ${l}, which none of its series has`);
  }
}

const scrapeConfig = loadYaml(readFileSync(path.join(ROOT, 'dashboards/prometheus/prometheus.yml'), 'utf8')) as ScrapeConfig;

test('the dashboards folder holds the cluster and the mirror dashboards, with distinct uids', () => {
  const files = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(files, ['strait-cluster.json', 'strait-mirror.json']);
  const uids = files.map((f) => loadDashboard(f).uid);
  assert.equal(new Set(uids).size, uids.length);
  for (const f of files) {
    const d = loadDashboard(f);
    const ids = panelsOf(d.panels).map((p) => (p as { id?: number }).id);
    assert.equal(new Set(ids).size, ids.length, `${f}: panel ids are unique`);
    assert.ok(d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'), `${f} chooses its datasource by variable`);
    // Grafana's grid is 24 columns wide; panels that overlap are pushed around on load.
    const boxes = panelsOf(d.panels).map((p) => ({ title: p.title, ...(p as { gridPos: { x: number; y: number; w: number; h: number } }).gridPos }));
    for (const [i, a] of boxes.entries()) {
      assert.ok(a.x >= 0 && a.w > 0 && a.x + a.w <= 24 && a.h > 0, `${f}: "${a.title}" is off the grid`);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${f}: "${a.title}" and "${b.title}" overlap`);
      }
    }
  }
});

test('the provisioning files point Grafana at the dashboards and at the compose Prometheus', () => {
  const provider = loadYaml(readFileSync(path.join(ROOT, 'dashboards/grafana/provisioning/dashboards/strait.yml'), 'utf8')) as {
    apiVersion: number; providers: { type: string; options: { path: string } }[];
  };
  assert.equal(provider.apiVersion, 1);
  assert.deepEqual(provider.providers.map((p) => [p.type, p.options.path]), [['file', '/var/lib/grafana/dashboards/strait']]);
  const datasources = loadYaml(readFileSync(path.join(ROOT, 'dashboards/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    apiVersion: number; datasources: { type: string; url: string; isDefault: boolean }[];
  };
  assert.equal(datasources.apiVersion, 1);
  assert.deepEqual(datasources.datasources.map((d) => [d.type, d.url, d.isDefault]), [['prometheus', 'http://prometheus:9090', true]]);
});

test('the local scrape config has the jobs and labels of the compose one', () => {
  const local = loadYaml(readFileSync(path.join(ROOT, 'dashboards/prometheus/local.yml'), 'utf8')) as ScrapeConfig;
  const shape = (c: ScrapeConfig): string[] => c.scrape_configs.map((j) => `${j.job_name}: ${[...new Set(j.static_configs.flatMap((s) => Object.keys(s.labels ?? {})))].join(',')}`);
  assert.deepEqual(shape(local), shape(scrapeConfig));
});

test('the PromQL reader finds selectors, matchers and grouping labels', () => {
  const refs = promqlReferences('histogram_quantile(0.99, sum by (cluster, rpc, le) (rate(strait_broker_request_duration_seconds_bucket{cluster=~"$cluster", error!="NONE"}[$__rate_interval])))');
  assert.deepEqual(refs.selectors, [{ metric: 'strait_broker_request_duration_seconds_bucket', matchers: [{ label: 'cluster', op: '=~', value: '$cluster' }, { label: 'error', op: '!=', value: 'NONE' }] }]);
  assert.deepEqual(refs.groupingLabels, ['cluster', 'rpc', 'le']);
  assert.deepEqual(promqlReferences('topk(10, max by (a) (x)) / on (b) group_left y offset 5m').selectors.map((s) => s.metric), ['x', 'y']);
  assert.throws(() => promqlReferences('{__name__="x"}'), /without a metric name/);
});

/** Series a broker reports only once something happened: a group committed, followers fetched. */
const CONDITIONAL_SERIES = ['strait_group_lag', 'strait_group_members', 'strait_replica_lag_records', 'strait_replica_lag_seconds'];
let nodes: ClusterNodeProcess[] = [];
let mirrorEndpoint: MetricsEndpoint | undefined;
const clients: { close(): Promise<void> }[] = [];
let brokerScrapes: Exposition[] = [];
let mirrorScrape: Exposition | undefined;

before(async () => {
  // Group lag is refreshed on this interval (10 s by default).
  nodes = await startCluster(3, { config: { 'group.lag.refresh.interval.ms': '200' } });
  const bootstrap = bootstrapOf(nodes);
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  const producer = new Producer({ 'bootstrap.servers': bootstrap, acks: 'all' });
  const consumer = new Consumer({ 'bootstrap.servers': bootstrap, 'group.id': 'dashboard-test', 'auto.offset.reset': 'earliest', 'enable.auto.commit': false });
  clients.push(admin, producer, consumer);
  const topic = `dashboards-${process.pid}`;
  await admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 3 }]);
  await Promise.all(Array.from({ length: 300 }, (_, i) => producer.send(topic, { key: `k${i}`, value: `v${i}` })));
  // A member that consumed part of the topic and committed it: group lag, members, rebalances.
  consumer.subscribe([topic]);
  let consumed = 0;
  for (let polls = 0; consumed === 0 && polls < 200; polls++) consumed += (await consumer.poll(100)).length;
  assert.ok(consumed > 0, 'the group consumed records');
  await consumer.commit();
  await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send(topic, { key: `late${i}`, value: 'x' })));
  // Group lag appears after the coordinator's next refresh, follower lag after a follower fetch.
  const scrapeAll = (): Promise<Exposition[]> => Promise.all(nodes.map((n) => scrapeMetrics(`http://127.0.0.1:${n.metricsPort}/metrics`)));
  const deadline = Date.now() + 30_000;
  do {
    brokerScrapes = await scrapeAll();
    const series = seriesLabels(brokerScrapes);
    if (CONDITIONAL_SERIES.every((name) => series.has(name))) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);

  const metrics = new MirrorMetrics(new Registry());
  const flow = metrics.flow('east', 'west');
  const now = Date.now();
  flow.recordFetched('orders', 0, now - 20, now);
  flow.onForwarded({
    sourceTopic: 'orders', remoteTopic: 'east.orders', partition: 0, upstreamOffset: 0, lastUpstreamOffset: 9,
    downstreamOffset: 0, lastDownstreamOffset: 9, recordCount: 10, bytes: 900, firstTimestamp: now - 30, maxTimestamp: now - 20,
    acknowledgedAtMs: now, whole: true,
  });
  flow.setLag('orders', 0, 5, 0.2);
  flow.checkpointWritten('orders-app', 0.4);
  flow.offsetSyncWritten();
  flow.groupOffsetsSynced(3);
  flow.heartbeatSeen('east', now - 1000);
  flow.setTopics(1);
  flow.setAssignedPartitions(3);
  flow.error('fetch');
  mirrorEndpoint = await startMetricsEndpoint({ registry: metrics.registry, host: '127.0.0.1', port: 0, ready: () => true, logger: pino({ level: 'silent' }) });
  mirrorScrape = await scrapeMetrics(`http://127.0.0.1:${mirrorEndpoint.port}/metrics`);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await mirrorEndpoint?.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

test('every metric and label of the cluster dashboard is in a live 3-node cluster scrape', () => {
  const series = seriesLabels(brokerScrapes);
  for (const name of CONDITIONAL_SERIES) assert.ok(series.has(name), `the scrape has ${name}`);
  checkQueries(loadDashboard('strait-cluster.json'), series, scrapeConfig);
});

test('every metric and label of the mirror dashboard is in a scrape of the mirror metrics endpoint', () => {
  assert.ok(mirrorScrape);
  checkQueries(loadDashboard('strait-mirror.json'), seriesLabels([mirrorScrape]), scrapeConfig);
});

test('a metric the code does not export fails the check', () => {
  const d = loadDashboard('strait-mirror.json');
  const broken: Dashboard = { ...d, panels: [{ title: 'typo', type: 'timeseries', targets: [{ expr: 'rate(strait_mirror_record_total[1m])' }] }] };
  assert.throws(() => checkQueries(broken, seriesLabels([mirrorScrape!]), scrapeConfig), /strait_mirror_record_total is not a series/);
  const badLabel: Dashboard = { ...d, panels: [{ title: 'label', type: 'timeseries', targets: [{ expr: 'sum by (flow) (strait_mirror_records_total)' }] }] };
  assert.throws(() => checkQueries(badLabel, seriesLabels([mirrorScrape!]), scrapeConfig), /groups by flow/);
});
