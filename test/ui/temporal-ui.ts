/**
 * The Temporal Web UI (2.54) as a person uses it, for the browser tests: the Start Workflow form on the
 * workflows list, the list's status column, and a run's page. Selectors are roles, labels and visible
 * text, so they follow what a user sees rather than the UI's internal markup.
 */
import type { Page } from 'playwright-core';
import { screenshot } from './browser';

export function temporalUiUrl(): string {
  const url = process.env.WINTAP_NOISE_TEST_TEMPORAL_UI;
  if (!url) throw new Error('WINTAP_NOISE_TEST_TEMPORAL_UI is not set: run the browser tests with `npm run test:ui` or `npm test`');
  return url.replace(/\/$/, '');
}

export function workflowsPage(namespace = 'default'): string {
  return `${temporalUiUrl()}/namespaces/${namespace}/workflows`;
}

export function workflowPage(workflowId: string, namespace = 'default'): string {
  return `${workflowsPage(namespace)}/${encodeURIComponent(workflowId)}`;
}

export interface StartForm {
  workflowId: string;
  taskQueue: string;
  workflowType: string;
  /** The JSON typed into the form's Input > Data editor. */
  input: string;
}

/** From the workflows list: Start Workflow, fill the form, and leave it ready to submit. */
export async function fillStartWorkflowForm(page: Page, form: StartForm): Promise<void> {
  await page.goto(workflowsPage());
  await page.getByRole('link', { name: 'Start Workflow' }).click();
  await page.getByLabel('Workflow ID').fill(form.workflowId);
  await page.getByLabel('Task Queue').fill(form.taskQueue);
  await page.getByLabel('Workflow Type').fill(form.workflowType);
  // The Data field is a code editor, not an <input>: focus it and type like a person would.
  const data = page.getByRole('textbox', { name: 'Data' });
  await data.click();
  // insertText, not type: typed brackets and quotes would be doubled by the editor's auto-closing.
  await page.keyboard.insertText(form.input);
  // Leaving the editor re-formats the JSON; do it before submitting, or the submit click is lost to it.
  await page.getByRole('heading', { name: 'Start Workflow' }).click();
  await page.waitForTimeout(500);
}

export async function submitStartWorkflowForm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  // The form stays open and confirms with a toast.
  try {
    await page.getByRole('link', { name: 'Workflow started successfully' }).waitFor({ timeout: 30_000 });
  } catch (err) {
    await screenshot(page, 'ui-start-form-not-started', { fullPage: true });
    throw new Error('the Start Workflow form did not confirm a start (screenshot: test-artifacts/ui-start-form-not-started.png)', {
      cause: err,
    });
  }
}

/**
 * Reload the workflows list until the row of `workflowId` shows `status` (the list is not live-updated
 * on the dev server's visibility store). Returns when found; throws after `timeoutMs`.
 */
export async function waitForListStatus(page: Page, workflowId: string, status: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(workflowsPage());
    const row = page.getByRole('row').filter({ hasText: workflowId }).first();
    await row.waitFor({ timeout: 10_000 }).catch(() => undefined);
    const cells: string[] = await row
      .locator('td')
      .allTextContents()
      .catch(() => []);
    const seen = cells.map((t) => t.trim());
    // The status cell holds the badge (shown upper-cased by CSS): compare as a person reads it.
    if (seen.some((cell) => cell.toLowerCase() === status.toLowerCase())) return;
    if (Date.now() > deadline)
      throw new Error(`workflow ${workflowId} did not show "${status}" in the Web UI list (its row: ${JSON.stringify(seen)})`);
    await page.waitForTimeout(1_000);
  }
}
