/**
 * `wintap-noise schedule ...`: recurring pipeline runs through Temporal's Schedules API. Each run the
 * schedule starts carries its scheduled time (search attribute TemporalScheduledStartTime), which the
 * workflow turns into the output partition `<out>/<YYYYMMDDTHHMMSSZ>`, so refreshes never overwrite
 * one another and a backfill of last week fills last week's partitions.
 *
 * Schedules live on the server: they fire only while it runs, and their runs need a worker. Use them
 * against `npm run server` + `npm run worker` (TEMPORAL_ADDRESS set); in embedded mode only
 * `trigger --wait` is useful, since the embedded server and worker stop when the command ends.
 */
import type { Command } from 'commander';
import { ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { loadSettings } from '../config/settings';
import { createCliLogger } from '../config/logger';
import { parsePipelineInput, type PipelineInput } from '../workflows/input';
import { platformNoisePipeline, type PipelineResult } from '../workflows/pipeline';
import { openSession, type Session } from './session';
import { describeFailure } from './failure';
import { formatSummary, watchRun } from './progress';
import { foldersOf } from './resume';

const OVERLAP = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  terminate_other: ScheduleOverlapPolicy.TERMINATE_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
const overlapSchema = z.enum(Object.keys(OVERLAP) as [keyof typeof OVERLAP, ...(keyof typeof OVERLAP)[]]);

const durationSchema = z.string().refine(
  (text) => {
    try {
      return msToNumber(text as never) >= 1000;
    } catch {
      return false;
    }
  },
  { message: 'expected a duration of at least 1 s, such as "30m", "1 hour" or "1d"' },
);
const scheduleIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'may hold only letters, digits, "_", ".", ":" and "-"');

export const createScheduleSchema = z
  .object({
    id: scheduleIdSchema,
    cron: z.string().min(1).optional(),
    every: durationSchema.optional(),
    input: z.string().default('{}'),
    overlap: overlapSchema.default('skip'),
    // Temporal's default catch-up window is a year: after an outage it would start a run for every
    // missed time. A refresh that missed its slot by more than this is left to an explicit backfill.
    catchupWindow: durationSchema.default('10m'),
    paused: z.boolean().default(false),
    note: z.string().optional(),
  })
  .refine((o) => (o.cron === undefined) !== (o.every === undefined), { message: 'give exactly one of --cron or --every', path: ['cron'] });
export type CreateScheduleOptions = z.input<typeof createScheduleSchema>;

/** The pipeline input of a schedule's runs, validated now rather than at every scheduled time. */
export function parseScheduleInput(text: string): PipelineInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`--input is not JSON (${(err as Error).message}); expected e.g. '{"input": "acme4", "rulesFile": "rules.json"}'`, {
      cause: err,
    });
  }
  const parsed = parsePipelineInput(raw);
  if (!parsed.ok) throw new Error(`--input: ${parsed.message}`);
  return raw as PipelineInput;
}

export async function createSchedule(session: Session, raw: CreateScheduleOptions): Promise<ScheduleHandle> {
  const o = createScheduleSchema.parse(raw);
  const input = parseScheduleInput(o.input);
  return session.client.schedule.create({
    scheduleId: o.id,
    spec: o.cron ? { cronExpressions: [o.cron] } : { intervals: [{ every: o.every as never }] },
    action: {
      type: 'startWorkflow',
      workflowType: platformNoisePipeline,
      // Temporal appends the scheduled time to this id, one workflow id per scheduled run.
      workflowId: o.id,
      taskQueue: session.taskQueue,
      args: [input],
    },
    policies: { overlap: OVERLAP[o.overlap], catchupWindow: o.catchupWindow as never },
    state: { paused: o.paused, note: o.note ?? `created by wintap-noise schedule create` },
  });
}

/**
 * How long a trigger may take to show up as an action. The scheduler is itself a workflow on the
 * server; right after a server start (embedded mode) it can take a while to be scheduled.
 */
