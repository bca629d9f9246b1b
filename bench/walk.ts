/**
 * The straightforward lineage methods the benchmark compares against. Both walk every process up to
 * its root, keeping one row per (process, ancestor), and keep the last row per process; both apply the
 * SPEC "process_path" stop rules (NULL parent, parent not in the data, parent on another host, parent
 * already on the chain) and give the same rows as `activities/lineage.ts`.
 *
 * - `reference`: shaped as the reference ETL's query (`wintappy` / Wintap-PyUtil `process_path`): the
 *   process table loaded as a table, each walk row carrying the columns that query carries (agent, host,
 *   pids, image path, level, the parent link, and a list of {pid_hash, process_name} beside the hash
 *   list), the deepest row per process picked by comparing with the maximum level over the process.
 *   This is "the straightforward method" the lineage target is stated against.
 * - `walk`: the same walk cut down to the four output columns, joining the parquet file directly and
 *   picking the deepest row with QUALIFY: the cheapest form of the straightforward method, reported
 *   beside it so that nobody mistakes the reference's extra columns for the whole difference.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

const REFERENCE_SQL = `
  WITH RECURSIVE ancestry(agent_id, hostname, pid_hash, os_pid, process_name, process_path, level,
                          parent_pid_hash, parent_os_pid, ptree, ptree_list, ptree_list_tuples) AS (
    SELECT agent_id, hostname, pid_hash, os_pid, process_name, process_path, 0,
           parent_pid_hash, parent_os_pid, '=' || process_name, [pid_hash], [{'pid_hash': pid_hash, 'process_name': process_name}]
      FROM process
    UNION ALL
    SELECT a.agent_id, a.hostname, a.pid_hash, a.os_pid, a.process_name, a.process_path, a.level + 1,
           up.parent_pid_hash, up.parent_os_pid, a.ptree || '->' || up.process_name,
           list_append(a.ptree_list, up.pid_hash), list_append(a.ptree_list_tuples, {'pid_hash': up.pid_hash, 'process_name': up.process_name})
      FROM ancestry a JOIN process up
        ON up.pid_hash = a.parent_pid_hash AND up.hostname = a.hostname
     WHERE a.parent_pid_hash <> a.pid_hash AND NOT list_contains(a.ptree_list, up.pid_hash)
  )
  SELECT pid_hash, process_name, ptree, ptree_list
    FROM (SELECT *, max(level) OVER (PARTITION BY pid_hash) AS deepest FROM ancestry)
   WHERE level = deepest`;

const WALK_SQL = `
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

export type StraightforwardMethod = 'reference' | 'walk';

/** The temporary table a method's result is built in before it is written. */
export const RESULT_TABLE = 'lineage_result';

/** The lineage of `processFile` by `method` into the temporary table RESULT_TABLE. */
export async function straightforwardLineage(conn: DuckDBConnection, method: StraightforwardMethod, processFile: string): Promise<void> {
  if (method === 'reference') {
    await conn.run('CREATE OR REPLACE TEMP TABLE process AS SELECT * FROM read_parquet($file)', { file: processFile });
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${RESULT_TABLE} AS ${REFERENCE_SQL}`);
  } else {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${RESULT_TABLE} AS ${WALK_SQL}`, { file: processFile });
  }
}
