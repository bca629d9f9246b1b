/**
 * One pipeline worker: the workflow bundle, the activities with their DuckDB instance, on a task queue.
 * Used by `npm run worker` and by the CLI's embedded mode.
 */
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { createDb } from '../activities/db';
import { realRoots } from '../activities/data-roots';
import { dataRoots, type Settings } from '../config/settings';
import { ensureSearchAttributes } from '../temporal/namespace';

export interface PipelineWorkerOptions {
  settings: Settings;
  log: Logger;
  address: string;
  taskQueue?: string;
  /** Extra folders this worker may read and write (the embedded CLI adds the paths its user typed). */
  extraRoots?: string[];
  /** A pre-built workflow bundle (Docker image, test run); default: bundle ../workflows at start-up. */
  workflowBundlePath?: string;
}

export interface PipelineWorker {
  worker: Worker;
  /** Run until shutdown; closes DuckDB and the connection afterwards. */
  run(): Promise<void>;
}

export async function createPipelineWorker(options: PipelineWorkerOptions): Promise<PipelineWorker> {
  const { settings, log } = options;
  const roots = realRoots([...dataRoots(settings), ...(options.extraRoots ?? [])]);
  const outputRoot = path.resolve(settings.WINTAP_NOISE_OUTPUT_ROOT);
  const db = await createDb({
    roots,
    memoryLimit: settings.WINTAP_NOISE_DUCKDB_MEMORY_LIMIT,
    threads: settings.WINTAP_NOISE_DUCKDB_THREADS,
    tempDirectory: settings.WINTAP_NOISE_DUCKDB_TEMP_DIR ?? path.join(roots[0], '.duckdb-tmp'),
  });

  const client = await Connection.connect({ address: options.address });
  try {
    await ensureSearchAttributes(client, settings.TEMPORAL_NAMESPACE);
  } finally {
    await client.close();
  }

  const connection = await NativeConnection.connect({ address: options.address });
  const taskQueue = options.taskQueue ?? settings.TEMPORAL_TASK_QUEUE;
  const worker = await Worker.create({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      db,
      log: log.child({ component: 'activities' }),
      config: { roots, outputRoot, faultInjection: settings.WINTAP_NOISE_FAULT_INJECTION },
    }),
    maxConcurrentActivityTaskExecutions: settings.WINTAP_NOISE_WORKER_ACTIVITY_CONCURRENCY,
  });
  log.info({ taskQueue, namespace: settings.TEMPORAL_NAMESPACE, address: options.address, roots }, 'worker ready');
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        db.close();
        await connection.close();
      }
    },
  };
}
