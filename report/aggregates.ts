/**
 * The numbers behind report.html, computed with DuckDB from the published parquet files of an output
 * folder (not copied from proportions.json, so the report is an independent check of it). Every path
 * reaches SQL as a bound parameter.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../activities/db';
import type { Counts } from '../activities/proportions';
import { count } from '../activities/step';

/** How many entries each "most frequent" list shows. */
export const TOP_N = 10;

export interface HostCounts extends Counts {
  hostname: string;
}

export interface DayCounts {
  /** YYYY-MM-DD of process_started. */
  day: string;
  total: number;
  labelled: number;
}

export interface Frequent {
  /** A ptree or a process name; null when the data holds none (a NULL ptree or name). */
  value: string | null;
  n: number;
}

export interface ReportData {
  outDir: string;
  dataset: string;
  generatedAt: string;
  overall: Counts;
  hosts: HostCounts[];
  /** Per day of process_started; null when the data has no usable process_started column. */
  days: DayCounts[] | null;
  topPtrees: Record<string, Frequent[]>;
  topNames: { before: Frequent[]; after: Frequent[] };
  /** Data-quality counts from the ingest, lineage and duds steps (StepResult facts). */
  quality: Record<string, number | string>;
}

export const REPORT_INPUTS = {
  nondud: 'process_nondud.parquet',
  agents: 'agents_platform.parquet',
  denoised: 'process_denoised.parquet',
} as const;

export interface AggregateRequest {
  outDir: string;
  dataset: string;
  /** Labels of the run's rules: a label no process matched still gets its (zero) row. */
  labels: string[];
  quality: Record<string, unknown>;
}

function share(part: number, total: number): number {
  return total === 0 ? 0 : part / total;
}

/** Inputs of the report, checked before any SQL so a missing file names itself and the remedy. */
export function reportInputs(outDir: string): Record<keyof typeof REPORT_INPUTS, string> {
  const files = Object.fromEntries(Object.entries(REPORT_INPUTS).map(([k, name]) => [k, path.join(outDir, name)])) as Record<
    keyof typeof REPORT_INPUTS,
    string
  >;
  const missing = Object.values(files).filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `${outDir} is not a complete wintap-noise output folder: missing ${missing.map((f) => path.basename(f)).join(', ')}; ` +
        'run the pipeline on it first (wintap-noise run --out DIR)',
    );
  }
  return files;
}

