/**
 * Step 2, lineage: `process_path`, each process's chain of ancestors (SPEC "process_path").
 *
 * The walk from a process to its parent stops at a NULL parent, a parent not in the data, a parent on
 * another host, or a parent already on the chain. Instead of walking every process up to its root
 * (the reference ETL's recursive query, which keeps one row per process *and ancestor*), the chains
 * are built top-down: a root's chain is itself, and a child's chain is itself followed by its parent's.
 * Every process is produced once, from integer keys, in one pass per generation.
 *
 * That identity fails only inside a component that has no root, i.e. one holding a cycle: there a
 * cycle member's chain is the cycle read from that member, and the chain of anything below it ends
 * where the cycle closes. Those components are rare (ACME4 has one) and small, so they take the plain
 * walk with a visited list.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { queryRows } from './db';
import { checkpointedStep, count, type StepResult } from './step';

export const LINEAGE_VERSION = 1;

/** `node`: integer ids; `edge`: each process's parent when the walk may step to it. */
export async function loadGraph(conn: DuckDBConnection, processFile: string): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE node AS
       SELECT (row_number() OVER () - 1)::INTEGER AS id, pid_hash, parent_pid_hash, hostname, process_name
         FROM read_parquet($file)`,
    { file: processFile },
  );
  // Same host, not itself: an other-host or self parent ends the walk, so it is no edge.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE edge AS
       SELECT c.id, p.id AS parent_id, c.pid_hash, c.process_name
         FROM node c JOIN node p ON p.pid_hash = c.parent_pid_hash AND p.hostname = c.hostname
        WHERE p.id <> c.id`,
  );
}

/** Chains of every process reachable from a root, built top-down, one generation per iteration. */
const TOP_DOWN = `
  WITH RECURSIVE chain(id, ptree, ptree_list) AS (
    SELECT n.id, '=' || n.process_name, [n.pid_hash]
      FROM node n ANTI JOIN edge e ON e.id = n.id
    UNION ALL
    SELECT e.id, '=' || e.process_name || '->' || substr(c.ptree, 2), list_prepend(e.pid_hash, c.ptree_list)
      FROM chain c JOIN edge e ON e.parent_id = c.id
  )
  SELECT * FROM chain`;

/**
 * The plain walk, child to root, with the visited list that stops at a cycle; applied to the
 * processes of `start` only. A NULL name anywhere makes ptree NULL (string concatenation with NULL).
 */
export const WALK_FROM = (start: string) => `
  WITH RECURSIVE walk(start_id, cur, depth, ptree, ptree_list) AS (
    SELECT n.id, n.id, 1, '=' || n.process_name, [n.pid_hash] FROM node n JOIN ${start} s ON s.id = n.id
    UNION ALL
    SELECT w.start_id, e.parent_id, w.depth + 1, w.ptree || '->' || p.process_name, list_append(w.ptree_list, p.pid_hash)
      FROM walk w JOIN edge e ON e.id = w.cur JOIN node p ON p.id = e.parent_id
     WHERE NOT list_contains(w.ptree_list, p.pid_hash)
  )
  SELECT start_id AS id, ptree, ptree_list FROM walk
  QUALIFY row_number() OVER (PARTITION BY start_id ORDER BY depth DESC) = 1`;

export async function lineage(conn: DuckDBConnection, outDir: string, ingest: StepResult): Promise<StepResult> {
  const key = stepKey('lineage', LINEAGE_VERSION, ingest.key);
  return checkpointedStep(conn, outDir, 'lineage', LINEAGE_VERSION, key, async () => {
    await loadGraph(conn, ingest.output);
    await conn.run(`CREATE OR REPLACE TEMP TABLE chain AS ${TOP_DOWN}`);
    // What the top-down pass did not reach lies in a component without a root: a cycle and its descendants.
    await conn.run('CREATE OR REPLACE TEMP TABLE in_cycle_component AS SELECT id FROM node ANTI JOIN chain USING (id)');
    await conn.run(`INSERT INTO chain ${WALK_FROM('in_cycle_component')}`);
    // A cycle member's chain closes on itself: the parent of its last process is the member.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE cycle_member AS
         SELECT c.id, c.ptree_list FROM chain c
           JOIN in_cycle_component USING (id)
           JOIN node last ON last.pid_hash = c.ptree_list[-1]
           JOIN edge e ON e.id = last.id
          WHERE e.parent_id = c.id`,
    );

    const [f] = await queryRows<Record<string, string>>(
      conn,
      `SELECT
         (SELECT count(*) FROM node c WHERE c.parent_pid_hash IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM node p WHERE p.pid_hash = c.parent_pid_hash)) AS parents_not_found,
         (SELECT count(*) FROM node c JOIN node p ON p.pid_hash = c.parent_pid_hash
           WHERE p.hostname <> c.hostname) AS cross_host_parents,
         (SELECT count(*) FROM node WHERE pid_hash = parent_pid_hash) AS self_parented,
         (SELECT count(*) FROM in_cycle_component) AS processes_in_cycle_components,
         (SELECT count(*) FROM cycle_member) AS cycle_members,
         (SELECT count(DISTINCT list_sort(ptree_list)) FROM cycle_member) AS cycles,
         (SELECT count(*) FROM chain WHERE len(ptree_list) > 1) AS chains_longer_than_1,
         (SELECT max(len(ptree_list)) FROM chain) AS max_chain_length,
         (SELECT count(*) FROM chain WHERE ptree IS NULL) AS null_ptree`,
    );
    const facts = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, count(v)]));
    return {
      sql: `SELECT n.pid_hash, n.process_name, c.ptree, c.ptree_list
              FROM chain c JOIN node n USING (id) ORDER BY c.id`,
      facts,
    };
  });
}
