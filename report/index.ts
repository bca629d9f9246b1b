/**
 * Write `<out>/report.html` from an output folder: aggregates with DuckDB, render, write atomically.
 * Used by the pipeline's report step (which passes the run's data-quality facts) and by
 * `wintap-noise report <outDir>` (which finds them in run.json or the checkpoints' manifests).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { checkpointDir, writeFileAtomic, type CheckpointManifest } from '../activities/checkpoints';
import { aggregateReport, type AggregateRequest, type ReportData } from './aggregates';
import { renderReport } from './render';

export const REPORT_FILE = 'report.html';
/** Bump when report.html changes for the same inputs (layout, figures). */
export const REPORT_VERSION = 1;

export interface ReportResult {
  output: string;
  data: ReportData;
  ms: number;
}

export async function writeReport(conn: DuckDBConnection, request: AggregateRequest): Promise<ReportResult> {
  const started = Date.now();
  const data = await aggregateReport(conn, request);
  const output = path.join(request.outDir, REPORT_FILE);
  writeFileAtomic(output, renderReport(data));
  return { output, data, ms: Date.now() - started };
}

const runFileSchema = z.object({
  params: z.object({ dataset: z.string().optional(), rules: z.array(z.object({ label: z.string() })).optional() }).partial(),
  quality: z.record(z.string(), z.unknown()),
});

/** The steps whose facts are the data-quality counts (SPEC: duds, parents not found, cycles, duplicates). */
const QUALITY_STEPS = ['ingest', 'lineage', 'duds'];

/**
 * What a regenerated report needs besides the parquet files. run.json holds it for a finished run; an
 * interrupted run has no run.json yet, so fall back to the newest manifest of each quality step.
 */
export function describeOutputFolder(outDir: string): Omit<AggregateRequest, 'outDir'> {
  const runFile = path.join(outDir, 'run.json');
  if (fs.existsSync(runFile)) {
    const parsed = runFileSchema.safeParse(JSON.parse(fs.readFileSync(runFile, 'utf8')));
    if (parsed.success) {
      return {
        dataset: parsed.data.params.dataset ?? path.basename(outDir),
        labels: (parsed.data.params.rules ?? []).map((r) => r.label),
        quality: parsed.data.quality,
      };
    }
  }
  const quality: Record<string, unknown> = {};
  // A checkpoint's manifest is <key>.json beside <key>.parquet (activities/checkpoints.ts).
  for (const step of QUALITY_STEPS) {
    const dir = path.join(checkpointDir(outDir), step);
    if (!fs.existsSync(dir)) continue;
    const manifests = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CheckpointManifest)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    Object.assign(quality, manifests.at(-1)?.facts ?? {});
  }
  return { dataset: path.basename(outDir), labels: [], quality };
}
