/**
 * `wintap-noise run`: start the pipeline workflow (or attach to the running one for the same data set
 * and output folder), print one line per step as it finishes, then the proportions.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import { loadSettings } from '../config/settings';
import { createCliLogger } from '../config/logger';
import { parsePipelineInput, rulesSchema, SAMPLE_INPUT, datasetName, type PipelineInput } from '../workflows/input';
import { platformNoisePipeline, progressQuery, type PipelineResult, type Progress } from '../workflows/pipeline';
import { openSession, type Session } from './session';
import { pipelineWorkflowId } from './workflow-id';
import { printProgressLines, reportOutcome } from './progress';

export const runOptionsSchema = z.object({
  input: z.string().min(1).default(SAMPLE_INPUT),
  out: z.string().min(1).optional(),
  rules: z.string().min(1).optional(),
  dataset: z.string().optional(),
  partitions: z.coerce.number().int().min(1).optional(),
  json: z.boolean().default(false),
  verbose: z.boolean().default(false),
});

/** Read and validate a rules file: a JSON array of {label, pattern}. */
export function readRulesFile(file: string): z.infer<typeof rulesSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`rules file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `rule ${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`rules file ${file}: ${why} (expected a JSON array of {"label", "pattern"})`);
  }
  return parsed.data;
}

export async function runPipeline(
  session: Session,
  input: PipelineInput,
  options: { json: boolean; out: (line: string) => void },
): Promise<PipelineResult> {
  const parsed = parsePipelineInput(input);
  if (!parsed.ok) throw new Error(parsed.message);
  const dataset = parsed.params.dataset ?? datasetName(parsed.params.input);
  const workflowId = pipelineWorkflowId(dataset, parsed.params.input, parsed.params.out);
  const handle = await session.client.workflow.start(platformNoisePipeline, {
    workflowId,
    taskQueue: session.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  options.out(
    `workflow ${workflowId} on task queue ${session.taskQueue}` +
      (session.uiUrl ? `  ${session.uiUrl}/namespaces/${session.client.options.namespace}/workflows/${workflowId}` : ''),
  );
  const printed = new Set<string>();
  // One query in flight at most, awaited before returning: a query still retrying when the caller
  // closes the connection throws "Channel has been shut down" from a timer, crashing the process.
  let inFlight: Promise<void> | null = null;
  const poll = setInterval(() => {
    inFlight ??= handle
      .query(progressQuery)
      .then((p: Progress) => printProgressLines(p, printed, options.out))
      .catch(() => undefined)
      .finally(() => (inFlight = null));
  }, 500);
  try {
    const result = await handle.result();
    printProgressLines(
      { status: 'completed', dataset: result.dataset, outDir: result.outDir, steps: result.steps.map((s) => ({ ...s })) },
      printed,
      options.out,
    );
    return result;
  } finally {
    clearInterval(poll);
    await inFlight;
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the pipeline on a Wintap data set and print the proportions')
    .option(
      '--input <path>',
      'process.parquet, a folder holding one, or a rolling/raw_sensor root ("sample": the built-in sample)',
      SAMPLE_INPUT,
    )
    .option('--out <dir>', 'output folder (default: <WINTAP_NOISE_OUTPUT_ROOT>/<data set name>)')
    .option('--rules <file>', 'JSON rules file: [{"label": "...", "pattern": "..."}] (default: wintap, aws)')
    .option('--dataset <name>', 'data set name shown in the Web UI (default: the input folder name)')
    .option('--partitions <n>', 'split lineage and labelling by host into n partitions')
    .option('--json', 'print the run summary as one JSON line, last')
    .option('--verbose', 'print stack traces on failure')
    .action(async (raw: Record<string, unknown>) => {
      const opts = runOptionsSchema.parse(raw);
      const settings = loadSettings();
      const log = createCliLogger(settings);
      const out = (line: string) => process.stdout.write(line + '\n');
      let session: Session | null = null;
      await reportOutcome(
        'run',
        opts,
        out,
        async () => {
          // Paths typed on the command line are relative to the current folder, not the worker's data root.
          const input = opts.input === SAMPLE_INPUT ? SAMPLE_INPUT : path.resolve(opts.input);
          const outDir = opts.out ? path.resolve(opts.out) : undefined;
          const rules = opts.rules ? readRulesFile(path.resolve(opts.rules)) : undefined;
          const extraRoots = [
            ...(input !== SAMPLE_INPUT ? [fs.existsSync(input) && fs.statSync(input).isFile() ? path.dirname(input) : input] : []),
            ...(outDir ? [outDir] : []),
          ];
          session = await openSession({ settings, log, extraRoots });
          const workflowInput: PipelineInput = {
            input,
            ...(outDir ? { out: outDir } : {}),
            ...(rules ? { rules } : {}),
            ...(opts.dataset ? { dataset: opts.dataset } : {}),
            ...(opts.partitions ? { partitions: opts.partitions } : {}),
          };
          return runPipeline(session, workflowInput, { json: opts.json, out });
        },
        async () => {
          await session?.close();
        },
      );
    });
}
