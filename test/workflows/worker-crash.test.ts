/**
 * A worker process killed with SIGKILL in the middle of lineage: the run is not lost. The activity
 * stops heartbeating, Temporal retries it after the heartbeat timeout on the worker still alive, the
 * half-written checkpoint is ignored, and the run completes with the same outputs as a clean run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { generate } from '../../generator';
import { platformNoisePipeline, progressQuery } from '../../workflows/pipeline';
import { createLogger } from '../../config/logger';
import { createPipelineWorker, type PipelineWorker } from '../../workers/pipeline-worker';
import { installRuntime } from '../../workers/runtime';
import { testAddress, testSettings, uniqueTaskQueue } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { activityAttempts } from './lab';

const PROJECT = path.resolve(__dirname, '..', '..');

let root: string;
let connection: Connection;
let client: Client;
let child: ChildProcess | null = null;

before(async () => {
  root = tempDir();
  // Big enough that lineage runs for a while (tens of thousands of processes), small for a shared machine.
  await generate({ profile: 'acme4', scale: 0.05, seed: 7, out: path.join(root, 'acme4-small'), layout: 'stdview' });
  connection = await Connection.connect({ address: testAddress() });
  client = new Client({ connection });
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await connection?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A real worker process, as `npm run worker` starts it, on `taskQueue`. */
function spawnWorker(taskQueue: string): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT, 'workers', 'main.ts')], {
    cwd: PROJECT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: testAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WINTAP_NOISE_DATA_ROOTS: root,
      WINTAP_NOISE_OUTPUT_ROOT: path.join(root, 'runs'),
      WINTAP_NOISE_LOG_LEVEL: 'warn',
      WINTAP_NOISE_LOG_FORMAT: 'json',
      WINTAP_NOISE_DUCKDB_MEMORY_LIMIT: '1GB',
      WINTAP_NOISE_DUCKDB_THREADS: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr?.on('data', () => undefined);
  return proc;
}

test('SIGKILL of the worker running lineage: a second worker finishes the run', { timeout: 240_000 }, async () => {
  const taskQueue = uniqueTaskQueue('crash');
  const workflowId = `crash-${crypto.randomBytes(4).toString('hex')}`;
  const out = path.join(root, 'out');
  child = spawnWorker(taskQueue);
  const handle = await client.workflow.start(platformNoisePipeline, { taskQueue, workflowId, args: [{ input: 'acme4-small', out }] });

  // Wait until the child is inside lineage (the query is answered by the child itself).
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'lineage never started');
    assert.equal(child.exitCode, null, 'the worker process died on its own');
    const progress = await handle.query(progressQuery).catch(() => null);
    if (progress?.steps.find((s) => s.name === 'lineage')?.status === 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL');

  // A second worker on the same task queue picks up the workflow and, after the heartbeat timeout, lineage.
  const settings = testSettings(root, { TEMPORAL_TASK_QUEUE: taskQueue });
  const log = createLogger(settings, 'second-worker');
  installRuntime(log);
  const second: PipelineWorker = await createPipelineWorker({
    settings,
    log,
    address: testAddress(),
    taskQueue,
    workflowBundlePath: process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE,
  });
  const running = second.run();
  try {
    const result = await handle.result();
    const lineage = (await activityAttempts(client, workflowId)).filter((a) => a.type === 'lineage');
    assert.equal(lineage.length, 1);
    assert.equal(lineage[0].outcome, 'completed');
    assert.ok(lineage[0].attempt >= 2, `lineage completed on a retry (attempt ${lineage[0].attempt})`);
    assert.match(lineage[0].lastFailure ?? '', /heartbeat/i, 'the retry was caused by the missed heartbeat');

    const steps = Object.fromEntries(result.steps.map((s) => [s.name, s]));
    assert.equal(steps.lineage.rows, steps.ingest.rows, 'one lineage row per process');
    assert.ok(result.proportions.num_total > 10_000);
    assert.ok(result.proportions.labels.wintap > 0 && result.proportions.labels.aws > 0);
    // Whatever the killed worker was writing is never taken for a checkpoint.
    const checkpoints = fs.readdirSync(path.join(out, '.checkpoints', 'lineage'));
    assert.equal(checkpoints.filter((f) => f.endsWith('.parquet')).length, 1, checkpoints.join(', '));
  } finally {
    second.worker.shutdown();
    await running;
  }
});
