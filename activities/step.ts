/**
 * What every pipeline step shares: the small result it hands back to the workflow, and the
 * reuse-or-compute rule that makes each step idempotent.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { findCheckpoint, writeCheckpoint } from './checkpoints';

export type StepStatus = 'computed' | 'reused';

/** A reference to a step's output: small enough for a Temporal payload. */
export interface StepResult {
  name: string;
  status: StepStatus;
  /** Identity of the output: step name, step version and the keys of its inputs, hashed. */
  key: string;
  rows: number;
  /** The checkpoint (or published file) this step produced. */
  output: string;
  ms: number;
  /** Step-specific counts (data quality, duds), carried into run.json. */
  facts: Record<string, unknown>;
}

export interface StepQuery {
  /** A SELECT whose result is the step's output. */
  sql: string;
  params?: Record<string, DuckDBValue>;
  facts?: Record<string, unknown>;
}

/**
 * Reuse the checkpoint for (name, key) if it verifies; otherwise run `prepare` (which may create
 * temporary tables on `conn` and returns the output query) and write the checkpoint.
 */
export async function checkpointedStep(
  conn: DuckDBConnection,
  outDir: string,
  name: string,
  version: number,
  key: string,
  prepare: () => Promise<StepQuery>,
): Promise<StepResult> {
  const started = Date.now();
  const existing = await findCheckpoint(conn, outDir, name, key);
  if (existing) {
    return {
      name,
      status: 'reused',
      key,
      rows: existing.manifest.rows,
      output: existing.path,
      ms: Date.now() - started,
      facts: existing.manifest.facts,
    };
  }
  const query = await prepare();
  const written = await writeCheckpoint(conn, outDir, name, version, key, query.sql, query.params, query.facts);
  return {
    name,
    status: 'computed',
    key,
    rows: written.manifest.rows,
    output: written.path,
    ms: Date.now() - started,
    facts: written.manifest.facts,
  };
}

/** A count read back from DuckDB (BIGINT arrives as a string) as a number. */
export function count(value: unknown): number {
  return value == null ? 0 : Number(value);
}
