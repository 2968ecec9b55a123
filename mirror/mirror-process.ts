// The `strait mirror --config FILE [--clusters B] [--metrics-port N]` process: reads the config (a bad
// one stops start-up naming file, line and key; warnings are logged with their lines), runs every
// enabled flow (with --clusters, only the flows into those clusters, as MM2's --clusters) with its
// offset syncs, checkpoints, group offset sync and heartbeats (mirror/offsets), and the heartbeats of
// the pairs the config does not enable (MM2 writes them for every pair), serves
// /metrics, /healthz and /readyz when a metrics port is given (0: any free one; the pino line
// "mirror metrics listening" carries the port), logs "mirror started" once every flow runs, and on
// SIGTERM/SIGINT drains (batches in flight acknowledged, positions written, group left) and exits 0.
// An exception nothing handled is a bug: logged at fatal level, exit 1 (DESIGN §12); a restart
// resumes from the recorded positions.
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { ConfigError, exitOnUnexpectedErrors, startMetricsEndpoint, type MetricsEndpoint } from '../client/index.js';
import { loadMirrorConfigFile, type MirrorConfig } from './config/mirror-config.js';
import { MirrorFlow, type FlowExtensionFactory } from './flow/mirror-flow.js';
import { MirrorMetrics } from './metrics/mirror-metrics.js';
import { HeartbeatPairs } from './offsets/heartbeat-pairs.js';
import { offsetsExtension } from './offsets/offsets-extension.js';

export interface MirrorProcessOptions {
  configFile: string;
  /** Target aliases to run flows into (MM2's --clusters); all when empty. */
  clusters: readonly string[];
  /** undefined: no metrics endpoint. */
  metricsPort: number | undefined;
  metricsHost?: string;
  /** Parts added to each flow beyond the data path and mirror/offsets' (which every flow runs). */
  extensions?: readonly FlowExtensionFactory[];
}

/** How long SIGTERM waits for the flows to drain before the process exits anyway. */
const DRAIN_TIMEOUT_MS = 60_000;

/** Synchronous stdout, as the broker's: a fatal line must be out before process.exit. */
function processLogger(): Logger {
  return pino({ base: { pid: process.pid, component: 'mirror' } }, pino.destination({ dest: 1, sync: true }));
}

/** The flows this worker runs: every enabled one, or those into the --clusters targets. */
export function selectFlows(config: MirrorConfig, clusters: readonly string[]): MirrorConfig['flows'] {
  return clusters.length === 0 ? config.flows : config.flows.filter((f) => clusters.includes(f.target));
}

/** Runs the mirror until a signal stops it; resolves with the exit code. */
export async function runMirrorProcess(options: MirrorProcessOptions): Promise<number> {
  const logger = processLogger();
  let config: MirrorConfig;
  try {
    config = loadMirrorConfigFile(options.configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`strait mirror: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  for (const w of config.warnings) logger.warn({ key: w.key, file: options.configFile, line: w.line }, w.message);
  const unknownClusters = options.clusters.filter((c) => !config.clusters.includes(c));
  if (unknownClusters.length > 0) {
    process.stderr.write(`strait mirror: --clusters names ${unknownClusters.join(', ')}, not among the config's clusters (${config.clusters.join(', ')})\n`);
    return 1;
  }
  const flows = selectFlows(config, options.clusters);
  if (flows.length === 0) {
    process.stderr.write(`strait mirror: ${options.configFile} enables no flow${options.clusters.length > 0 ? ` into ${options.clusters.join(', ')}` : ''} (set <source>-><target>.enabled = true)\n`);
    return 1;
  }
  exitOnUnexpectedErrors(logger, 'strait mirror');
  const metrics = new MirrorMetrics(new Registry());
  let ready = false;
  let endpoint: MetricsEndpoint | undefined;
  if (options.metricsPort !== undefined) {
    endpoint = await startMetricsEndpoint({ registry: metrics.registry, host: options.metricsHost ?? '127.0.0.1', port: options.metricsPort, ready: () => ready, logger });
    logger.info({ port: endpoint.port }, 'mirror metrics listening');
  }
  // Offset syncs, checkpoints, group offset sync and heartbeats run in every flow (mirror/offsets).
  const extensions = [offsetsExtension(config), ...(options.extensions ?? [])];
  const running = flows.map((flow) => new MirrorFlow({
    flow, clusters: config.clusterSettings, metrics: metrics.flow(flow.source, flow.target), logger, extensions,
  }));
  // MM2 writes heartbeats for every pair of clusters, enabled or not (see HeartbeatPairs).
  const heartbeatPairs = new HeartbeatPairs(selectFlows({ ...config, flows: config.heartbeatOnlyFlows }, options.clusters), config.clusterSettings, metrics, logger);
  const stopAll = async (): Promise<void> => {
    await heartbeatPairs.stop();
    await Promise.all(running.map((f) => f.stop()));
    await endpoint?.close();
  };
  try {
    await Promise.all(running.map((f) => f.start()));
    await heartbeatPairs.start();
  } catch (err) {
    logger.fatal({ err }, 'mirror failed to start');
    process.stderr.write(`strait mirror: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  ready = true;
  logger.info({ flows: flows.map((f) => `${f.source}->${f.target}`) }, 'mirror started');
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal: exiting without draining');
        resolve(1);
        return;
      }
      logger.info({ signal }, 'draining');
      ready = false;
      // A target that stays down would hold the drain forever (batches are never given up on time).
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: DRAIN_TIMEOUT_MS }, 'drain did not finish in time: exiting; a restart re-sends what was not recorded');
        resolve(1);
      }, DRAIN_TIMEOUT_MS);
      stopAll().then(() => {
        clearTimeout(timer);
        logger.info('mirror stopped');
        resolve(0);
      }, (err: unknown) => {
        clearTimeout(timer);
        logger.error({ err }, 'drain failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
