/**
 * Outputs of two runs compared the way an analyst would: the same rows in every parquet output (row
 * order aside: EXCEPT ALL both ways, so duplicates count too) and the identical proportions.json.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { duck } from '../support/process-table';

export const COMPARED_OUTPUTS = [
  'process.parquet',
  'process_path.parquet',
  'process_nondud.parquet',
  'agents_platform.parquet',
  'process_denoised.parquet',
] as const;

export async function assertSameOutputs(expectedDir: string, actualDir: string): Promise<void> {
  for (const name of COMPARED_OUTPUTS) {
    const a = path.join(expectedDir, name);
    const b = path.join(actualDir, name);
    const [diff] = await duck<{ missing: string; extra: string; rows: string }>(
      `SELECT (SELECT count(*) FROM (FROM read_parquet($a) EXCEPT ALL FROM read_parquet($b))) AS missing,
              (SELECT count(*) FROM (FROM read_parquet($b) EXCEPT ALL FROM read_parquet($a))) AS extra,
              (SELECT count(*) FROM read_parquet($b)) AS rows`,
      { a, b },
    );
    assert.deepEqual({ name, missing: diff.missing, extra: diff.extra }, { name, missing: '0', extra: '0' }, `${name}: same rows`);
    assert.ok(Number(diff.rows) > 0, `${name} is not empty`);
  }
  const proportions = (dir: string) => fs.readFileSync(path.join(dir, 'proportions.json'), 'utf8');
  assert.equal(proportions(actualDir), proportions(expectedDir), 'proportions.json is identical');
}
