/** Step 6, denoise: `process_denoised`, the non-dud processes that carry no label. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { checkpointedStep, type StepResult } from './step';

export const DENOISE_VERSION = 1;

export async function denoise(conn: DuckDBConnection, outDir: string, nondud: StepResult, agents: StepResult): Promise<StepResult> {
  const key = stepKey('denoise', DENOISE_VERSION, nondud.key, agents.key);
  return checkpointedStep(conn, outDir, 'denoise', DENOISE_VERSION, key, async () => ({
    sql: `SELECT * FROM read_parquet($nondud) n ANTI JOIN read_parquet($agents) a USING (pid_hash)`,
    params: { nondud: nondud.output, agents: agents.output },
  }));
}
