/**
 * Recovery on the real dev server: a transient failure retried by Temporal, a run failed on a bad
 * rules file then fixed and resumed (finished steps reused), an input override on resume, a Web UI
 * style Reset, and an identical re-run that reuses every checkpointed step.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { platformNoisePipeline, progressQuery, type PipelineResult } from '../../workflows/pipeline';
import { resumePipeline } from '../../cli/resume';
import { describeFailure } from '../../cli/failure';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { activityAttempts, sessionOf, writeLab } from './lab';

const CHECKPOINTED = ['ingest', 'lineage', 'duds', 'label:wintap', 'label:aws', 'union', 'denoise'];

let root: string;
let tw: TestWorker;

before(async () => {
  root = tempDir();
  await writeLab(root);
  tw = await startTestWorker(root, { name: 'resume' });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const uniqueId = (name: string) => `${name}-${crypto.randomBytes(4).toString('hex')}`;
const statuses = (result: PipelineResult) => Object.fromEntries(result.steps.map((s) => [s.name, s.status]));

test('a transient lineage failure (WINTAP_NOISE_FAULT_INJECTION=lineage:1) is retried to success', async () => {
  const faulty = await startTestWorker(root, { name: 'fault', env: { WINTAP_NOISE_FAULT_INJECTION: 'lineage:1' } });
  try {
    const workflowId = uniqueId('fault');
    const out = path.join(root, 'out-fault');
    const result = await faulty.client.workflow.execute(platformNoisePipeline, {
      taskQueue: faulty.taskQueue,
      workflowId,
      args: [{ input: 'lab', out }],
    });
    assert.equal(result.proportions.ratio, 7 / 11);
    const lineage = (await activityAttempts(faulty.client, workflowId)).filter((a) => a.type === 'lineage');
    assert.equal(lineage.length, 1, 'one lineage activity');
    assert.equal(lineage[0].outcome, 'completed');
    assert.equal(lineage[0].attempt, 2, 'completed on its second attempt');
    assert.match(lineage[0].lastFailure ?? '', /injected fault in lineage \(attempt 1 of 1/);
    // The other steps ran once: the switch names one step.
    const others = (await activityAttempts(faulty.client, workflowId)).filter((a) => a.type !== 'lineage');
    assert.ok(others.every((a) => a.attempt === 1));
  } finally {
    await faulty.stop();
  }
});

test('a run failed on a bad rules file is fixed and resumed: ingest and lineage come back reused', async () => {
  const rulesFile = path.join(root, 'rules-resume.json');
  fs.writeFileSync(
    rulesFile,
    JSON.stringify([
      { label: 'wintap', pattern: 'wintap' },
      { label: 'aws', pattern: '' },
    ]),
  );
  const workflowId = uniqueId('bad-rules');
  const out = path.join(root, 'out-resume');
  const handle = await tw.client.workflow.start(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId,
    args: [{ input: 'lab', out, rulesFile: 'rules-resume.json' }],
  });
  const failure = await handle.result().then(
    () => assert.fail('the run must fail on the bad rule'),
    (err: unknown) => err,
  );
  assert.ok(failure instanceof WorkflowFailedError);
  const reason = describeFailure(failure);
  assert.match(reason, /step readRules failed: rules file .*rules-resume\.json: rule 1 \(pattern\): pattern must not be empty/);
  assert.match(reason, /wintap-noise resume/, 'the message names the remedy');
  let cause: unknown = failure.cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
  assert.ok(cause instanceof ApplicationFailure && cause.type === 'BadRules' && cause.nonRetryable, 'BadRules, not retried');
  const failedProgress = await handle.query(progressQuery);
  assert.equal(failedProgress.status, 'failed');
  assert.deepEqual(
    failedProgress.steps.filter((s) => ['ingest', 'lineage', 'duds', 'rules'].includes(s.name)).map((s) => [s.name, s.status]),
    [
      ['ingest', 'computed'],
      ['lineage', 'computed'],
      ['duds', 'computed'],
      ['rules', 'failed'],
    ],
  );

  // Fix the file, resume with the original input (read from history): only labelling onwards computes.
  fs.writeFileSync(
    rulesFile,
    JSON.stringify([
      { label: 'wintap', pattern: 'wintap' },
      { label: 'aws', pattern: 'ssm-' },
    ]),
  );
  const lines: string[] = [];
  const result = await resumePipeline(sessionOf(tw), workflowId, { out: (line) => lines.push(line) });
  const s = statuses(result);
  assert.equal(s.ingest, 'reused');
  assert.equal(s.lineage, 'reused');
  assert.equal(s.duds, 'reused');
  assert.equal(s.rules, 'computed');
  assert.equal(s['label:aws'], 'computed');
  assert.deepEqual(result.proportions.labels, { wintap: 3, aws: 4 });
  assert.match(lines[0], new RegExp(`^resuming ${workflowId} \\(was failed\\)`));
  assert.ok(
    lines.some((l) => /^ {2}lineage +reused/.test(l)),
    `a progress line shows lineage reused:\n${lines.join('\n')}`,
  );

  // Same workflow id, a new run, the first one still in history as failed.
  const description = await tw.client.workflow.getHandle(workflowId).describe();
  assert.equal(description.status.name, 'COMPLETED');
  assert.notEqual(description.runId, handle.firstExecutionRunId);
  const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(run.params.rulesFile, 'rules-resume.json');
  assert.deepEqual(
    run.params.rules.map((r: { label: string }) => r.label),
    ['wintap', 'aws'],
  );

  // A completed run is not resumed again.
  await assert.rejects(resumePipeline(sessionOf(tw), workflowId, { out: () => {} }), /already completed/);
});

test('resume --rules replaces a bad rules file with inline rules; a bad override names the field', async () => {
  fs.writeFileSync(path.join(root, 'rules-missing-label.json'), JSON.stringify([{ pattern: 'wintap' }]));
  const workflowId = uniqueId('override');
  const out = path.join(root, 'out-override');
  await assert.rejects(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId,
      args: [{ input: 'lab', out, rulesFile: 'rules-missing-label.json' }],
    }),
    (err: Error) => /rule 0 \(label\)/.test(describeFailure(err)),
  );
  await assert.rejects(
    resumePipeline(sessionOf(tw), workflowId, { override: { partitions: 0 }, out: () => {} }),
    /partitions: .*--input-override/,
  );
  const result = await resumePipeline(sessionOf(tw), workflowId, {
    override: { rules: [{ label: 'agent', pattern: 'WINTAP' }], rulesFile: null },
    out: () => {},
  });
  assert.deepEqual(result.proportions.labels, { agent: 3 }, 'matching is case-insensitive');
  assert.equal(statuses(result).lineage, 'reused');
});

test('a Reset to the first workflow task re-runs the pipeline to completion, every checkpointed step reused', async () => {
  const workflowId = uniqueId('reset');
  const out = path.join(root, 'out-reset');
  const handle = await tw.client.workflow.start(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId,
    args: [{ input: 'lab', out }],
  });
  const first = await handle.result();
  assert.ok(first.steps.every((s) => s.status === 'computed'));

  // What the Web UI's "Reset -> first workflow task completed" sends.
  const history = await handle.fetchHistory();
  const firstTask = history.events?.find((e) => e.workflowTaskCompletedEventAttributes);
  assert.ok(firstTask?.eventId);
  const { runId } = await tw.client.workflowService.resetWorkflowExecution({
    namespace: tw.client.options.namespace,
    workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
    workflowTaskFinishEventId: firstTask.eventId,
    requestId: crypto.randomUUID(),
    reason: 'test: reset to the first workflow task',
  });
  assert.ok(runId);
  const again = await tw.client.workflow.getHandle<typeof platformNoisePipeline>(workflowId, runId).result();
  const s = statuses(again);
  for (const step of CHECKPOINTED) assert.equal(s[step], 'reused', step);
  assert.deepEqual(again.proportions, first.proportions);

  // And an identical new run (same input, same output folder) reuses them all too.
  const rerun = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: uniqueId('rerun'),
    args: [{ input: 'lab', out }],
  });
  const r = statuses(rerun);
  for (const step of CHECKPOINTED) assert.equal(r[step], 'reused', step);
  assert.deepEqual(rerun.proportions, first.proportions);
});
