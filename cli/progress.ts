/** What the CLI prints about a run: one line per finished step, then a summary. */
import type { PipelineResult, Progress } from '../workflows/pipeline';

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
