/**
 * `status` on the real dev server: the progress query for running and closed runs while a worker is
 * up, and the history of a closed run when no worker answers.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { RUN_STATUS } from '../../workflows/search-attributes';
import { formatStatus, runStatus } from '../../cli/status';
import { startTestWorker, testAddress, type TestWorker } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { writeLab } from './lab';

let root: string;
let tw: TestWorker;
let workerStopped = false;

before(async () => {
  root = tempDir();
  await writeLab(root);
  fs.writeFileSync(path.join(root, 'bad-rules.json'), JSON.stringify([{ label: 'aws', pattern: '' }]));
  tw = await startTestWorker(root, { name: 'status' });
});

after(async () => {
  if (!workerStopped) await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a run refused on its input is listed as failed and its status names the field', async () => {
  const workflowId = `status-input-${crypto.randomBytes(4).toString('hex')}`;
  await assert.rejects(
    tw.client.workflow.execute(platformNoisePipeline, { taskQueue: tw.taskQueue, workflowId, args: [{ input: 'lab', partitions: 0 }] }),
  );
  const description = await tw.client.workflow.getHandle(workflowId).describe();
  assert.equal(description.typedSearchAttributes.get(RUN_STATUS), 'failed', 'WintapStatus = "failed" lists it in the Web UI');
  const status = await runStatus(tw.client, workflowId);
  assert.equal(status.execution, 'FAILED');
  // It failed before its query handler existed: the status comes from history.
  assert.equal(status.source, 'history');
  assert.match(status.failure ?? '', /invalid pipeline input: partitions: /);
});

test('status of a completed and a failed run, from the query and then, with no worker, from history', async () => {
  const ok = `status-ok-${crypto.randomBytes(4).toString('hex')}`;
  const bad = `status-bad-${crypto.randomBytes(4).toString('hex')}`;
  await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: ok,
    args: [{ input: 'lab', out: 'status-ok' }],
  });
  await assert.rejects(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: bad,
      args: [{ input: 'lab', out: 'status-bad', rulesFile: 'bad-rules.json' }],
    }),
  );

  const done = await runStatus(tw.client, ok);
  assert.equal(done.source, 'query');
  assert.equal(done.execution, 'COMPLETED');
  assert.equal(done.progress.status, 'completed');
  assert.equal(done.result?.proportions.ratio, 7 / 11);
  assert.ok(done.progress.steps.every((s) => s.status === 'computed'));

  const failed = await runStatus(tw.client, bad);
  assert.equal(failed.source, 'query');
  assert.equal(failed.execution, 'FAILED');
  assert.match(failed.failure ?? '', /step readRules failed: .*rule 0 \(pattern\): pattern must not be empty/);
  assert.equal(failed.progress.steps.find((s) => s.name === 'rules')?.status, 'failed');
  const text = formatStatus(failed).join('\n');
  assert.match(text, /FAILED/);
  assert.match(text, new RegExp(`resume it with: wintap-noise resume ${bad}`));

  // No worker any more: the closed runs' steps come from their histories.
  await tw.stop();
  workerStopped = true;
  const connection = await Connection.connect({ address: testAddress() });
  const client = new Client({ connection });
  try {
    const fromHistory = await runStatus(client, bad);
    assert.equal(fromHistory.source, 'history');
    // Lineage and duds run in parallel: compare by step, not by completion order.
    const byStep = Object.fromEntries(fromHistory.progress.steps.map((s) => [s.name, s.status]));
    for (const [step, status] of Object.entries({
      locate: 'computed',
      ingest: 'computed',
      lineage: 'computed',
      duds: 'computed',
      rules: 'failed',
    })) {
      assert.equal(byStep[step], status, step);
    }
    assert.ok(!('union' in byStep), 'nothing ran after the failure');
    assert.equal(fromHistory.progress.steps.find((s) => s.name === 'ingest')?.rows, 12);
    assert.match(fromHistory.failure ?? '', /pattern must not be empty/);
    const completed = await runStatus(client, ok);
    assert.equal(completed.source, 'history');
    assert.equal(completed.progress.steps.find((s) => s.name === 'label:aws')?.rows, 4);
  } finally {
    await connection.close();
  }
});
