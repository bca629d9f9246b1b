/**
 * The orchestration commands as a user runs them: `wintap-noise status|resume|schedule` in a child
 * process against the test server (TEMPORAL_ADDRESS set), with a real worker on the run's task queue.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { startTestWorker, testAddress, type TestWorker } from '../support/temporal';
import { runCli } from '../support/cli';
import { tempDir } from '../support/process-table';
import { writeLab } from '../workflows/lab';

let root: string;
let tw: TestWorker;

before(async () => {
  root = tempDir();
  await writeLab(root);
  tw = await startTestWorker(root, { name: 'cli-orchestration' });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The CLI run from the data folder (relative paths resolve there), against the test server and worker. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runCli(args, {
    cwd: root,
    env: { TEMPORAL_ADDRESS: testAddress(), TEMPORAL_TASK_QUEUE: tw.taskQueue, WINTAP_NOISE_LOG_LEVEL: 'error' },
  });
  return { ...result, code: result.code ?? 1 };
}

test('--help lists resume, status and schedule', async () => {
  const { code, stdout } = await cli(['--help']);
  assert.equal(code, 0);
  for (const command of ['run', 'resume', 'status', 'schedule']) assert.match(stdout, new RegExp(`^ {2}${command}\\b`, 'm'), command);
});

test('status shows a failed run and the remedy; resume --rules fixes it; status then shows it completed', async () => {
  fs.writeFileSync(path.join(root, 'rules.json'), JSON.stringify([{ label: 'aws', pattern: '' }]));
  const workflowId = `cli-resume-${crypto.randomBytes(4).toString('hex')}`;
  await assert.rejects(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId,
      args: [{ input: 'lab', out: 'cli-resume', rulesFile: 'rules.json' }],
    }),
  );

  const failed = await cli(['status', workflowId]);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stdout, /FAILED/);
  assert.match(failed.stdout, /^ {2}lineage +computed/m);
  assert.match(failed.stdout, /^ {2}rules +failed/m);
  assert.match(failed.stdout, /rule 0 \(pattern\): pattern must not be empty/);
  assert.match(failed.stdout, new RegExp(`resume it with: wintap-noise resume ${workflowId}`));

  // A replacement rules file with an empty pattern is refused before anything starts, naming the rule.
  fs.writeFileSync(path.join(root, 'still-bad.json'), JSON.stringify([{ label: 'aws', pattern: '' }]));
  const refused = await cli(['resume', workflowId, '--rules', 'still-bad.json']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /rules file .*still-bad\.json: rule 0\.pattern: pattern must not be empty/);

  fs.writeFileSync(path.join(root, 'fixed.json'), JSON.stringify([{ label: 'aws', pattern: 'ssm-' }]));
  const resumed = await cli(['resume', workflowId, '--rules', 'fixed.json', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /^ {2}ingest +reused/m);
  assert.match(resumed.stdout, /^ {2}lineage +reused/m);
  assert.match(resumed.stdout, /^ {2}label:aws +computed/m);
  const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.status, 'completed');
  assert.deepEqual(summary.proportions.labels, { aws: 4 });

  const completed = await cli(['status', workflowId, '--json']);
  assert.equal(completed.code, 0, completed.stderr);
  const status = JSON.parse(completed.stdout);
  assert.equal(status.execution, 'COMPLETED');
  assert.equal(status.progress.steps.find((s: { name: string }) => s.name === 'lineage').status, 'reused');
});

test('schedule create, describe, pause, trigger --wait, delete', async () => {
  const id = `cli-schedule-${crypto.randomBytes(4).toString('hex')}`;
  const input = JSON.stringify({ input: 'lab', out: 'cli-scheduled' });
  const created = await cli(['schedule', 'create', '--id', id, '--every', '365d', '--input', input, '--catchup-window', '5m']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, new RegExp(`schedule ${id} +active`));
  assert.match(created.stdout, /overlap SCHEDULE_OVERLAP_POLICY_SKIP|overlap SKIP/);
  assert.match(created.stdout, /catch-up window 300 s/);
  try {
    const bad = await cli(['schedule', 'create', '--id', `${id}-bad`, '--every', '1h', '--input', '{"partitions": 0}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--input: invalid pipeline input: partitions/);

    assert.equal((await cli(['schedule', 'pause', id, '--note', 'maintenance'])).code, 0);
    assert.match((await cli(['schedule', 'describe', id])).stdout, /PAUSED {2}\(maintenance\)/);
    assert.equal((await cli(['schedule', 'unpause', id])).code, 0);

    const triggered = await cli(['schedule', 'trigger', id, '--wait']);
    assert.equal(triggered.code, 0, triggered.stderr + triggered.stdout);
    assert.match(triggered.stdout, new RegExp(`schedule ${id} started workflow ${id}-`));
    const partition = /data set lab -> (\S+)/.exec(triggered.stdout)?.[1];
    assert.ok(partition && /cli-scheduled\/\d{8}T\d{6}Z$/.test(partition), triggered.stdout);
    assert.ok(fs.existsSync(path.join(partition, 'proportions.json')));
    // The schedule list is read from visibility, which the server updates a moment after each change.
    let listed = await cli(['schedule', 'list']);
    for (let i = 0; i < 5 && !listed.stdout.includes(id); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      listed = await cli(['schedule', 'list']);
    }
    assert.match(listed.stdout, new RegExp(`^${id} +active`, 'm'), listed.stderr);
  } finally {
    const deleted = await cli(['schedule', 'delete', id]);
    assert.equal(deleted.code, 0, deleted.stderr);
  }
});
