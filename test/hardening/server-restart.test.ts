/**
 * The Temporal dev server stopped and started again (same SQLite file, same port) while a run is in
 * lineage: the run's state survives in SQLite, the worker reconnects, and the run completes with the
 * same proportions as an undisturbed run. A server of this test's own, not the shared one.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { generate } from '../../generator';
import { platformNoisePipeline, progressQuery } from '../../workflows/pipeline';
import { createLogger } from '../../config/logger';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { installRuntime } from '../../workers/runtime';
import { freePort, startLocalServer, type LocalServer } from '../../temporal/dev-server';
import { testSettings, uniqueTaskQueue } from '../support/temporal';
import { tempDir } from '../support/process-table';

let root: string;
let server: LocalServer | null = null;

before(async () => {
  root = tempDir();
  // Big enough that lineage takes a few seconds, small for a shared machine.
  await generate({ profile: 'acme4', scale: 0.05, seed: 11, out: path.join(root, 'acme4-small'), layout: 'stdview' });
});

after(async () => {
  await server?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a dev server restarted mid-run (SQLite state): the run completes, correct', { timeout: 300_000 }, async () => {
  const taskQueue = uniqueTaskQueue('restart');
  const settings = testSettings(root, { TEMPORAL_TASK_QUEUE: taskQueue });
  const log = createLogger(settings, 'restart-worker');
  // Before the server: starting one instantiates the SDK's Runtime, which must be ours.
  installRuntime(log);
  const dbFilename = path.join(root, 'temporal.db');
  const port = await freePort();
  server = await startLocalServer({ port, uiPort: null, dbFilename });
  const address = server.address;
  const worker = await createPipelineWorker({
    settings,
    log,
    address,
    taskQueue,
    workflowBundlePath: process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE,
  });
  const running = worker.run();
  try {
    const workflowId = `restart-${crypto.randomBytes(4).toString('hex')}`;
    const out = path.join(root, 'out');
    let connection = await Connection.connect({ address });
    let client = new Client({ connection });
    const handle = await client.workflow.start(platformNoisePipeline, { taskQueue, workflowId, args: [{ input: 'acme4-small', out }] });
    await poll('lineage to start', 120_000, async () => {
      const progress = await handle.query(progressQuery);
      return progress.steps.find((s) => s.name === 'lineage')?.status === 'running' ? true : null;
    });
    await connection.close();

    // Down and up again on the same port and database, while the worker is busy in lineage.
    await server.stop();
    server = await startLocalServer({ port, uiPort: null, dbFilename });

    connection = await Connection.connect({ address });
    client = new Client({ connection });
    try {
      const result = await client.workflow.getHandle(workflowId).result();
      assert.equal(result.proportions.num_total > 10_000, true);
      const steps = Object.fromEntries(result.steps.map((s: { name: string; rows: number | null }) => [s.name, s]));
      assert.equal(steps.lineage.rows, steps.ingest.rows, 'one lineage row per process');

      // The same data on an undisturbed run (every step reused or recomputed) gives the same figures.
      const clean = await client.workflow.execute(platformNoisePipeline, {
        taskQueue,
        workflowId: `${workflowId}-clean`,
        args: [{ input: 'acme4-small', out: path.join(root, 'out-clean') }],
      });
      assert.deepEqual(result.proportions, clean.proportions);
      const published = JSON.parse(fs.readFileSync(path.join(out, 'proportions.json'), 'utf8'));
      assert.deepEqual(published, clean.proportions);
    } finally {
      await connection.close();
    }
  } finally {
    worker.worker.shutdown();
    await running;
  }
});
