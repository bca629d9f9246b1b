/**
 * `npm run server`: the local dev server on 127.0.0.1:7233, Web UI on http://127.0.0.1:8233, state in
 * .temporal/dev-server.db (runs survive a restart), retention 7 days, search attributes registered.
 * Stops on Ctrl-C.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../config/settings';
import { isReachable, startLocalServer, RETENTION_DAYS } from './dev-server';

async function main(): Promise<void> {
  const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
  const uiPort = Number(process.env.TEMPORAL_DEV_UI_PORT ?? port + 1000);
  if (await isReachable(`127.0.0.1:${port}`)) {
    process.stderr.write(`127.0.0.1:${port} is already in use: a Temporal server is probably running there already\n`);
    process.exit(1);
  }
  const dbFilename = process.env.TEMPORAL_DEV_DB ?? path.join(PROJECT_ROOT, '.temporal', 'dev-server.db');
  const server = await startLocalServer({ port, uiPort, dbFilename, logLevel: 'warn' });
  process.stdout.write(
    `Temporal dev server ready at ${server.address}, Web UI ${server.uiUrl}\n` +
      `state ${dbFilename}, retention ${RETENTION_DAYS} days, CLI ${server.cli ? `${server.cli.path} (${server.cli.source})` : 'downloaded by the SDK'}\n` +
      'Ctrl-C stops it.\n',
  );
  // The server is a child of the SDK's native runtime: this process must stay alive for it to live.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = () => {
    clearInterval(keepAlive);
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`could not start the Temporal dev server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
