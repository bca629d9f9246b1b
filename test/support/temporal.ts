/**
 * Workflow tests run against the real dev server that `npm test` started (WINTAP_NOISE_TEST_TEMPORAL_ADDRESS),
 * each on its own task queue, with a real worker running the real activities on real DuckDB.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseSettings, type Settings } from '../../config/settings';
import { createLogger } from '../../config/logger';
import { createPipelineWorker, type PipelineWorker } from '../../workers/pipeline-worker';
import { installRuntime } from '../../workers/runtime';

export function testAddress(): string {
  const address = process.env.WINTAP_NOISE_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('WINTAP_NOISE_TEST_TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${crypto.randomBytes(4).toString('hex')}`;
}

export function testSettings(root: string, env: Record<string, string> = {}): Settings {
  return parseSettings({
    WINTAP_NOISE_DATA_ROOTS: root,
    WINTAP_NOISE_OUTPUT_ROOT: path.join(root, 'runs'),
    WINTAP_NOISE_LOG_LEVEL: process.env.WINTAP_NOISE_LOG_LEVEL ?? 'warn',
    WINTAP_NOISE_LOG_FORMAT: 'json',
    WINTAP_NOISE_DUCKDB_MEMORY_LIMIT: '2GB',
    TEMPORAL_ADDRESS: testAddress(),
    ...env,
  });
}

export interface TestWorker {
  client: Client;
  taskQueue: string;
  worker: PipelineWorker;
  stop(): Promise<void>;
}

/** A worker on a fresh task queue whose data root is `root`, and a client for the shared server. */
export async function startTestWorker(root: string, options: { name: string; env?: Record<string, string> }): Promise<TestWorker> {
  fs.mkdirSync(root, { recursive: true });
  const settings = testSettings(root, options.env);
  const log = createLogger(settings, 'test-worker');
  installRuntime(log);
  const taskQueue = uniqueTaskQueue(options.name);
  const worker = await createPipelineWorker({
    settings,
    log,
    address: testAddress(),
    taskQueue,
    workflowBundlePath: process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: testAddress() });
  return {
    client: new Client({ connection }),
    taskQueue,
    worker,
    async stop() {
      worker.worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
