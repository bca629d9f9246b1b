/**
 * Step 5, union: the labelled sets, one row per (process, matching label), become `agents_platform`.
 * A process under both agents appears twice, once per label (SPEC "Labels, union").
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { checkpointedStep, type StepResult } from './step';

export const UNION_VERSION = 1;

export async function union(conn: DuckDBConnection, outDir: string, labels: StepResult[]): Promise<StepResult> {
  const key = stepKey('union', UNION_VERSION, ...labels.map((l) => l.key));
  return checkpointedStep(conn, outDir, 'union', UNION_VERSION, key, async () => {
    const facts = Object.fromEntries(labels.map((l) => [l.name.replace(/^label:/, ''), l.rows]));
    return {
      // The label files' order is the rules' order; within a label, by pid_hash, for stable output.
      sql: `SELECT pid_hash, process_name, ptree, ptree_list, label
              FROM read_parquet($files, filename = true)
             ORDER BY list_position($files, filename), pid_hash`,
      params: { files: listValue(labels.map((l) => l.output)) },
      facts: { rows_per_label: facts },
    };
  });
}
