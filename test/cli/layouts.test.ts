/**
 * `wintap-noise run` on each input layout of SPEC "Inputs", as a user runs it (the CLI in a child
 * process, against the test server and a worker): one generated data set written as a stdview file, as
 * rolling dayPK folders (processes alive over two days appear twice) and as raw_sensor events
 * (start/refresh/stop rows, stop files without ProcessName), each run into an output folder of its own.
 * Every run must write the SPEC's output folder, record its layout, and, since the three are the same
 * processes, give the same lineage, labels and proportions.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generate } from '../../generator';
import { runCli } from '../support/cli';
import { tempDir } from '../support/process-table';
import { assertSameRows } from '../support/same-outputs';
import { SPEC_OUTPUT_FILES } from '../support/spec-outputs';
import { startTestWorker, testAddress, type TestWorker } from '../support/temporal';

const LAYOUTS = ['stdview', 'rolling', 'raw_sensor'] as const;
type Layout = (typeof LAYOUTS)[number];

/** What each layout's folder is given as: the data set root for stdview, the layout folder itself for the others. */
const INPUT_OF: Record<Layout, string> = {
  stdview: 'stdview',
  rolling: path.join('rolling', 'rolling', 'process'),
  raw_sensor: path.join('raw_sensor', 'raw_sensor', 'raw_process'),
};

let root: string;
let tw: TestWorker;
let processes: number;
const outOf = (layout: Layout) => path.join(root, 'runs', layout);

before(async () => {
  root = tempDir('wintap-noise-layouts-');
  // ACME4-shaped, two days, three hosts: the same seed gives the same processes in every layout.
  for (const layout of LAYOUTS) {
    const generated = await generate({ profile: 'acme4', scale: 0.01, seed: 3, out: path.join(root, layout), layout });
    processes = generated.processes;
  }
  tw = await startTestWorker(root, { name: 'layouts' });
  const env = { TEMPORAL_ADDRESS: testAddress(), TEMPORAL_TASK_QUEUE: tw.taskQueue, WINTAP_NOISE_LOG_LEVEL: 'warn' };
  for (const layout of LAYOUTS) {
    const result = await runCli(['run', '--input', path.join(root, INPUT_OF[layout]), '--out', outOf(layout), '--json'], { env });
    assert.equal(result.code, 0, `${layout}: ${result.stderr}`);
  }
});

after(async () => {
  await tw?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const readJson = (layout: Layout, name: string) => JSON.parse(fs.readFileSync(path.join(outOf(layout), name), 'utf8'));

test('each layout writes the SPEC output folder and records its layout and steps in run.json', () => {
  for (const layout of LAYOUTS) {
    for (const name of SPEC_OUTPUT_FILES) assert.ok(fs.existsSync(path.join(outOf(layout), name)), `${layout}: ${name}`);
    const run = readJson(layout, 'run.json');
    assert.equal(run.input.layout, layout);
    const steps = new Map<string, { status: string; rows: number | null }>(run.steps.map((s: { name: string }) => [s.name, s]));
    for (const step of ['ingest', 'lineage', 'duds', 'union', 'persist', 'proportions']) {
      assert.equal(steps.get(step)?.status, 'computed', `${layout}: ${step}`);
    }
    // One row per process, whatever the layout repeated (days) or split (events).
    assert.equal(steps.get('ingest')?.rows, processes, `${layout}: ingest rows`);
    assert.equal(steps.get('lineage')?.rows, processes, `${layout}: lineage rows`);
  }
  assert.ok(
    readJson('rolling', 'run.json').quality.processes_rolled_up_from_several_rows > 0,
    'rolling: processes over two days are rolled up',
  );
});

test('the three layouts give the same proportions, with both agents present', () => {
  const stdview = readJson('stdview', 'proportions.json');
  assert.ok(stdview.num_total > 0 && stdview.labels.wintap > 0 && stdview.labels.aws > 0, JSON.stringify(stdview));
  assert.deepEqual(readJson('rolling', 'proportions.json'), stdview);
  assert.deepEqual(readJson('raw_sensor', 'proportions.json'), stdview);
});

test('the three layouts give the same lineage and the same agents_platform rows', async () => {
  for (const name of ['process_path.parquet', 'agents_platform.parquet']) {
    for (const layout of ['rolling', 'raw_sensor'] as const) {
      await assertSameRows(path.join(outOf('stdview'), name), path.join(outOf(layout), name), `${layout} ${name} against stdview`);
    }
  }
});
