/** The whole pipeline workflow on the real dev server: outputs, proportions, run.json, reuse on a second run. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { platformNoisePipeline, progressQuery } from '../../workflows/pipeline';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { duck, tempDir } from '../support/process-table';
import { SPEC_OUTPUT_FILES } from '../support/spec-outputs';
import { writeLab } from './lab';

let root: string;
let tw: TestWorker;

before(async () => {
  root = tempDir();
  await writeLab(root);
  tw = await startTestWorker(root, { name: 'pipeline' });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a full run writes every SPEC output and the right proportions', async () => {
  const out = path.join(root, 'out');
  const handle = await tw.client.workflow.start(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `pipeline-${Date.now()}`,
    args: [{ input: 'lab', out }],
  });
  const result = await handle.result();

  for (const name of SPEC_OUTPUT_FILES) {
    assert.ok(fs.existsSync(path.join(out, name)), `${name} is written`);
  }
  const proportions = JSON.parse(fs.readFileSync(path.join(out, 'proportions.json'), 'utf8'));
  // 12 processes, 1 dud -> 11 non-dud. wintap: wt, mh, both (3). aws: ssmw, wmic, both, ssm? no: "ssm-" is in
  // "amazon-ssm-agent.exe" -> ssm, ssmw, wmic, both (4); explorer on another host has no parent chain.
  assert.equal(proportions.num_total, 11);
  assert.deepEqual(proportions.labels, { wintap: 3, aws: 4 });
  assert.equal(proportions.ratio, 7 / 11);
  assert.equal(proportions.distinct_labelled, 6);
  assert.deepEqual(Object.keys(proportions.per_host), ['ACME-HH-BKQ', 'ACME-WS-PLU']);
  assert.deepEqual(result.proportions, proportions);

  const rows = await duck<{ label: string; n: string }>(`SELECT label, count(*) AS n FROM read_parquet($f) GROUP BY label ORDER BY label`, {
    f: path.join(out, 'agents_platform.parquet'),
  });
  assert.deepEqual(rows, [
    { label: 'aws', n: '4' },
    { label: 'wintap', n: '3' },
  ]);
  const [codec] = await duck<{ c: string }>(`SELECT DISTINCT compression AS c FROM parquet_metadata($f)`, {
    f: path.join(out, 'agents_platform.parquet'),
  });
  assert.equal(codec.c, 'ZSTD');

  const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.input.layout, 'stdview');
  assert.ok(run.steps.every((s: { status: string }) => s.status === 'computed'));
  const progress = await handle.query(progressQuery);
  assert.equal(progress.status, 'completed');

  // The same run again: every step but the run's own bookkeeping (locate, recordRun) is reused, and the
  // published files are left untouched.
  const published = ['process_path.parquet', 'agents_platform.parquet', 'proportions.json', 'report.html'];
  const mtimes = published.map((name) => fs.statSync(path.join(out, name)).mtimeMs);
  const again = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `pipeline-again-${Date.now()}`,
    args: [{ input: 'lab', out }],
  });
  const statuses = Object.fromEntries(again.steps.map((s) => [s.name, s.status]));
  const rerun = ['locate', 'recordRun'];
  for (const step of again.steps.map((s) => s.name).filter((name) => !rerun.includes(name))) {
    assert.equal(statuses[step], 'reused', step);
  }
  assert.deepEqual(
    Object.keys(statuses).sort(),
    [...rerun, 'ingest', 'lineage', 'duds', 'label:wintap', 'label:aws', 'union', 'denoise', 'persist', 'proportions', 'report'].sort(),
  );
  assert.deepEqual(
    published.map((name) => fs.statSync(path.join(out, name)).mtimeMs),
    mtimes,
  );
  assert.deepEqual(again.proportions, proportions);

  // A published file removed by hand is published again; the checkpoints are still reused.
  fs.rmSync(path.join(out, 'agents_platform.parquet'));
  const third = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `pipeline-third-${Date.now()}`,
    args: [{ input: 'lab', out }],
  });
  const third_ = Object.fromEntries(third.steps.map((s) => [s.name, s.status]));
  assert.equal(third_.union, 'reused');
  assert.equal(third_.persist, 'computed');
  // Same data under the same keys: the report built from it is still current.
  assert.equal(third_.report, 'reused');
  assert.ok(fs.existsSync(path.join(out, 'agents_platform.parquet')));
});

test('a bad input field fails the run at once, naming the field', async () => {
  await assert.rejects(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: `pipeline-bad-${Date.now()}`,
      args: [{ input: 'lab', rules: [{ label: 'x', pattern: '' }] }],
    }),
    (err: Error & { cause?: Error }) => {
      assert.match(err.cause?.message ?? '', /rules\.0\.pattern: pattern must not be empty/);
      return true;
    },
  );
});
