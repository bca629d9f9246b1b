/**
 * platformNoisePipeline: the DAG of SPEC, orchestration only. Activities do the work and hand back
 * small references (paths, row counts, keys); this file decides order, parallelism, retries and what
 * a person sees in the Web UI (progress query, current details, search attributes).
 *
 *   locate -> ingest -> (lineage | duds) -> [rules: read the rules file] -> label per rule, in parallel
 *          -> union -> denoise -> persist -> proportions -> report -> recordRun
 *
 * Every step is idempotent (checkpointed by its input keys), which is what makes `wintap-noise resume`
 * (a new run under the same workflow id) and a Web UI Reset (a replay from an earlier workflow task)
 * safe: finished steps come back `reused`.
 */
import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StepResult } from '../activities/step';
import type { Proportions } from '../activities/proportions';
import type { StepRecord } from '../activities/run-record';
import type { Rule } from './input';
import { DEFAULT_RULES, parsePipelineInput, type PipelineInput, type PipelineParams } from './input';
import { DATASET, RUN_STATUS } from './search-attributes';
import { isPartitioned, partitionedLabels, partitionedLineage } from './partitioned';
import { scheduledOutput, scheduledStartTime } from './schedule';

export type StepState = 'pending' | 'running' | 'computed' | 'reused' | 'failed';

export interface StepProgress {
  name: string;
  status: StepState;
  rows: number | null;
  ms: number | null;
}

export interface Progress {
  status: 'running' | 'completed' | 'failed';
  dataset: string | null;
  outDir: string | null;
  /** For a run started by a schedule: its scheduled time (ISO), which also names the output partition. */
  scheduledAt?: string | null;
  steps: StepProgress[];
}

export interface PipelineResult {
  dataset: string;
  outDir: string;
  proportions: Proportions;
  steps: StepRecord[];
}

export const progressQuery = defineQuery<Progress>('progress');

/** Errors that retrying cannot fix; listed so a thrown plain Error of these types is not retried either. */
const NON_RETRYABLE = ['BadInput', 'BadRules', 'PathOutsideDataRoots', 'OutputLocked', 'BadWorkflowInput'];

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 5,
  nonRetryableErrorTypes: NON_RETRYABLE,
};

// Sized for ACME4 (1.77 M processes: seconds per step) with room for 10x that on a small worker.
// A killed worker stops heartbeating, so its activity is retried elsewhere after heartbeatTimeout.
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry,
});
const quick = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', heartbeatTimeout: '30 seconds', retry });

