/**
 * Step 2, lineage: `process_path`, each process's chain of ancestors (SPEC "process_path").
 *
 * The walk from a process to its parent stops at a NULL parent, a parent not in the data, a parent on
 * another host, or a parent already on the chain. Instead of walking every process up to its root
 * (the reference ETL's recursive query, which keeps one row per process *and ancestor*), the chains
 * are built top-down: a root's chain is itself, and a child's chain is itself followed by its parent's.
 * Every process is produced once, one generation per statement, each generation joined only with the
 * one before it: the work is the size of the output.
 *
 * Parents are resolved to integer ids once (the only join on the 32-character hashes), and processes
 * that neither have a parent to step to nor children (63 % of ACME4: mostly `conhost.exe` whose parent
 * is missing) never enter the loop.
 *
 * The top-down identity fails only inside a component that has no root, i.e. one holding a cycle: there
 * a cycle member's chain is the cycle read from that member, and the chain of anything below it ends
 * where the cycle closes. Those components are rare (ACME4 has one) and small, so they take the plain
 * walk with a visited list.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { queryRows } from './db';
import { checkpointedStep, count, type StepQuery, type StepResult } from './step';

/** 2: built per generation; rows no longer sorted by input order (the rows themselves are unchanged). */
export const LINEAGE_VERSION = 2;

/**
 * Generations built one statement each (ACME4 needs 16); deeper chains switch to pointer jumping, so
 * that a chain thousands deep costs a few dozen statements, not thousands.
 */
const GENERATIONS = 24;

/**
 * `node`: every process with an integer id and its parent's id and host (NULL when the parent hash is
 * NULL or not in the data). `edge`: each process's parent when the walk may step to it (same host, not
 * itself), with the child's name and hash carried so the loop needs no further join.
 */
export async function loadGraph(conn: DuckDBConnection, processFile: string): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE source AS
       SELECT (row_number() OVER () - 1)::INTEGER AS id, pid_hash, parent_pid_hash, hostname, process_name
         FROM read_parquet($file)`,
    { file: processFile },
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE node AS
       SELECT c.id, c.pid_hash, c.process_name, c.hostname, c.parent_pid_hash IS NOT NULL AS has_parent_hash,
              p.id AS parent_id, p.hostname AS parent_hostname
         FROM source c LEFT JOIN source p ON p.pid_hash = c.parent_pid_hash`,
  );
  await conn.run('DROP TABLE source');
  // An other-host or self parent ends the walk, so it is no edge.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE edge AS
       SELECT id, parent_id, pid_hash, process_name FROM node
        WHERE parent_id IS NOT NULL AND parent_hostname = hostname AND parent_id <> id`,
  );
}

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

/**
 * `chain` (id, ptree, ptree_list) for every process below a root and for the roots that have children;
 * processes with neither a parent edge nor children are left to the output query.
 */
async function buildTopDown(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE front AS
       SELECT n.id, '=' || n.process_name AS ptree, [n.pid_hash] AS ptree_list
         FROM node n SEMI JOIN edge k ON k.parent_id = n.id ANTI JOIN edge e ON e.id = n.id`,
  );
  await conn.run('CREATE OR REPLACE TEMP TABLE chain AS SELECT * FROM front');
  for (let generation = 1; generation <= GENERATIONS; generation++) {
    // The next generation: children of the last one, each chain = own name and hash + the parent's chain.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE front AS
         SELECT e.id, '=' || e.process_name || '->' || substr(f.ptree, 2) AS ptree, list_prepend(e.pid_hash, f.ptree_list) AS ptree_list
           FROM edge e JOIN front f ON f.id = e.parent_id`,
    );
    if ((await rowCount(conn, 'front')) === 0) break;
    await conn.run('INSERT INTO chain SELECT * FROM front');
  }
  await conn.run('DROP TABLE front');
  await buildDeepTail(conn);
}

async function rowCount(conn: DuckDBConnection, table: 'front' | 'tail' | 'resolved'): Promise<number> {
  const [{ n }] = await queryRows<{ n: string }>(conn, `SELECT count(*) AS n FROM ${table}`);
  return count(n);
}

/**
 * Chains deeper than GENERATIONS, by pointer jumping: each waiting process holds a segment (itself and
 * the ancestors up to, not including, `up`). Every round, a process whose `up` has its chain takes
 * segment + that chain; any other takes over the segment and `up` of its `up`, doubling its segment.
 * A chain of depth d costs log2(d) rounds instead of d generations.
 *
 * A round that completes nothing leaves only processes whose ancestors never reach a root (cycle
 * components): while any reachable process waits, the one nearest the finished part completes.
 */
async function buildDeepTail(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE tail AS
       SELECT id, parent_id AS up, process_name AS seg, [pid_hash] AS seg_list FROM edge ANTI JOIN chain USING (id)`,
  );
  const limit = await rowCount(conn, 'tail');
  if (limit === 0) return;
  for (;;) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE resolved AS
         SELECT t.id, '=' || t.seg || '->' || substr(c.ptree, 2) AS ptree, list_concat(t.seg_list, c.ptree_list) AS ptree_list
           FROM tail t JOIN chain c ON c.id = t.up`,
    );
    if ((await rowCount(conn, 'resolved')) === 0) break;
    await conn.run('INSERT INTO chain SELECT * FROM resolved');
    // Jump; a segment longer than the tail itself can only go round a cycle, so it stops there.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE tail AS
         SELECT t.id, u.up, t.seg || '->' || u.seg AS seg, list_concat(t.seg_list, u.seg_list) AS seg_list
           FROM tail t JOIN tail u ON u.id = t.up ANTI JOIN resolved r ON r.id = t.id
          WHERE len(t.seg_list) <= $limit`,
      { limit },
    );
  }
  await conn.run('DROP TABLE IF EXISTS resolved');
  await conn.run('DROP TABLE tail');
}

