// The process-level rule every Strait server process (broker, mirror) follows (DESIGN §12): a
// request's or a flow's failure is handled where it happens; an exception or rejection that still
// reaches the process is a bug, and a process that carries on after one runs in a state nobody knows.
// It is logged at fatal level with the error, written to stderr too (the logger may be what failed),
// and the process exits 1; the broker's start-up recovery, the mirror's recorded positions take over.
import type { Logger } from 'pino';

export function exitOnUnexpectedErrors(logger: Logger, processName: string): void {
  let exiting = false;
  const exit = (err: unknown, origin: string): void => {
    if (exiting) return;
    exiting = true;
    try {
      logger.fatal({ err, origin }, 'unexpected error: exiting');
    } finally {
      process.stderr.write(`${processName}: unexpected error (${origin}): ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  };
  process.on('uncaughtException', (err, origin) => exit(err, origin));
  // Node's default would turn an unhandled rejection into an uncaught exception too, unless the
  // process runs with --unhandled-rejections=warn|none: be explicit.
  process.on('unhandledRejection', (reason) => exit(reason, 'unhandledRejection'));
}
