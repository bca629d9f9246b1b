/**
 * `wintap-noise resume <workflowId>`: run a failed (or terminated, cancelled, timed-out) pipeline run
 * again, under the same workflow id, with its ORIGINAL input read from the run's history. Every step
 * that finished before the failure is checkpointed, so it comes back `reused`; only the rest computes.
 *
 * A run that failed on its input is fixed in one of two ways:
 *   - the input names a file the run reads (`rulesFile`): fix the file, then `resume` unchanged;
 *   - the input itself is wrong: `resume --input-override '{"field": value}'` (null removes a field)
 *     or `resume --rules FILE` (inline rules from a file, replacing `rules`/`rulesFile`).
 * A run still open is followed instead (embedded mode: its worker is started, so a run orphaned by a
 * closed terminal continues).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, fromPayloadsAtIndex } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { loadSettings } from '../config/settings';
import { createCliLogger } from '../config/logger';
import { parsePipelineInput, SAMPLE_INPUT, type PipelineInput } from '../workflows/input';
import { platformNoisePipeline, type PipelineResult } from '../workflows/pipeline';
import { scheduledOutput, scheduledStartTime } from '../workflows/schedule';
import { openSession, type Session } from './session';
import { reportOutcome, watchRun } from './progress';
import { readRulesFile } from './run';

/** A JSON object of input fields; `null` removes a field from the original input. */
export const inputOverrideSchema = z.record(z.string(), z.unknown());
export type InputOverride = z.infer<typeof inputOverrideSchema>;

export function parseInputOverride(text: string): InputOverride {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`--input-override is not JSON (${(err as Error).message}); expected an object such as '{"rulesFile": "rules.json"}'`, {
      cause: err,
    });
  }
  const parsed = inputOverrideSchema.safeParse(raw);
  if (!parsed.success) throw new Error('--input-override must be a JSON object of input fields, e.g. \'{"partitions": 4}\'');
  return parsed.data;
}

/** The original input with the override applied: fields replaced, `null` fields removed. */
export function applyOverride(original: PipelineInput, override: InputOverride): PipelineInput {
  const merged: Record<string, unknown> = { ...original };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as PipelineInput;
}

export interface OriginalRun {
  input: PipelineInput;
  taskQueue: string;
  status: string;
  scheduledAt: Date | null;
}

/** What the run was started with: the input and task queue of its first event, and its schedule time. */
export async function readOriginalRun(client: Client, workflowId: string): Promise<OriginalRun> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((err: Error) => {
    throw new Error(
      `no pipeline run with workflow id ${workflowId} (${err.message}); list runs in the Web UI or with \`temporal workflow list\``,
    );
  });
  if (description.type !== platformNoisePipeline.name) {
    throw new Error(`workflow ${workflowId} is a ${description.type}, not a ${platformNoisePipeline.name} run`);
  }
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`workflow ${workflowId}: its history has no start event (history retention may have expired)`);
  const input = fromPayloadsAtIndex<PipelineInput>(client.options.loadedDataConverter.payloadConverter, 0, started.input?.payloads) ?? {};
  return {
    input,
    taskQueue: started.taskQueue?.name ?? description.taskQueue,
    status: description.status.name,
    scheduledAt: scheduledStartTime(description.typedSearchAttributes, description.searchAttributes),
  };
}

/** Folders an embedded worker must be allowed besides its data roots: the absolute paths in the input. */
export function foldersOf(input: PipelineInput): string[] {
  const folders: string[] = [];
  for (const p of [input.input, input.out, input.rulesFile]) {
    if (typeof p !== 'string' || p === SAMPLE_INPUT || !path.isAbsolute(p)) continue;
    folders.push(fs.existsSync(p) && fs.statSync(p).isFile() ? path.dirname(p) : p);
  }
  return folders;
}

export interface ResumeOptions {
  override?: InputOverride;
  out: (line: string) => void;
}

/** Resume (or follow) the run `workflowId`; resolves with its result, rejects with its failure. */
export async function resumePipeline(session: Session, workflowId: string, options: ResumeOptions): Promise<PipelineResult> {
  const original = await readOriginalRun(session.client, workflowId);
  if (original.status === 'RUNNING') {
    if (options.override) throw new Error(`run ${workflowId} is still running: an input override applies only to a closed run`);
    options.out(`workflow ${workflowId} is still running: following it`);
    await session.startWorker(foldersOf(original.input));
    return watchRun(session.client.workflow.getHandle<typeof platformNoisePipeline>(workflowId), options.out);
  }
  if (original.status === 'COMPLETED') {
    throw new Error(`run ${workflowId} already completed; start it again with \`wintap-noise run\` (finished steps are reused)`);
  }

  let input = applyOverride(original.input, options.override ?? {});
  // A scheduled run wrote into the partition of its scheduled time; the resumed run (not started by the
  // schedule, so without that time) is pointed at the same partition explicitly.
  if (original.scheduledAt !== null && options.override?.out === undefined) {
    const parsedOriginal = parsePipelineInput(original.input);
    if (parsedOriginal.ok) input = { ...input, out: scheduledOutput(parsedOriginal.params, original.scheduledAt) };
  }
  const parsed = parsePipelineInput(input);
  if (!parsed.ok) {
    throw new Error(`${parsed.message}; fix it with --input-override '{"field": value}' (null removes a field) or --rules FILE`);
  }
  await session.startWorker(foldersOf(input));
  const handle = await session.client.workflow.start(platformNoisePipeline, {
    workflowId,
    taskQueue: session.embedded ? session.taskQueue : original.taskQueue,
    args: [input],
    // The failed run is closed, so the id is free; a run started meanwhile by someone else is not joined.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  options.out(
    `resuming ${workflowId} (was ${original.status.toLowerCase()}) as run ${handle.firstExecutionRunId}` +
      (session.uiUrl ? `  ${session.uiUrl}/namespaces/${session.client.options.namespace}/workflows/${workflowId}` : ''),
  );
  return watchRun(handle, options.out);
}

const resumeCliSchema = z.object({
  inputOverride: z.string().optional(),
  rules: z.string().min(1).optional(),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
});

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('re-run a failed, cancelled, terminated or timed-out run with its original input; finished steps are reused')
    .argument('<workflowId>', 'the run to resume (printed by `run`, shown in the Web UI)')
    .option('--input-override <json>', 'JSON object of input fields to change, e.g. \'{"rulesFile": "fixed.json"}\' (null removes a field)')
    .option('--rules <file>', "use the rules in this JSON file (replaces the run's rules or rulesFile)")
    .option('--json', 'print the run summary as one JSON line, last')
    .option('--verbose', 'print stack traces on failure')
    .action(async (workflowId: string, raw: Record<string, unknown>) => {
      const opts = resumeCliSchema.parse(raw);
      const settings = loadSettings();
      const log = createCliLogger(settings);
      const out = (line: string) => process.stdout.write(line + '\n');
      let session: Session | null = null;
      await reportOutcome(
        'resume',
        opts,
        out,
        async () => {
          let override: InputOverride | undefined = opts.inputOverride ? parseInputOverride(opts.inputOverride) : undefined;
          if (opts.rules) override = { ...override, rules: readRulesFile(path.resolve(opts.rules)), rulesFile: null };
          // The worker starts once the original input (and so the folders it needs) is known.
          session = await openSession({ settings, log, worker: false });
          return resumePipeline(session, workflowId, { override, out });
        },
        async () => {
          await session?.close();
        },
      );
    });
}
