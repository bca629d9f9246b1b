/**
 * How a CLI command reaches Temporal. With TEMPORAL_ADDRESS set: a client to that server (workers run
 * elsewhere). Without it: the embedded default, a local dev server (state in .temporal/embedded.db, so
 * `resume` and `status` find earlier runs) and an in-process worker, both shut down afterwards.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { PROJECT_ROOT, type Settings } from '../config/settings';
import { startLocalServer, type LocalServer } from '../temporal/dev-server';
import { installRuntime } from '../workers/runtime';
import { createPipelineWorker } from '../workers/pipeline-worker';

export interface Session {
  client: Client;
  taskQueue: string;
  /** Web UI base URL when one is known to be running. */
  uiUrl: string | null;
  embedded: boolean;
  /**
   * Embedded mode: start the in-process pipeline worker now (if not yet running), allowed to read and
   * write `extraRoots` too. `resume` calls it once it has read the run's original input from history.
   * No-op against a TEMPORAL_ADDRESS server, whose workers run elsewhere.
   */
  startWorker(extraRoots?: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  settings: Settings;
  log: Logger;
  /** Folders the embedded worker may read and write besides the data roots (paths the user typed). */
  extraRoots?: string[];
  /**
   * What an embedded session runs: `true` (default) the pipeline worker; `'queries'` a worker with the
   * workflow code only, enough to answer the progress query of a closed run without running any step
   * of an open one; `false` none yet (see Session.startWorker).
   */
  worker?: boolean | 'queries';
}

export const EMBEDDED_DB = path.join(PROJECT_ROOT, '.temporal', 'embedded.db');

export async function openSession(options: SessionOptions): Promise<Session> {
  const { settings, log } = options;
  if (settings.TEMPORAL_ADDRESS) {
    const connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS, connectTimeout: '5 seconds' }).catch((err: Error) => {
      throw new Error(
        `cannot reach Temporal at TEMPORAL_ADDRESS=${settings.TEMPORAL_ADDRESS} (${err.message}); ` +
          'start one with `npm run server`, or unset TEMPORAL_ADDRESS to use an embedded server',
      );
    });
    return {
      client: new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE }),
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      uiUrl: settings.TEMPORAL_UI_URL,
      embedded: false,
      startWorker: async () => {},
      close: () => connection.close(),
    };
  }

  installRuntime(log);
  log.info('TEMPORAL_ADDRESS is not set: starting an embedded Temporal dev server and worker');
  let server: LocalServer;
  try {
    server = await startLocalServer({ dbFilename: EMBEDDED_DB, namespace: settings.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw new Error(
      `could not start an embedded Temporal dev server (${(err as Error).message}); ` +
        'run `npm run temporal:install`, set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server',
      { cause: err },
    );
  }
  const client = new Client({ connection: server.env.connection, namespace: settings.TEMPORAL_NAMESPACE });
  const taskQueue = settings.TEMPORAL_TASK_QUEUE;
  let workerDone: Promise<void> | null = null;
  let stopWorker = () => {};
  async function startWorker(extraRoots: string[] = []): Promise<void> {
    if (workerDone) return;
    const worker = await createPipelineWorker({
      settings,
      log,
      address: server.address,
      taskQueue,
      extraRoots: [...(options.extraRoots ?? []), ...extraRoots],
    });
    workerDone = worker.run();
    stopWorker = () => worker.worker.shutdown();
  }
  async function startQueryWorker(): Promise<void> {
    const connection = await NativeConnection.connect({ address: server.address });
    // No activities: the workflow code alone answers queries (replaying the history); an open run's
    // steps stay queued for a real worker instead of running under this short-lived command.
    const worker = await Worker.create({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: require.resolve('../workflows'),
    });
    workerDone = worker.run().finally(() => connection.close());
    stopWorker = () => worker.shutdown();
  }
  if (options.worker !== false) {
    try {
      await (options.worker === 'queries' ? startQueryWorker() : startWorker());
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  return {
    client,
    taskQueue,
    uiUrl: server.uiUrl,
    embedded: true,
    startWorker,
    async close() {
      if (workerDone) {
        stopWorker();
        await workerDone;
      }
      await server.stop();
    },
  };
}
