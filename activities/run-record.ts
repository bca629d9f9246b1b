/**
 * `run.json`: the run's parameters, input fingerprint and, for each step, its name, status, rows,
 * output and duration (SPEC "Output folder"). Written last, atomically.
 */
import path from 'node:path';
import { writeFileAtomic } from './checkpoints';

export interface StepRecord {
  name: string;
  status: 'computed' | 'reused';
  rows: number | null;
  output: string;
  ms: number;
}

export interface RunRecord {
  workflowId: string;
  runId: string;
  params: Record<string, unknown>;
  input: { path: string; layout: string; fingerprint: string; files: number };
  steps: StepRecord[];
  quality: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
}

export function recordRun(outDir: string, record: RunRecord): string {
  const output = path.join(outDir, 'run.json');
  writeFileAtomic(output, JSON.stringify(record, null, 2) + '\n');
  return output;
}
