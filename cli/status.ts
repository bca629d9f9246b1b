/**
 * `wintap-noise status <workflowId>`: where a run is. The progress query answers for running and
 * closed runs alike while a worker polls the run's task queue (embedded mode starts a query-only
 * worker for it). With no worker to answer, a closed run's steps are read from its history instead:
 * each completed activity's result, then the result or failure of the run.
 */
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { fromPayloadsAtIndex } from '@temporalio/common';
import { z } from 'zod';
import { loadSettings } from '../config/settings';
import { createCliLogger } from '../config/logger';
import { progressQuery, type PipelineResult, type Progress, type StepProgress } from '../workflows/pipeline';
import { scheduledStartTime } from '../workflows/schedule';
import { openSession, type Session } from './session';
import { describeFailure } from './failure';
import { formatSummary } from './progress';

export interface RunStatus {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, CANCELLED, TIMED_OUT, ... */
  execution: string;
  taskQueue: string;
  /** Where `progress` came from: the live query, or the history of a closed run. */
  source: 'query' | 'history';
  progress: Progress;
  result: PipelineResult | null;
  failure: string | null;
}

/** How long to wait for a worker to answer the query before reading the history instead. */
const QUERY_TIMEOUT_MS = 5_000;

/** Activities whose progress step has another name. */
const STEP_OF_ACTIVITY: Record<string, string> = { readRules: 'rules' };
const stepOf = (activityType: string) => STEP_OF_ACTIVITY[activityType] ?? activityType;

/** Steps of a closed run from its history: one per activity that completed or failed, in order. */
async function progressFromHistory(client: Client, workflowId: string, runId: string): Promise<StepProgress[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const converter = client.options.loadedDataConverter.payloadConverter;
  const scheduled = new Map<string, string>();
  const steps: StepProgress[] = [];
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), stepOf(s.activityType?.name ?? 'activity'));
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const type = scheduled.get(String(done.scheduledEventId)) ?? 'activity';
      const r = fromPayloadsAtIndex<Record<string, unknown> | null>(converter, 0, done.result?.payloads) ?? {};
      steps.push({
        name: type === 'label' && typeof r.name === 'string' ? r.name : type,
        status: r.status === 'reused' ? 'reused' : 'computed',
        rows: typeof r.rows === 'number' ? r.rows : null,
        ms: typeof r.ms === 'number' ? r.ms : null,
      });
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) steps.push({ name: scheduled.get(String(failed.scheduledEventId)) ?? 'activity', status: 'failed', rows: null, ms: null });
  }
  return steps;
}

export async function runStatus(client: Client, workflowId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle<() => Promise<PipelineResult>>(workflowId);
  const d = await handle.describe().catch((err: Error) => {
    throw new Error(`no run with workflow id ${workflowId} (${err.message}); list runs in the Web UI or with \`temporal workflow list\``);
  });
  const execution = d.status.name;
  let result: PipelineResult | null = null;
  let failure: string | null = null;
  if (execution === 'COMPLETED') result = await handle.result();
  else if (execution !== 'RUNNING') failure = await handle.result().then(() => null, describeFailure);

  const scheduledAt = scheduledStartTime(d.typedSearchAttributes, d.searchAttributes)?.toISOString() ?? null;
  try {
    const progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(progressQuery));
    return { workflowId, runId: d.runId, execution, taskQueue: d.taskQueue, source: 'query', progress, result, failure };
  } catch (err) {
    // No worker answered (or the run failed before its query handler was set, e.g. on bad input).
    if (execution === 'RUNNING') {
      failure = `no worker answered the progress query on task queue ${d.taskQueue} (${describeFailure(err)}); start one with \`npm run worker\``;
    }
  }
  const steps = result
    ? result.steps.map((s) => ({ name: s.name, status: s.status, rows: s.rows, ms: s.ms }))
    : await progressFromHistory(client, workflowId, d.runId);
  const progress: Progress = {
    status: execution === 'COMPLETED' ? 'completed' : execution === 'RUNNING' ? 'running' : 'failed',
    dataset: result?.dataset ?? (d.searchAttributes.WintapDataset?.[0] as string | undefined) ?? null,
    outDir: result?.outDir ?? null,
    scheduledAt,
    steps,
  };
  return { workflowId, runId: d.runId, execution, taskQueue: d.taskQueue, source: 'history', progress, result, failure };
}

/** The status as lines for a person: header, every step (pending ones too), then result or failure. */
export function formatStatus(s: RunStatus): string[] {
  const p = s.progress;
  const lines = [
    `workflow ${s.workflowId}  run ${s.runId}  ${s.execution}  (task queue ${s.taskQueue}, progress from ${s.source})`,
    `data set ${p.dataset ?? '?'}${p.outDir ? ` -> ${p.outDir}` : ''}${p.scheduledAt ? `  scheduled at ${p.scheduledAt}` : ''}`,
    ...p.steps.map((step) => {
      const rows = step.rows === null ? '' : `${step.rows.toLocaleString('en-US')} rows`;
      const ms = step.ms === null ? '' : `${step.ms} ms`;
      return `  ${step.name.padEnd(16)} ${step.status.padEnd(9)} ${rows.padStart(16)} ${ms.padStart(10)}`;
    }),
  ];
  if (s.result) lines.push(formatSummary(s.result));
  if (s.failure) {
    lines.push('', `failure: ${s.failure}`);
    if (s.execution !== 'RUNNING') lines.push(`resume it with: wintap-noise resume ${s.workflowId}  (see README "Resume a failed run")`);
  }
  return lines;
}

const statusCliSchema = z.object({ json: z.boolean().default(false) });

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('print the progress of a running or finished run (steps, rows, result or failure)')
    .argument('<workflowId>', 'the run (printed by `run`, shown in the Web UI)')
    .option('--json', 'print the status as one JSON object')
    .action(async (workflowId: string, raw: Record<string, unknown>) => {
      const opts = statusCliSchema.parse(raw);
      const settings = loadSettings();
      // Errors only unless asked: the query-only worker's "no activities registered" notice is expected.
      const log = createCliLogger(settings, 'error');
      let session: Session | null = null;
      try {
        // Embedded: the query needs a worker; one with workflow code only answers without running steps.
        session = await openSession({ settings, log, worker: 'queries' });
        const status = await runStatus(session.client, workflowId);
        process.stdout.write((opts.json ? JSON.stringify(status) : formatStatus(status).join('\n')) + '\n');
        if (status.execution !== 'COMPLETED' && status.execution !== 'RUNNING') process.exitCode = 1;
      } catch (err) {
        process.stderr.write(`wintap-noise status: ${describeFailure(err)}\n`);
        process.exitCode = 2;
      } finally {
        await session?.close();
      }
    });
}
