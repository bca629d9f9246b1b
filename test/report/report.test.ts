/**
 * report.html: written by the pipeline's report step and by `wintap-noise report`, rendered in headless
 * Chromium; the figures on the page are read back from the DOM and must equal proportions.json.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { tempDir, writeProcessTable } from '../support/process-table';
import { launchBrowser, newPage, screenshot } from '../ui/browser';

const ROOT = path.resolve(__dirname, '..', '..');
/** A process name that would run script if the report did not escape it. */
const HOSTILE = '<img src=x onerror="document.title=1">.exe';

let root: string;
let tw: TestWorker;
let browser: Browser;

before(async () => {
  root = tempDir();
  await writeProcessTable(path.join(root, 'lab'), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt', started: '2024-03-01 00:00:00' },
    { id: 'svc', name: 'services.exe', parent: 'nt', started: '2024-03-01 00:01:00' },
    { id: 'ssm', name: 'amazon-ssm-agent.exe', parent: 'svc', started: '2024-03-01 00:02:00' },
    { id: 'ssmw', name: 'ssm-agent-worker.exe', parent: 'ssm', started: '2024-03-02 10:00:00' },
    { id: 'wmic1', name: 'wmic.exe', parent: 'ssmw', started: '2024-03-02 10:05:00' },
    { id: 'wmic2', name: 'wmic.exe', parent: 'ssmw', started: '2024-03-03 10:05:00' },
    { id: 'wt', name: 'wintap.exe', parent: 'svc', started: '2024-03-01 00:03:00' },
    { id: 'mh1', name: 'mergehelper.exe', parent: 'wt', started: '2024-03-02 00:05:00' },
    { id: 'mh2', name: 'mergehelper.exe', parent: 'wt', started: '2024-03-03 00:05:00' },
    { id: 'evil', name: HOSTILE, parent: 'wt', started: '2024-03-03 00:06:00' },
    { id: 'ch1', name: 'conhost.exe', parent: 'missing', started: '2024-03-02 12:00:00' },
    { id: 'ch2', name: 'conhost.exe', parent: 'missing', started: '2024-03-03 12:00:00' },
    { id: 'dud', name: null, parent: null, started: '2024-03-03 13:00:00' },
    { id: 'nt2', name: 'ntoskrnl.exe', parent: 'nt2', host: 'ACME-HH-BKQ', started: '2024-03-01 00:00:00' },
    { id: 'ssm2', name: 'amazon-ssm-agent.exe', parent: 'nt2', host: 'ACME-HH-BKQ', started: '2024-03-01 00:02:00' },
    { id: 'ex2', name: 'explorer.exe', parent: 'nt2', host: 'ACME-HH-BKQ', started: '2024-03-02 08:00:00' },
  ]);
  tw = await startTestWorker(root, { name: 'report' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Shown {
  value: number;
  text: string;
}

/** Every `data-metric` figure inside `scope`, keyed by metric name. */
async function figures(page: Page, scope: string): Promise<Record<string, Shown>> {
  return page.$$eval(`${scope} [data-metric]`, (els) =>
    Object.fromEntries(
      els.map((el) => [el.getAttribute('data-metric')!, { value: Number(el.getAttribute('data-value')), text: el.textContent ?? '' }]),
    ),
  );
}

/** Open report.html from disk, failing on any request that is not the file itself (self-contained). */
async function openReport(file: string): Promise<Page> {
  const page = await newPage(browser);
  const external: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith('file:')) external.push(req.url());
  });
  await page.goto(pathToFileURL(file).href);
  assert.deepEqual(external, [], 'report.html loads nothing from the network');
  return page;
}

function assertShowsProportions(shown: Record<string, Shown>, expected: Record<string, unknown>): void {
  const p = expected as {
    num_total: number;
    ratio: number;
    distinct_labelled: number;
    distinct_share: number;
    labels: Record<string, number>;
  };
  assert.equal(shown.num_total.value, p.num_total);
  assert.equal(shown.num_total.text, p.num_total.toLocaleString('en-US'));
  assert.equal(shown.distinct_labelled.value, p.distinct_labelled);
  assert.equal(shown.ratio.value, p.ratio);
  assert.equal(shown.ratio.text, `${(p.ratio * 100).toFixed(2)} %`);
  assert.equal(shown.distinct_share.value, p.distinct_share);
  for (const [label, n] of Object.entries(p.labels)) assert.equal(shown[`labels.${label}`]?.value, n, `labels.${label}`);
}

