/**
 * Outputs of two runs compared the way an analyst would: the same rows in every parquet output (row
 * order aside: EXCEPT ALL both ways, so duplicates count too) and the identical proportions.json.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { duck } from './process-table';

export const COMPARED_OUTPUTS = [
  'process.parquet',
  'process_path.parquet',
  'process_nondud.parquet',
  'agents_platform.parquet',
  'process_denoised.parquet',
] as const;

/** Assert two parquet files hold the same rows (EXCEPT ALL both ways); returns the row count of `actual`. */
export async function assertSameRows(expected: string, actual: string, label: string): Promise<number> {
  const [diff] = await duck<{ missing: string; extra: string; rows: string }>(
    `SELECT (SELECT count(*) FROM (FROM read_parquet($a) EXCEPT ALL FROM read_parquet($b))) AS missing,
            (SELECT count(*) FROM (FROM read_parquet($b) EXCEPT ALL FROM read_parquet($a))) AS extra,
            (SELECT count(*) FROM read_parquet($b)) AS rows`,
    { a: expected, b: actual },
  );
  assert.deepEqual({ label, missing: diff.missing, extra: diff.extra }, { label, missing: '0', extra: '0' }, `${label}: same rows`);
  return Number(diff.rows);
}

export async function assertSameOutputs(expectedDir: string, actualDir: string): Promise<void> {
  for (const name of COMPARED_OUTPUTS) {
    const rows = await assertSameRows(path.join(expectedDir, name), path.join(actualDir, name), name);
    assert.ok(rows > 0, `${name} is not empty`);
  }
  const proportions = (dir: string) => fs.readFileSync(path.join(dir, 'proportions.json'), 'utf8');
  assert.equal(proportions(actualDir), proportions(expectedDir), 'proportions.json is identical');
}
