/**
 * Schedules on the real dev server: a schedule triggered now starts a run that completes, and the run
 * writes into the output partition named by its scheduled (trigger) time.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { platformNoisePipeline, progressQuery } from '../../workflows/pipeline';
import { partitionName, SCHEDULED_START_TIME } from '../../workflows/schedule';
import { createSchedule, createScheduleSchema, triggerSchedule } from '../../cli/schedule';
import { runStatus } from '../../cli/status';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { sessionOf, writeLab } from './lab';

let root: string;
let tw: TestWorker;

before(async () => {
  root = tempDir();
  await writeLab(root);
  tw = await startTestWorker(root, { name: 'schedule' });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a schedule triggered now completes a run whose output partition is named by its scheduled time', async () => {
  const scheduleId = `refresh-${crypto.randomBytes(4).toString('hex')}`;
  const out = path.join(root, 'refresh');
  // Yearly on 1 January: it will not fire by itself during the test; the trigger is the only run.
  const handle = await createSchedule(sessionOf(tw), {
    id: scheduleId,
    cron: '0 0 1 1 *',
    input: JSON.stringify({ input: 'lab', out }),
  });
  try {
    const described = await handle.describe();
    assert.equal(described.policies.overlap, 'SKIP', 'SKIP unless --overlap says otherwise');
    assert.equal(described.policies.catchupWindow, 10 * 60 * 1000, 'the catch-up window is set explicitly');

    const before = Date.now();
    const workflowId = await triggerSchedule(tw.client, scheduleId);
    assert.ok(workflowId.startsWith(`${scheduleId}-`), workflowId);
    const run = tw.client.workflow.getHandle<typeof platformNoisePipeline>(workflowId);
    const result = await run.result();

    const scheduledAt = (await run.describe()).typedSearchAttributes.get(SCHEDULED_START_TIME);
    assert.ok(scheduledAt instanceof Date, 'the scheduler set TemporalScheduledStartTime');
    assert.ok(Math.abs(scheduledAt.getTime() - before) < 60_000, `scheduled at the trigger time (${scheduledAt.toISOString()})`);
    const partition = path.join(fs.realpathSync(out), partitionName(scheduledAt));
    assert.match(path.basename(partition), /^\d{8}T\d{6}Z$/);
    assert.equal(result.outDir, partition);
    for (const file of ['proportions.json', 'agents_platform.parquet', 'run.json']) {
      assert.ok(fs.existsSync(path.join(partition, file)), `${file} is in the partition`);
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(partition, 'proportions.json'), 'utf8')).ratio, 7 / 11);
    assert.ok(!fs.existsSync(path.join(out, 'proportions.json')), 'nothing is written beside the partitions');

    const progress = await run.query(progressQuery);
    assert.equal(progress.scheduledAt, scheduledAt.toISOString());
    const status = await runStatus(tw.client, workflowId);
    assert.equal(status.execution, 'COMPLETED');
    assert.equal(status.progress.scheduledAt, scheduledAt.toISOString());

    const recent = (await handle.describe()).info.recentActions;
    assert.equal(recent.length, 1);
    assert.equal(recent[0].action.workflow.workflowId, workflowId);
  } finally {
    await handle.delete();
  }
});

test('a backfill runs every missed time, each into the partition of its own scheduled time', async () => {
  const scheduleId = `backfill-${crypto.randomBytes(4).toString('hex')}`;
  const out = path.join(root, 'backfilled');
  const handle = await createSchedule(sessionOf(tw), { id: scheduleId, cron: '0 0 1 1 *', input: JSON.stringify({ input: 'lab', out }) });
  try {
    // Two New Year's midnights in range: 2024 and 2025. BUFFER_ALL runs them one after the other.
    await handle.backfill({ start: new Date('2023-12-31T23:59:00Z'), end: new Date('2025-01-01T00:01:00Z'), overlap: 'BUFFER_ALL' });
    const deadline = Date.now() + 120_000;
    let workflowIds: string[] = [];
    while (workflowIds.length < 2) {
      assert.ok(Date.now() < deadline, `the backfill started ${workflowIds.length} of 2 runs`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      workflowIds = (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    }
    const results = [];
    for (const id of workflowIds) results.push(await tw.client.workflow.getHandle<typeof platformNoisePipeline>(id).result());
    assert.deepEqual(results.map((r) => path.basename(r.outDir)).sort(), ['20240101T000000Z', '20250101T000000Z']);
    for (const r of results) assert.equal(r.proportions.ratio, 7 / 11);
    assert.deepEqual(
      fs
        .readdirSync(out)
        .filter((f) => !f.startsWith('.'))
        .sort(),
      ['20240101T000000Z', '20250101T000000Z'],
    );
  } finally {
    await handle.delete();
  }
});

test('schedule options are validated before anything is created', () => {
  assert.throws(() => createScheduleSchema.parse({ id: 'x' }), /exactly one of --cron or --every/);
  assert.throws(() => createScheduleSchema.parse({ id: 'x', every: 'soon' }), /duration/);
  assert.throws(() => createScheduleSchema.parse({ id: 'x', every: '1h', overlap: 'sometimes' }));
  const parsed = createScheduleSchema.parse({ id: 'x', every: '1h' });
  assert.equal(parsed.overlap, 'skip');
  assert.equal(parsed.catchupWindow, '10m');
});
