/** What the CLI prints about a run: one line per finished step, then a summary. */
import { progressQuery, type PipelineResult, type Progress } from '../workflows/pipeline';
import { describeFailure } from './failure';

export function printProgressLines(progress: Progress, printed: Set<string>, out: (line: string) => void): void {
  for (const step of progress.steps) {
    if (printed.has(step.name)) continue;
    if (step.status === 'computed' || step.status === 'reused' || step.status === 'failed') {
      printed.add(step.name);
      const rows = step.rows === null ? '' : `${step.rows.toLocaleString('en-US')} rows`;
      const ms = step.ms === null ? '' : `${step.ms} ms`;
      out(`  ${step.name.padEnd(16)} ${step.status.padEnd(9)} ${rows.padStart(16)} ${ms.padStart(10)}`);
    }
  }
}

export function formatSummary(result: PipelineResult): string {
  const p = result.proportions;
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const lines = [
    '',
    `data set ${result.dataset} -> ${result.outDir}`,
    `non-dud processes (num_total): ${p.num_total.toLocaleString('en-US')}`,
    ...Object.entries(p.labels).map(
      ([label, n]) => `  ${label.padEnd(12)} ${n.toLocaleString('en-US').padStart(12)}  ${pct(p.num_total ? n / p.num_total : 0)}`,
    ),
    `ratio (sum of labels / num_total): ${p.ratio.toFixed(6)} (${pct(p.ratio)})`,
    `distinct labelled: ${p.distinct_labelled.toLocaleString('en-US')} (${pct(p.distinct_share)})`,
  ];
  return lines.join('\n');
}

/** gRPC DEADLINE_EXCEEDED anywhere in the cause chain: a long poll cut short, not a verdict on the run. */
function isDeadlineExceeded(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if ((e as Error & { code?: unknown }).code === 4) return true;
  }
  return false;
}

/**
 * Follow a started run to its end: poll the progress query, print each step once as it finishes,
 * then return the result (or throw the run's failure). Shared by `run`-like commands (`resume`).
 */
export async function watchRun(
  handle: { query(q: typeof progressQuery): Promise<Progress>; result(): Promise<PipelineResult> },
  out: (line: string) => void,
): Promise<PipelineResult> {
  const printed = new Set<string>();
  // One query at a time, awaited before returning: a query still retrying after the caller closes the
  // connection would throw from a timer ("Channel has been shut down").
  let inFlight: Promise<void> | null = null;
  const pollOnce = () =>
    handle
      .query(progressQuery)
      .then((p) => printProgressLines(p, printed, out))
      .catch(() => undefined);
  const poll = setInterval(() => {
    if (inFlight === null) inFlight = pollOnce().finally(() => (inFlight = null));
  }, 500);
  try {
    for (;;) {
      try {
        const result = await handle.result();
        clearInterval(poll);
        await inFlight;
        printProgressLines(
          { status: 'completed', dataset: result.dataset, outDir: result.outDir, steps: result.steps.map((s) => ({ ...s })) },
          printed,
          out,
        );
        return result;
      } catch (err) {
        // On a loaded server the history long poll can hit its deadline while the run goes on: wait again.
        if (isDeadlineExceeded(err)) continue;
        clearInterval(poll);
        await inFlight;
        // The last poll may not have seen the failed step: show it before the reason.
        await pollOnce();
        throw err;
      }
    }
  } finally {
    clearInterval(poll);
    await inFlight;
  }
}

/**
 * How `run` and `resume` end: the summary (and with --json the run as the last line) on success; on
 * failure one line naming the cause (the stack only with --verbose) and exit code 1; `close` either way.
 */
export async function reportOutcome(
  command: string,
  opts: { json: boolean; verbose: boolean },
  out: (line: string) => void,
  work: () => Promise<PipelineResult>,
  close: () => Promise<void>,
): Promise<void> {
  try {
    const result = await work();
    out(formatSummary(result));
    if (opts.json) out(JSON.stringify({ status: 'completed', ...result }));
  } catch (err) {
    const reason = describeFailure(err);
    if (opts.json) out(JSON.stringify({ status: 'failed', reason }));
    process.stderr.write(`wintap-noise ${command}: ${reason}\n`);
    if (opts.verbose && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  } finally {
    await close();
  }
}
