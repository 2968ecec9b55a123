// The `strait broker --config FILE` process: reads and checks the config (a bad one stops start-up
// with the key and line), starts the node, prints the pino line "broker started" with grpcPort and
// metricsPort (what launchers wait for), and on SIGTERM/SIGINT shuts down cleanly (a controlled
// shutdown first: the controller moves this broker's leaderships away) and exits 0. A node that learns
// it belongs to another cluster than its quorum logs a fatal line and exits 1; so does a node that
// meets an exception no request handler caught (DESIGN §12).
import { pino, type Logger } from 'pino';
import { ConfigError, exitOnUnexpectedErrors } from '../client/index.js';
import { loadBrokerConfigFile } from './config/broker-config.js';
import { startBroker, type RunningBroker } from './server.js';

/**
 * The process's logger. Lines are written to stdout synchronously: the fatal line logged just before
 * process.exit must be out when the process is gone (an asynchronous destination can lose the line
 * still in flight). A broker logs events, not requests, so the cost is small.
 */
function processLogger(): Logger {
  return pino({ base: { pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
}

/** Runs a broker until a signal stops it; resolves with the exit code. */
export async function runBrokerProcess(configFile: string): Promise<number> {
  const logger = processLogger();
  let parsed;
  try {
    parsed = loadBrokerConfigFile(configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`strait broker: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  for (const { key, line } of parsed.unknownKeys) {
    logger.warn({ key, file: configFile, line }, `unknown config key "${key}" ignored`);
  }
  exitOnUnexpectedErrors(logger, 'strait broker');
  let broker: RunningBroker;
  try {
    broker = await startBroker(parsed.config, {
      logger,
      // Another cluster's node must not take part: say why and exit, so a supervisor sees it.
      onFatal: (message) => {
        logger.fatal({ clusterId: parsed.config.clusterId }, message);
        process.stderr.write(`strait broker: ${message}\n`);
        process.exit(1);
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.fatal({ err }, 'broker failed to start');
    process.stderr.write(`strait broker: ${message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
        resolve(1);
        return;
      }
      logger.info({ signal }, 'shutting down');
      broker.stop().then(() => resolve(0), (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