export async function aggregateReport(conn: DuckDBConnection, request: AggregateRequest): Promise<ReportData> {
  const files = reportInputs(request.outDir);

  // Totals and distinct-labelled per host; the empty grouping set is the overall row (hostname NULL).
  const hostRows = await queryRows<{ hostname: string | null; total: string; distinct_labelled: string }>(
    conn,
    `WITH n AS (SELECT pid_hash, hostname FROM read_parquet($nondud)),
          a AS (SELECT DISTINCT pid_hash FROM read_parquet($agents))
     SELECT hostname, count(*) AS total, count(a.pid_hash) AS distinct_labelled
       FROM n LEFT JOIN a USING (pid_hash)
      GROUP BY GROUPING SETS ((hostname), ())
      ORDER BY hostname NULLS FIRST`,
    { nondud: files.nondud, agents: files.agents },
  );
  // Label counts per host and overall (a process under two labels counts once per label, as in SPEC).
  const labelRows = await queryRows<{ hostname: string | null; label: string; n: string }>(
    conn,
    `WITH n AS (SELECT pid_hash, hostname FROM read_parquet($nondud)),
          a AS (SELECT DISTINCT pid_hash, label FROM read_parquet($agents))
     SELECT n.hostname, a.label, count(*) AS n
       FROM n JOIN a USING (pid_hash)
      GROUP BY GROUPING SETS ((n.hostname, a.label), (a.label))`,
    { nondud: files.nondud, agents: files.agents },
  );
  const labels = [...new Set([...request.labels, ...labelRows.map((r) => r.label)])];
  const countsOf = (hostname: string | null, total: number, distinct: number): Counts => {
    const perLabel = Object.fromEntries(labels.map((l) => [l, 0]));
    for (const row of labelRows) if (row.hostname === hostname) perLabel[row.label] = count(row.n);
    const labelled = Object.values(perLabel).reduce((a, b) => a + b, 0);
    return {
      num_total: total,
      labels: perLabel,
      ratio: share(labelled, total),
      distinct_labelled: distinct,
      distinct_share: share(distinct, total),
    };
  };
  const overallRow = hostRows.find((r) => r.hostname === null);
  const overall = countsOf(null, count(overallRow?.total), count(overallRow?.distinct_labelled));
  const hosts = hostRows
    .filter((r): r is typeof r & { hostname: string } => r.hostname !== null)
    .map((r) => ({ hostname: r.hostname, ...countsOf(r.hostname, count(r.total), count(r.distinct_labelled)) }));

  const topPtreeRows = await queryRows<{ label: string; ptree: string | null; n: string }>(
    conn,
    `SELECT label, ptree, count(*) AS n FROM read_parquet($agents)
      GROUP BY label, ptree
     QUALIFY row_number() OVER (PARTITION BY label ORDER BY count(*) DESC, ptree) <= $top
      ORDER BY label, n DESC, ptree`,
    { agents: files.agents, top: TOP_N },
  );
  const topPtrees = Object.fromEntries(labels.map((l) => [l, [] as Frequent[]]));
  for (const row of topPtreeRows) topPtrees[row.label].push({ value: row.ptree, n: count(row.n) });

  const topNames = async (file: string): Promise<Frequent[]> =>
    (
      await queryRows<{ process_name: string | null; n: string }>(
        conn,
        `SELECT process_name, count(*) AS n FROM read_parquet($file)
          GROUP BY process_name ORDER BY n DESC, process_name NULLS LAST LIMIT $top`,
        { file, top: TOP_N },
      )
    ).map((r) => ({ value: r.process_name, n: count(r.n) }));

  return {
    outDir: request.outDir,
    dataset: request.dataset,
    generatedAt: new Date().toISOString(),
    overall,
    hosts,
    days: await perDay(conn, files.nondud, files.agents),
    topPtrees,
    topNames: { before: await topNames(files.nondud), after: await topNames(files.denoised) },
    quality: qualityCounts(request.quality),
  };
}

/**
 * Non-dud and labelled processes per day of process_started. The column is optional in Wintap inputs
 * (SPEC: only four columns are required), so a folder without a date-like process_started gets no chart.
 */
async function perDay(conn: DuckDBConnection, nondud: string, agents: string): Promise<DayCounts[] | null> {
  const [column] = await queryRows<{ column_type: string }>(
    conn,
    `SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet($nondud)) WHERE column_name = 'process_started'`,
    { nondud },
  );
  if (!column || !/^(TIMESTAMP|DATE)/.test(column.column_type)) return null;
  const rows = await queryRows<{ day: string; total: string; labelled: string }>(
    conn,
    `WITH a AS (SELECT DISTINCT pid_hash FROM read_parquet($agents))
     SELECT strftime(CAST(n.process_started AS DATE), '%Y-%m-%d') AS day, count(*) AS total, count(a.pid_hash) AS labelled
       FROM read_parquet($nondud) n LEFT JOIN a USING (pid_hash)
      WHERE n.process_started IS NOT NULL
      GROUP BY day ORDER BY day`,
    { nondud, agents },
  );
  return rows.length === 0 ? null : rows.map((r) => ({ day: r.day, total: count(r.total), labelled: count(r.labelled) }));
}

/** Keep the scalar facts (counts and short strings such as the layout); nested ones are not data quality. */
function qualityCounts(facts: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (typeof value === 'number' || typeof value === 'string') out[key] = value;
  }
  return out;
}