test('the pipeline writes report.html whose figures equal proportions.json', async () => {
  const out = path.join(root, 'out');
  const result = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `report-${Date.now()}`,
    args: [{ input: 'lab', out }],
  });
  assert.ok(
    result.steps.some((s) => s.name === 'report'),
    'the run records a report step',
  );
  const proportions = JSON.parse(fs.readFileSync(path.join(out, 'proportions.json'), 'utf8'));
  // 16 processes, 1 dud. wintap: wt, mh1, mh2, evil (4); aws: ssm, ssmw, wmic1, wmic2 on PLU + ssm2 on BKQ (5).
  assert.equal(proportions.num_total, 15);
  assert.deepEqual(proportions.labels, { wintap: 4, aws: 5 });

  const page = await openReport(path.join(out, 'report.html'));
  await screenshot(page, 'report-pipeline', { fullPage: true });
  assertShowsProportions(await figures(page, '#overall'), proportions);

  const hosts = await page.$$eval('#per-host tr[data-host]', (rows) => rows.map((r) => r.getAttribute('data-host')));
  assert.deepEqual(hosts, Object.keys(proportions.per_host));
  for (const host of hosts) assertShowsProportions(await figures(page, `#per-host tr[data-host="${host}"]`), proportions.per_host[host!]);

  // One column per day of process_started; together they hold every non-dud process.
  const days = await page.$$eval('svg [data-day]', (gs) =>
    gs.map((g) => ({
      day: g.getAttribute('data-day'),
      total: Number(g.getAttribute('data-total')),
      labelled: Number(g.getAttribute('data-labelled')),
    })),
  );
  assert.deepEqual(days, [
    { day: '2024-03-01', total: 6, labelled: 3 },
    { day: '2024-03-02', total: 5, labelled: 3 },
    { day: '2024-03-03', total: 4, labelled: 3 },
  ]);

  // Most frequent agent trees: mergehelper's tree twice under wintap; names before/after denoising.
  const topWintapTree = await page.locator('#ptrees-wintap tbody tr').first().locator('td').allTextContents();
  assert.deepEqual(topWintapTree, ['=mergehelper.exe->wintap.exe->services.exe->ntoskrnl.exe', '2']);
  const after = await page.$$eval('#names-after tbody td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.ok(after.includes('conhost.exe') && !after.includes('wmic.exe') && !after.includes('mergehelper.exe'), after.join(', '));
  const before = await page.$$eval('#names-before tbody td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.ok(before.includes('wmic.exe'));

  // Data quality from the ingest, lineage and duds steps.
  const quality = await page.$$eval('#quality [data-fact]', (tds) =>
    Object.fromEntries(tds.map((td) => [td.getAttribute('data-fact'), td.getAttribute('data-value')])),
  );
  assert.equal(quality.duds, '1');
  assert.equal(quality.parents_not_found, '2');
  assert.equal(quality.cross_host_parents, '0');

  // The hostile name is shown as text, never parsed as markup.
  assert.equal(await page.locator('img').count(), 0);
  assert.ok((await page.locator('#ptrees-wintap').innerText()).includes(HOSTILE));
  assert.notEqual(await page.title(), '1');
});

test('wintap-noise report regenerates report.html from an output folder', async () => {
  const out = path.join(root, 'out-cli');
  await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `report-cli-${Date.now()}`,
    args: [{ input: 'lab', out, report: false }],
  });
  const report = path.join(out, 'report.html');
  assert.equal(fs.existsSync(report), false, 'report: false writes no report');

  const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), 'report', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), fs.realpathSync(report));

  const page = await openReport(report);
  await screenshot(page, 'report-cli', { fullPage: true });
  assertShowsProportions(await figures(page, '#overall'), JSON.parse(fs.readFileSync(path.join(out, 'proportions.json'), 'utf8')));
  // The data-quality facts come from run.json.
  assert.equal(await page.locator('#quality [data-fact="duds"]').getAttribute('data-value'), '1');

  const missing = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), 'report', path.join(root, 'lab')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /not a complete wintap-noise output folder: missing process_nondud\.parquet.*run the pipeline/);
});
