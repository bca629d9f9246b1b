/**
 * A run started from the Web UI on an input that does not exist fails, shows Failed in the list, and its
 * page shows the reason; once the data is in place, the documented `wintap-noise resume <workflowId>`
 * completes it under the same workflow id, which the Web UI then shows as Completed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { test } from 'node:test';
import { testAddress } from '../support/temporal';
import { writeProcessTable } from '../support/process-table';
import type { PipelineResult } from '../../workflows/pipeline';
import { screenshot } from './browser';
import { useUiFixture } from './fixture';
import { fillStartWorkflowForm, submitStartWorkflowForm, waitForListStatus } from './temporal-ui';

const ROOT = path.resolve(__dirname, '..', '..');

const ui = useUiFixture('ui-failed');

test('a run on a missing input shows Failed with its reason; resume completes it once the data is there', async () => {
  const { root, tw, page } = ui;
  const workflowId = `ui-failed-${Date.now()}`;
  await fillStartWorkflowForm(page, {
    workflowId,
    taskQueue: tw.taskQueue,
    workflowType: 'platformNoisePipeline',
    input: '{"input": "lab-late", "dataset": "lab-late"}',
  });
  await submitStartWorkflowForm(page);
  await assert.rejects(tw.client.workflow.getHandle(workflowId).result(), /Workflow execution failed/);

  await waitForListStatus(page, workflowId, 'Failed');
  await screenshot(page, 'ui-failed-01-list');

  // The run's page names the cause and the remedy.
  await page.getByRole('link', { name: workflowId, exact: true }).click();
  const reason = page.getByText(/lab-late does not exist; check the path/).first();
  await reason.waitFor({ timeout: 30_000 });
  assert.equal(await reason.isVisible(), true);
  await screenshot(page, 'ui-failed-02-reason', { fullPage: true });

  // Fix: the data set arrives where the run looked for it; then the README's resume command.
  await writeProcessTable(path.join(root, 'lab-late'), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'svc', name: 'services.exe', parent: 'nt' },
    { id: 'wt', name: 'wintap.exe', parent: 'svc' },
    { id: 'mh', name: 'mergehelper.exe', parent: 'wt' },
    { id: 'ch', name: 'conhost.exe', parent: 'missing' },
  ]);
  // Asynchronously: the test's worker runs in this process and must keep polling while the CLI waits.
  const resume = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), 'resume', workflowId, '--json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, TEMPORAL_ADDRESS: testAddress(), TEMPORAL_TASK_QUEUE: tw.taskQueue, WINTAP_NOISE_DATA_ROOTS: root },
    },
  );
  assert.match(resume.stdout, new RegExp(`resuming ${workflowId} \\(was failed\\)`));

  const result = (await tw.client.workflow.getHandle(workflowId).result()) as PipelineResult;
  assert.equal(result.proportions.num_total, 5);
  assert.deepEqual(result.proportions.labels, { wintap: 2, aws: 0 });

  await waitForListStatus(page, workflowId, 'Completed');
  await screenshot(page, 'ui-failed-03-resumed-list');
  await page.getByRole('link', { name: workflowId, exact: true }).first().click();
  await page.getByText(`"ratio": ${result.proportions.ratio}`).first().waitFor({ timeout: 30_000 });
  await screenshot(page, 'ui-failed-04-resumed-run');
});
