/**
 * Whether two process_path files hold the same rows (pid_hash, process_name, ptree, ptree_list), as
 * multisets: the benchmark's identical-output check.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface Comparison {
  rows_a: number;
  rows_b: number;
  only_in_a: number;
  only_in_b: number;
  identical: boolean;
}

const COLUMNS = 'pid_hash, process_name, ptree, ptree_list';

export async function compareLineage(conn: DuckDBConnection, a: string, b: string): Promise<Comparison> {
  const reader = await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM read_parquet($a)) AS rows_a,
            (SELECT count(*) FROM read_parquet($b)) AS rows_b,
            (SELECT count(*) FROM (SELECT ${COLUMNS} FROM read_parquet($a) EXCEPT ALL SELECT ${COLUMNS} FROM read_parquet($b))) AS only_in_a,
            (SELECT count(*) FROM (SELECT ${COLUMNS} FROM read_parquet($b) EXCEPT ALL SELECT ${COLUMNS} FROM read_parquet($a))) AS only_in_b`,
    { a, b },
  );
  const [r] = reader.getRowObjectsJson() as Record<string, string>[];
  const n = (k: string) => Number(r[k]);
  const c = { rows_a: n('rows_a'), rows_b: n('rows_b'), only_in_a: n('only_in_a'), only_in_b: n('only_in_b') };
  return { ...c, identical: c.rows_a === c.rows_b && c.only_in_a === 0 && c.only_in_b === 0 };
}
