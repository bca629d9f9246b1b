/**
 * Step 4, labels: one activity per rule, run in parallel. A non-dud process carries label L when
 * lower(ptree) contains lower(pattern) as plain text (SPEC "Labels"). `contains` takes the pattern
 * literally, so `%`, `_` and quotes mean themselves; the pattern is a bound parameter, never SQL text.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Rule } from '../workflows/input';
import { stepKey } from './checkpoints';
import { checkpointedStep, type StepResult } from './step';

export const LABEL_VERSION = 1;

export async function label(
  conn: DuckDBConnection,
  outDir: string,
  lineage: StepResult,
  nondud: StepResult,
  rule: Rule,
): Promise<StepResult> {
  const key = stepKey('label', LABEL_VERSION, lineage.key, nondud.key, rule.label, rule.pattern);
  const result = await checkpointedStep(conn, outDir, 'label', LABEL_VERSION, key, async () => ({
    sql: `SELECT p.pid_hash, p.process_name, p.ptree, p.ptree_list, $label AS label
            FROM read_parquet($paths) p SEMI JOIN read_parquet($nondud) n USING (pid_hash)
           WHERE contains(lower(p.ptree), lower($pattern))`,
    params: { paths: lineage.output, nondud: nondud.output, label: rule.label, pattern: rule.pattern },
    facts: { label: rule.label, pattern: rule.pattern },
  }));
  return { ...result, name: `label:${rule.label}` };
}