export async function platformNoisePipeline(rawInput: PipelineInput = {}): Promise<PipelineResult> {
  const parsed = parsePipelineInput(rawInput);
  if (!parsed.ok) {
    // Listed under WintapStatus = "failed" in the Web UI too, though no data set name is known yet.
    upsertSearchAttributes([{ key: RUN_STATUS, value: 'failed' }]);
    throw ApplicationFailure.nonRetryable(parsed.message, 'BadWorkflowInput');
  }
  const params: PipelineParams = parsed.params;
  const startedAt = new Date().toISOString();
  const scheduledAt = scheduledStartTime(workflowInfo().typedSearchAttributes, workflowInfo().searchAttributes ?? {});
  // A scheduled run writes into a partition of its output folder named by its scheduled time, so each
  // refresh keeps its own outputs. Derived from the start event's search attributes: deterministic.
  const out = scheduledOutput(params, scheduledAt);
  // Inline rules are known now; a rules file is read when labelling starts (step `rules`).
  const inlineRules: Rule[] | null = params.rulesFile === undefined ? (params.rules ?? DEFAULT_RULES) : null;
  const labelSteps = (rules: Rule[]) => rules.map((r) => `label:${r.label}`);

  const progress: Progress = {
    status: 'running',
    dataset: null,
    outDir: null,
    scheduledAt: scheduledAt?.toISOString() ?? null,
    steps: [
      'locate',
      'ingest',
      'lineage',
      'duds',
      ...(inlineRules ? labelSteps(inlineRules) : ['rules']),
      'union',
      'denoise',
      'persist',
      'proportions',
      ...(params.report ? ['report'] : []),
      'recordRun',
    ].map((name) => ({ name, status: 'pending', rows: null, ms: null })),
  };
  setHandler(progressQuery, () => progress);
  const records: StepRecord[] = [];

  const showDetails = () => setCurrentDetails(renderDetails(progress));
  const mark = (name: string, status: StepState, rows: number | null = null, ms: number | null = null) => {
    const step = progress.steps.find((s) => s.name === name);
    if (step) Object.assign(step, { status, rows, ms });
    showDetails();
  };
  /** Run one step, keeping progress and the run record current. */
  async function track<T extends { rows?: number; ms: number; status?: 'computed' | 'reused'; output?: string }>(
    name: string,
    call: () => Promise<T>,
  ): Promise<T> {
    mark(name, 'running');
    try {
      const result = await call();
      const status = result.status ?? 'computed';
      mark(name, status, result.rows ?? null, result.ms);
      records.push({ name, status, rows: result.rows ?? null, output: result.output ?? '', ms: result.ms });
      return result;
    } catch (err) {
      mark(name, 'failed');
      throw err;
    }
  }

  try {
    const located = await track('locate', async () => ({
      ...(await quick.locate({ input: params.input, out, dataset: params.dataset })),
      ms: 0,
    }));
    const { outDir, dataset } = located;
    progress.dataset = dataset;
    progress.outDir = outDir;
    upsertSearchAttributes([
      { key: DATASET, value: dataset },
      { key: RUN_STATUS, value: 'running' },
    ]);
    log.info('pipeline started', { dataset, outDir, input: located.input });

    const ingested = await track('ingest', () => steps.ingest({ input: located.input, outDir }));
    const [paths, nondud] = await Promise.all([
      // partitions > 1: lineage and labels split by host over every worker (workflows/partitioned.ts).
      track('lineage', () =>
        params.partitions > 1
          ? partitionedLineage({ outDir, ingest: ingested, partitions: params.partitions })
          : steps.lineage({ outDir, ingest: ingested }),
      ),
      track('duds', () => steps.duds({ outDir, ingest: ingested })),
    ]);
    let rules: Rule[];
    if (inlineRules) {
      rules = inlineRules;
    } else {
      rules = (await track('rules', () => quick.readRules({ rulesFile: params.rulesFile! }))).rules;
      const at = progress.steps.findIndex((s) => s.name === 'rules') + 1;
      progress.steps.splice(at, 0, ...labelSteps(rules).map((name) => ({ name, status: 'pending' as const, rows: null, ms: null })));
    }
    const partitioned = isPartitioned(paths) ? partitionedLabels({ outDir, lineage: paths, rules }) : null;
    const labels: StepResult[] = await Promise.all(
      rules.map((rule, i) =>
        track(`label:${rule.label}`, () =>
          partitioned ? partitioned.then((sets) => sets[i]) : steps.label({ outDir, lineage: paths, nondud, rule }),
        ),
      ),
    );
    const agents = await track('union', () => steps.union({ outDir, labels }));
    const denoised = await track('denoise', () => steps.denoise({ outDir, nondud, agents }));
    await track('persist', () =>
      steps.persist({ outDir, steps: { ingest: ingested, lineage: paths, duds: nondud, union: agents, denoise: denoised } }),
    );
    const counted = await track('proportions', () => steps.proportions({ outDir, nondud, agents, labels: rules.map((r) => r.label) }));
    const info = workflowInfo();
    const record = {
      workflowId: info.workflowId,
      runId: info.runId,
      params: { ...params, out: outDir, rules },
      input: { path: located.input, layout: ingested.layout, fingerprint: ingested.fingerprint, files: ingested.files },
      steps: records,
      quality: { ...ingested.facts, ...paths.facts, ...nondud.facts },
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    if (params.report) {
      const labels = Object.keys(counted.proportions.labels);
      await track('report', () => steps.report({ outDir, dataset, labels, quality: record.quality }));
    }
    await track('recordRun', async () => ({ output: await quick.recordRun({ outDir, record }), ms: 0 }));
    await quick.releaseOutput({ outDir });

    progress.status = 'completed';
    showDetails();
    upsertSearchAttributes([{ key: RUN_STATUS, value: 'completed' }]);
    log.info('pipeline completed', { dataset, ratio: counted.proportions.ratio });
    return { dataset, outDir, proportions: counted.proportions, steps: records };
  } catch (err) {
    progress.status = 'failed';
    showDetails();
    upsertSearchAttributes([{ key: RUN_STATUS, value: 'failed' }]);
    // Free the output folder for other runs; non-cancellable so a cancelled run releases it too.
    const lockedOut = progress.outDir;
    if (lockedOut !== null) {
      await CancellationScope.nonCancellable(() => quick.releaseOutput({ outDir: lockedOut })).catch((releaseErr: unknown) =>
        log.warn('could not release the output folder lock', { outDir: lockedOut, error: String(releaseErr) }),
      );
    }
    throw err;
  }
}

/**
 * Markdown for the Web UI's "Current Details" panel. The step table is a fenced block of aligned
 * columns: the UI renders user metadata without table styling, so a markdown table's cells run
 * together ("computed3172158").
 */
function renderDetails(progress: Progress): string {
  const header = ['step', 'status', 'rows', 'ms'];
  const cells = progress.steps.map((s) => [s.name, s.status, s.rows === null ? '' : String(s.rows), s.ms === null ? '' : String(s.ms)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  // Names and statuses read left-aligned, counts and times right-aligned.
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [
    `**wintap-noise** · ${progress.dataset ?? '(locating input)'} · **${progress.status}**`,
    '',
    '```text',
    line(header),
    ...cells.map(line),
    '```',
  ];
  if (progress.outDir) lines.push('', `output: \`${progress.outDir}\``);
  return lines.join('\n');
}