const TRIGGER_WAIT_MS = 90_000;

/** Trigger a run now and return the workflow id of the run it started (waits for the schedule to take it). */
export async function triggerSchedule(client: Client, scheduleId: string, overlap?: keyof typeof OVERLAP): Promise<string> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
  // A trigger honours the overlap policy: with SKIP and a run still open, nothing new starts.
  await handle.trigger(overlap ? OVERLAP[overlap] : undefined);
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  while (Date.now() < deadline) {
    const taken = (await handle.describe()).info.recentActions.find((a) => !before.has(a.action.workflow.workflowId));
    if (taken) return taken.action.workflow.workflowId;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `schedule ${scheduleId} took no action within ${TRIGGER_WAIT_MS / 1000} s of the trigger; a run may still be open under overlap policy SKIP ` +
      '(use --overlap allow_all, or wait for it)',
  );
}

export function formatScheduleDescription(d: ScheduleDescription): string[] {
  const spec = [
    ...(d.spec.calendars ?? []).map((c) => `calendar ${JSON.stringify(c)}`),
    ...(d.spec.intervals ?? []).map((i) => `every ${i.every / 1000} s`),
  ];
  const args = d.action.args as unknown[] | undefined;
  return [
    `schedule ${d.scheduleId}  ${d.state.paused ? 'PAUSED' : 'active'}${d.state.note ? `  (${d.state.note})` : ''}`,
    `  when: ${spec.join('; ') || '(no spec)'}`,
    `  input: ${JSON.stringify(args?.[0] ?? {})}  task queue ${d.action.taskQueue}`,
    `  overlap ${d.policies.overlap}, catch-up window ${d.policies.catchupWindow / 1000} s`,
    `  next: ${d.info.nextActionTimes.map((t) => t.toISOString()).join(', ') || '-'}`,
    ...d.info.recentActions.map((a) => `  ran: ${a.scheduledAt.toISOString()} -> ${a.action.workflow.workflowId}`),
  ];
}

const out = (line: string) => process.stdout.write(line + '\n');

