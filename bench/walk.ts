/**
 * The straightforward lineage the benchmark compares against: the reference ETL's (`wintappy`
 * process_path) recursive query. Every process walks up to its root, one row per (process, ancestor)
 * is kept, and the last row per process is the answer. Same stop rules as SPEC "process_path": NULL
 * parent, parent not in the data, parent on another host, parent already on the chain.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const WALK_SQL = `
  WITH RECURSIVE walk(pid_hash, process_name, hostname, cur_parent, depth, ptree, ptree_list) AS (
    SELECT pid_hash, process_name, hostname, parent_pid_hash, 1, '=' || process_name, [pid_hash]
      FROM read_parquet($file)
    UNION ALL
    SELECT w.pid_hash, w.process_name, w.hostname, p.parent_pid_hash, w.depth + 1,
           w.ptree || '->' || p.process_name, list_append(w.ptree_list, p.pid_hash)
      FROM walk w JOIN read_parquet($file) p ON p.pid_hash = w.cur_parent AND p.hostname = w.hostname
     WHERE NOT list_contains(w.ptree_list, p.pid_hash)
  )
  SELECT pid_hash, process_name, ptree, ptree_list FROM walk
  QUALIFY row_number() OVER (PARTITION BY pid_hash ORDER BY depth DESC) = 1`;

/** The straightforward lineage of `processFile` into the temporary table `table` (a fixed name). */
export async function walkLineage(conn: DuckDBConnection, processFile: string, table: 'walk_result'): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${WALK_SQL}`, { file: processFile });
}
