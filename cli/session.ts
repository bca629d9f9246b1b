/**
 * How a CLI command reaches Temporal. With TEMPORAL_ADDRESS set: a client to that server (workers run
 * elsewhere). Without it: the embedded default, a local dev server (state in .temporal/embedded.db, so
 * `resume` and `status` find earlier runs) and an in-process worker, both shut down afterwards.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
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
  close(): Promise<void>;
}

export interface SessionOptions {
  settings: Settings;
  log: Logger;
  /** Folders the embedded worker may read and write besides the data roots (paths the user typed). */
  extraRoots?: string[];
  /** Whether an embedded session needs a worker (a `status` query does not). */
  worker?: boolean;
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
  if (options.worker !== false) {
    try {
      const worker = await createPipelineWorker({ settings, log, address: server.address, taskQueue, extraRoots: options.extraRoots });
      workerDone = worker.run();
      stopWorker = () => worker.worker.shutdown();
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
    async close() {
      if (workerDone) {
        stopWorker();
        await workerDone;
      }
      await server.stop();
    },
  };
}
