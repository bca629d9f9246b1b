/**
 * The README's "Run it from the Web UI" path in a real browser: Start Workflow on the workflows page
 * with `{}` (the sample data set), the run shows Completed, and its page shows the step table
 * (Current Details) and the proportions (the result).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { PipelineResult } from '../../workflows/pipeline';
import { screenshot } from './browser';
import { useUiFixture } from './fixture';
import { fillStartWorkflowForm, submitStartWorkflowForm, waitForListStatus } from './temporal-ui';

const ui = useUiFixture('ui-start');

test('Start Workflow in the Web UI with {} runs the sample; the run page shows progress and proportions', async () => {
  const { root, tw, page } = ui;
  const workflowId = `ui-sample-${Date.now()}`;
  await fillStartWorkflowForm(page, { workflowId, taskQueue: tw.taskQueue, workflowType: 'platformNoisePipeline', input: '{}' });
  await screenshot(page, 'ui-start-01-form');
  await submitStartWorkflowForm(page);
  await screenshot(page, 'ui-start-02-started');

  // The same run through the SDK: the figures the page must show.
  const result = (await tw.client.workflow.getHandle(workflowId).result()) as PipelineResult;
  assert.equal(result.dataset, 'sample');
  assert.ok(fs.existsSync(path.join(root, 'sample', 'small')), 'the sample data set was generated in the data root');

  await waitForListStatus(page, workflowId, 'Completed');
  await screenshot(page, 'ui-start-03-list-completed');

  await page.getByRole('link', { name: workflowId, exact: true }).click();
  await page.waitForURL((url) => url.pathname.includes(encodeURIComponent(workflowId)));
  // The result panel: the proportions the run returned.
  await page.getByText(`"ratio": ${result.proportions.ratio}`).first().waitFor({ timeout: 30_000 });
  for (const figure of [`"num_total": ${result.proportions.num_total}`, `"distinct_labelled": ${result.proportions.distinct_labelled}`]) {
    assert.equal(await page.getByText(figure).first().isVisible(), true, figure);
  }
  await screenshot(page, 'ui-start-04-run-result');

  await page
    .getByRole('link', { name: 'User Metadata' })
    .or(page.getByRole('tab', { name: 'User Metadata' }))
    .first()
    .click();
  await page.getByText('Current Details').first().waitFor({ timeout: 30_000 });
  const table = await currentDetailsTable(page);
  assert.match(table.heading, /wintap-noise · sample · completed/);
  // Every step of the run is listed with the status and row count the run recorded.
  for (const step of result.steps) {
    const row = table.rows.find((r) => r[0] === step.name);
    assert.ok(row, `step ${step.name} is in the Current Details table`);
    assert.equal(row[1], step.status, step.name);
    assert.equal(row[2], step.rows === null ? '' : String(step.rows), step.name);
  }
  assert.ok(table.rows.some((r) => r[0] === 'report'));
  await screenshot(page, 'ui-start-05-current-details');
});

/**
 * The Current Details panel renders the workflow's markdown (setCurrentDetails) in a sandboxed frame;
 * read its heading line and the step table (a block of aligned columns: step and status left-aligned,
 * rows and ms right-aligned under their headers) as displayed.
 */
async function currentDetailsTable(page: Page): Promise<{ heading: string; rows: string[][] }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of [page.mainFrame(), ...page.frames()]) {
      const text = await frame
        .locator('pre')
        .filter({ hasText: 'recordRun' })
        .first()
        .innerText({ timeout: 1_000 })
        .catch(() => '');
      if (!text) continue;
      const [header, ...lines] = text.split('\n').filter((l) => l.trim() !== '');
      const statusAt = header.indexOf('status');
      const rowsEnd = header.indexOf('rows') + 'rows'.length;
      const rows = lines.map((l) => {
        const [status, count = ''] = l.slice(statusAt, rowsEnd).trim().split(/\s+/);
        return [l.slice(0, statusAt).trim(), status, count, l.slice(rowsEnd).trim()];
      });
      const heading =
        (await frame.locator('body').innerText())
          .split('\n')
          .map((l) => l.trim())
          .find((l) => l.startsWith('wintap-noise')) ?? '';
      return { heading, rows };
    }
    if (Date.now() > deadline) throw new Error('the Current Details panel shows no step table');
    await page.waitForTimeout(500);
  }
}
