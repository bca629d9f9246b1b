/**
 * What every Web UI test file needs around its tests: a temporary data root, a real worker on a task
 * queue of its own (test/support/temporal.ts), and a headless Chromium page; torn down afterwards.
 */
import fs from 'node:fs';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { launchBrowser, newPage } from './browser';

export interface UiFixture {
  root: string;
  tw: TestWorker;
  page: Page;
}

/** Registers before/after hooks; the returned object is filled in once `before` has run. */
export function useUiFixture(name: string): UiFixture {
  const fixture = {} as UiFixture & { browser: Browser };
  before(async () => {
    fixture.root = tempDir();
    fixture.tw = await startTestWorker(fixture.root, { name });
    fixture.browser = await launchBrowser();
    fixture.page = await newPage(fixture.browser);
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.tw?.stop();
    if (fixture.root) fs.rmSync(fixture.root, { recursive: true, force: true });
  });
  return fixture;
}