/** Open a session, run `work`, print its failure as one line; the worker starts only when asked. */
async function withSession(command: string, work: (session: Session) => Promise<void>): Promise<void> {
  const settings = loadSettings();
  const log = createCliLogger(settings);
  let session: Session | null = null;
  try {
    session = await openSession({ settings, log, worker: false });
    if (session.embedded && command !== 'trigger') {
      process.stderr.write(
        `wintap-noise schedule ${command}: note: TEMPORAL_ADDRESS is unset, so this acts on the embedded server, which runs ` +
          'only while a wintap-noise command does; scheduled runs need `npm run server` and `npm run worker`\n',
      );
    }
    await work(session);
  } catch (err) {
    process.stderr.write(`wintap-noise schedule ${command}: ${describeFailure(err)}\n`);
    process.exitCode = 1;
  } finally {
    await session?.close();
  }
}

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('recurring runs (Temporal Schedules): create, list, describe, pause, unpause, trigger, backfill, delete');

  schedule
    .command('create')
    .description('create a schedule that runs the pipeline; each run writes to <out>/<scheduled time>')
    .requiredOption('--id <id>', 'schedule id')
    .option('--cron <expr>', 'cron expression (UTC), e.g. "0 2 * * *"')
    .option('--every <duration>', 'fixed interval, e.g. "6h"')
    .option('--input <json>', 'pipeline input as JSON, e.g. \'{"input": "acme4"}\'', '{}')
    .option('--overlap <policy>', `when a run is still open: ${Object.keys(OVERLAP).join(' | ')}`, 'skip')
    .option('--catchup-window <duration>', 'after an outage, start missed runs at most this late', '10m')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'note shown with the schedule')
    .action((raw: Record<string, unknown>) =>
      withSession('create', async (session) => {
        const parsed = createScheduleSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(`--${String(issue.path[0] ?? 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`);
        }
        const handle = await createSchedule(session, parsed.data);
        formatScheduleDescription(await handle.describe()).forEach(out);
      }),
    );

  schedule
    .command('list')
    .description('list schedules')
    .action(() =>
      withSession('list', async (session) => {
        for await (const s of session.client.schedule.list()) {
          const next = s.info?.nextActionTimes?.[0]?.toISOString() ?? '-';
          out(`${s.scheduleId.padEnd(32)} ${s.state.paused ? 'PAUSED' : 'active'}  next ${next}`);
        }
      }),
    );

  schedule
    .command('describe')
    .argument('<id>', 'schedule id')
    .option('--json', 'print the description as JSON')
    .action((id: string, opts: { json?: boolean }) =>
      withSession('describe', async (session) => {
        const d = await session.client.schedule.getHandle(id).describe();
        if (opts.json) out(JSON.stringify(d));
        else formatScheduleDescription(d).forEach(out);
      }),
    );

  for (const verb of ['pause', 'unpause'] as const) {
    schedule
      .command(verb)
      .argument('<id>', 'schedule id')
      .option('--note <text>', 'why')
      .action((id: string, opts: { note?: string }) =>
        withSession(verb, async (session) => {
          await session.client.schedule.getHandle(id)[verb](opts.note ?? `${verb}d by wintap-noise schedule ${verb}`);
          out(`schedule ${id} ${verb}d`);
        }),
      );
  }

  schedule
    .command('trigger')
    .description('start a run now (its scheduled time is now); --wait follows it to the end')
    .argument('<id>', 'schedule id')
    .option('--overlap <policy>', 'override the overlap policy for this run')
    .option('--wait', 'follow the run and print its steps and proportions (always on in embedded mode)')
    .action((id: string, raw: { overlap?: string; wait?: boolean }) =>
      withSession('trigger', async (session) => {
        const overlap = raw.overlap === undefined ? undefined : overlapSchema.parse(raw.overlap);
        const description = await session.client.schedule.getHandle(id).describe();
        const input = ((description.action.args as unknown[] | undefined)?.[0] ?? {}) as PipelineInput;
        const wait = raw.wait === true || session.embedded;
        if (wait) await session.startWorker(foldersOf(input));
        const workflowId = await triggerSchedule(session.client, id, overlap);
        out(`schedule ${id} started workflow ${workflowId}`);
        if (wait) {
          const result: PipelineResult = await watchRun(session.client.workflow.getHandle<typeof platformNoisePipeline>(workflowId), out);
          out(formatSummary(result));
        }
      }),
    );

  schedule
    .command('backfill')
    .description('run the schedule for every time it would have fired in [start, end); each run gets its own partition')
    .argument('<id>', 'schedule id')
    .requiredOption('--start <iso>', 'start of the range, e.g. 2026-11-01T00:00:00Z')
    .requiredOption('--end <iso>', 'end of the range')
    .option('--overlap <policy>', 'overlap policy for the backfilled runs', 'buffer_all')
    .action((id: string, raw: { start: string; end: string; overlap: string }) =>
      withSession('backfill', async (session) => {
        const o = z
          .object({ start: z.coerce.date(), end: z.coerce.date(), overlap: overlapSchema })
          .refine((v) => v.start < v.end, { message: '--start must be before --end', path: ['start'] })
          .parse(raw);
        await session.client.schedule.getHandle(id).backfill({ start: o.start, end: o.end, overlap: OVERLAP[o.overlap] });
        out(`schedule ${id}: backfill ${o.start.toISOString()} .. ${o.end.toISOString()} requested (overlap ${o.overlap})`);
      }),
    );

  schedule
    .command('delete')
    .argument('<id>', 'schedule id')
    .action((id: string) =>
      withSession('delete', async (session) => {
        await session.client.schedule.getHandle(id).delete();
        out(`schedule ${id} deleted (runs it started are kept)`);
      }),
    );
}
