/**
 * Step 3, duds: a dud is a process with no parent_pid_hash (mostly stop-only records). Output:
 * `process_nondud`, every other process with all its columns.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { queryRows } from './db';
import { checkpointedStep, count, type StepResult } from './step';

export const DUDS_VERSION = 1;

export async function duds(conn: DuckDBConnection, outDir: string, ingest: StepResult): Promise<StepResult> {
  const key = stepKey('duds', DUDS_VERSION, ingest.key);
  return checkpointedStep(conn, outDir, 'duds', DUDS_VERSION, key, async () => {
    const [f] = await queryRows<Record<string, string>>(
      conn,
      `SELECT count(*) FILTER (parent_pid_hash IS NULL) AS duds,
              count(*) FILTER (parent_pid_hash IS NULL AND process_name IS NULL) AS duds_without_name
         FROM read_parquet($file)`,
      { file: ingest.output },
    );
    return {
      sql: 'SELECT * FROM read_parquet($file) WHERE parent_pid_hash IS NOT NULL',
      params: { file: ingest.output },
      facts: { duds: count(f.duds), duds_without_name: count(f.duds_without_name) },
    };
  });
}