export async function lineage(conn: DuckDBConnection, outDir: string, ingest: StepResult): Promise<StepResult> {
  const key = stepKey('lineage', LINEAGE_VERSION, ingest.key);
  return checkpointedStep(conn, outDir, 'lineage', LINEAGE_VERSION, key, () => buildLineage(conn, ingest.output));
}

/**
 * Build the lineage of the one-row-per-process table `processFile` in temporary tables on `conn`;
 * returns the query that reads process_path, and the lineage facts.
 */
export async function buildLineage(conn: DuckDBConnection, processFile: string): Promise<StepQuery> {
  {
    await loadGraph(conn, processFile);
    await buildTopDown(conn);
    // What has an edge (or children) but was not reached lies in a component without a root: a cycle
    // and its descendants.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE in_cycle_component AS
         SELECT id FROM (SELECT id FROM edge UNION SELECT parent_id FROM edge) ANTI JOIN chain USING (id)`,
    );
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
         (SELECT count(*) FROM node WHERE has_parent_hash AND parent_id IS NULL) AS parents_not_found,
         (SELECT count(*) FROM node WHERE parent_hostname <> hostname) AS cross_host_parents,
         (SELECT count(*) FROM node WHERE parent_id = id) AS self_parented,
         (SELECT count(*) FROM in_cycle_component) AS processes_in_cycle_components,
         (SELECT count(*) FROM cycle_member) AS cycle_members,
         (SELECT count(DISTINCT list_sort(ptree_list)) FROM cycle_member) AS cycles,
         (SELECT count(*) FROM chain WHERE len(ptree_list) > 1) AS chains_longer_than_1,
         (SELECT coalesce(max(len(ptree_list)), 1) FROM chain) AS max_chain_length,
         (SELECT count(*) FROM node ANTI JOIN chain USING (id) WHERE process_name IS NULL)
           + (SELECT count(*) FROM chain WHERE ptree IS NULL) AS null_ptree`,
    );
    const facts = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, count(v)]));
    return {
      sql: `SELECT n.pid_hash, n.process_name, c.ptree, c.ptree_list FROM chain c JOIN node n USING (id)
            UNION ALL
            SELECT pid_hash, process_name, '=' || process_name, [pid_hash] FROM node ANTI JOIN chain USING (id)`,
      facts,
    };
  }
}
