/**
 * Step 2, lineage: `process_path`, each process's chain of ancestors (SPEC "process_path").
 *
 * The walk from a process to its parent stops at a NULL parent, a parent not in the data, a parent on
 * another host, or a parent already on the chain. Instead of walking every process up to its root
 * (the reference ETL's recursive query, which keeps one row per process *and ancestor*), the chains
 * are built top-down: a root's chain is itself, and a child's chain is itself followed by its parent's.
 * Every chain is produced once, one generation per statement, each generation joined only with the one
 * before it: the work is the size of the output.
 *
 * Each process's parent is resolved by one join on the hashes, which keys everything after it on the
 * row numbers of the input file. Only processes that have children are stored (11 % of ACME4): the
 * chain of a leaf is itself followed by its parent's, and a process with neither a parent to step to
 * nor children (63 % of ACME4: mostly `conhost.exe` whose parent is missing) is its own one-element
 * chain; both are produced while the output file is written.
 *
 * The top-down identity fails only inside a component that has no root, i.e. one holding a cycle: there
 * a cycle member's chain is the cycle read from that member, and the chain of anything below it ends
 * where the cycle closes. Those components are rare (ACME4 has one) and small, so they take the plain
 * walk with a visited list. (A leaf is on no cycle, so the identity always holds for it.)
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { queryRows } from './db';
import { checkpointedStep, count, type StepQuery, type StepResult } from './step';

/** 3: only processes with children stored; row order changed (the rows themselves are unchanged). */
export const LINEAGE_VERSION = 3;

/**
 * Generations built top-down by one recursive query (ACME4 needs 16); deeper chains switch to pointer
 * jumping, so that a chain thousands deep costs a few dozen statements, not thousands of steps that
 * each scan every process with children.
 */
const GENERATIONS = 24;

/** The input with its row number as the integer key every later statement joins on (one file: ingest's checkpoint or a partition's). */
const NUMBERED = `(SELECT file_row_number::INTEGER AS id, * EXCLUDE (file_row_number) FROM read_parquet($file, file_row_number = true))`;

/** A child's chain from its own row `e` and its parent's chain `p`: the top-down identity. */
const CHILD_PTREE = `'=' || e.process_name || '->' || substr(p.ptree, 2)`;
const CHILD_PTREE_LIST = 'list_prepend(e.pid_hash, p.ptree_list)';

/** The leaves: processes with a parent to step to and no children. */
const LEAF_EDGE = 'edge ANTI JOIN parent_node USING (id)';

/** CREATE OR REPLACE a temporary table from a query; returns its row count. */
async function createTable(conn: DuckDBConnection, table: string, query: string, params?: Record<string, DuckDBValue>): Promise<number> {
  const reader = await conn.runAndReadAll(`CREATE OR REPLACE TEMP TABLE ${table} AS ${query}`, params);
  return count(reader.getRows()[0]?.[0]);
}

/**
 * `edge`: each process whose parent the walk may step to (in the data, same host, not itself), with
 * the parent's hash and name; then `parent_node`: every process that has children, with its own
 * parent (NULL for a root). Returns the counts of the links the walk may not take.
 */
async function loadGraph(conn: DuckDBConnection, processFile: string): Promise<{ facts: Record<string, number>; parents: number }> {
  const links = await createTable(
    conn,
    'edge',
    `SELECT c.id, p.id AS parent_id, p.pid_hash AS parent_hash, p.process_name AS parent_name, p.hostname <> c.hostname AS cross_host
       FROM ${NUMBERED} c JOIN ${NUMBERED} p ON p.pid_hash = c.parent_pid_hash`,
    { file: processFile },
  );
  const [f] = await queryRows<Record<string, string>>(
    conn,
    `SELECT (SELECT count(parent_pid_hash) FROM read_parquet($file)) - $links AS parents_not_found,
            count(*) FILTER (cross_host) AS cross_host_parents,
            count(*) FILTER (id = parent_id) AS self_parented
       FROM edge`,
    { file: processFile, links },
  );
  const facts = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, count(v)]));
  // A parent on another host or the process itself ends the walk: no edge.
  const ends = facts.cross_host_parents + facts.self_parented;
  if (ends > 0) await conn.run('DELETE FROM edge WHERE cross_host OR id = parent_id');
  facts.chains_longer_than_1 = links - ends;
  const parents = await createTable(
    conn,
    'parent_node',
    `SELECT k.parent_id AS id, any_value(k.parent_hash) AS pid_hash, any_value(k.parent_name) AS process_name, any_value(e.parent_id) AS parent_id
       FROM edge k LEFT JOIN edge e ON e.id = k.parent_id
      GROUP BY k.parent_id`,
  );
  return { facts, parents };
}

/**
 * Top-down from the roots that have children, one generation per step of a recursive query: their
 * children that have children, and so on, each chain the process's own name and hash followed by its
 * parent's chain. Stops after GENERATIONS; returns the number of chains and whether any were cut there.
 */
async function buildTopDown(conn: DuckDBConnection): Promise<{ chains: number; cut: boolean }> {
  const chains = await createTable(
    conn,
    'top_down',
    `WITH RECURSIVE down(id, process_name, ptree, ptree_list, generation) AS (
       SELECT id, process_name, '=' || process_name, [pid_hash], 0 FROM parent_node WHERE parent_id IS NULL
       UNION ALL
       SELECT e.id, e.process_name, ${CHILD_PTREE}, ${CHILD_PTREE_LIST}, p.generation + 1
         FROM parent_node e JOIN down p ON p.id = e.parent_id
        WHERE p.generation < $last
     )
     SELECT * FROM down`,
    { last: GENERATIONS },
  );
  const [{ cut }] = await queryRows<{ cut: boolean }>(conn, 'SELECT count(*) FILTER (generation = $last) > 0 AS cut FROM top_down', {
    last: GENERATIONS,
  });
  return { chains, cut };
}

/** `chain`: the chains of the processes that have children, (id, process_name, ptree, ptree_list). */
async function defineChainView(conn: DuckDBConnection, tables: string[]): Promise<void> {
  const parts = tables.map((t) => `SELECT id, process_name, ptree, ptree_list FROM ${t}`);
  await conn.run(`CREATE OR REPLACE TEMP VIEW chain AS ${parts.join(' UNION ALL ')}`);
}

/**
 * Chains deeper than GENERATIONS, into `deep_chain`, by pointer jumping: each waiting process holds a
 * segment (itself and the ancestors up to, not including, `up`). Every round, a process whose `up` has
 * its chain takes segment + that chain; any other takes over the segment and `up` of its `up`, doubling
 * its segment. A chain of depth d costs log2(d) rounds instead of d generations.
 *
 * A round that completes nothing leaves only processes whose ancestors never reach a root (cycle
 * components): while any reachable process waits, the one nearest the finished part completes.
 */
async function buildDeepTail(conn: DuckDBConnection, tables: string[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE deep_chain (id INTEGER, process_name VARCHAR, ptree VARCHAR, ptree_list VARCHAR[])`);
  await defineChainView(conn, [...tables, 'deep_chain']);
  const limit = await createTable(
    conn,
    'tail',
    `SELECT id, parent_id AS up, process_name, process_name AS seg, [pid_hash] AS seg_list FROM parent_node ANTI JOIN chain USING (id)`,
  );
  for (;;) {
    const resolved = await createTable(
      conn,
      'resolved',
      `SELECT t.id, t.process_name, '=' || t.seg || '->' || substr(c.ptree, 2) AS ptree, list_concat(t.seg_list, c.ptree_list) AS ptree_list
         FROM tail t JOIN chain c ON c.id = t.up`,
    );
    if (resolved === 0) break;
    await conn.run('INSERT INTO deep_chain SELECT * FROM resolved');
    // Jump; a segment longer than the tail itself can only go round a cycle, so it stops there.
    await createTable(
      conn,
      'tail',
      `SELECT t.id, u.up, t.process_name, t.seg || '->' || u.seg AS seg, list_concat(t.seg_list, u.seg_list) AS seg_list
         FROM tail t JOIN tail u ON u.id = t.up ANTI JOIN resolved r ON r.id = t.id
        WHERE len(t.seg_list) <= $limit`,
      { limit },
    );
  }
  await conn.run('DROP TABLE resolved');
  await conn.run('DROP TABLE tail');
}

/**
 * A process with children but no chain yet lies in a component without a root: a cycle and its
 * descendants. Those take the plain walk, child to root, with the visited list that stops where the
 * cycle closes, into `cycle_chain`; `last_id` is the process the walk ended on. A NULL name anywhere
 * makes ptree NULL. (Every process such a walk passes has children and no chain: `cycle_node`.)
 */
async function walkCycleComponents(conn: DuckDBConnection, tables: string[]): Promise<void> {
  await createTable(conn, 'cycle_node', 'SELECT * FROM parent_node ANTI JOIN chain USING (id)');
  await createTable(
    conn,
    'cycle_walk',
    `WITH RECURSIVE walk(id, process_name, last_id, depth, ptree, ptree_list) AS (
       SELECT id, process_name, id, 1, '=' || process_name, [pid_hash] FROM cycle_node
       UNION ALL
       SELECT w.id, w.process_name, p.id, w.depth + 1, w.ptree || '->' || p.process_name, list_append(w.ptree_list, p.pid_hash)
         FROM walk w JOIN cycle_node c ON c.id = w.last_id JOIN cycle_node p ON p.id = c.parent_id
        WHERE NOT list_contains(w.ptree_list, p.pid_hash)
     )
     SELECT id, process_name, ptree, ptree_list, last_id FROM walk
     QUALIFY row_number() OVER (PARTITION BY id ORDER BY depth DESC) = 1`,
  );
  await createTable(conn, 'cycle_chain', 'SELECT id, process_name, ptree, ptree_list FROM cycle_walk');
  await defineChainView(conn, [...tables, 'cycle_chain']);
}

/** Facts about the cycle components: their processes (leaves under them too), members and cycles. */
async function cycleFacts(conn: DuckDBConnection): Promise<Record<string, number>> {
  const [f] = await queryRows<Record<string, string>>(
    conn,
    `WITH member AS (
       -- A cycle member's chain closes on itself: the parent of its last process is the member.
       SELECT w.id, w.ptree_list FROM cycle_walk w JOIN cycle_node last ON last.id = w.last_id WHERE last.parent_id = w.id
     )
     SELECT (SELECT count(*) FROM cycle_chain)
              + (SELECT count(*) FROM ${LEAF_EDGE} SEMI JOIN cycle_chain c ON c.id = edge.parent_id) AS processes_in_cycle_components,
            (SELECT count(*) FROM member) AS cycle_members,
            (SELECT count(DISTINCT list_sort(ptree_list)) FROM member) AS cycles`,
  );
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, count(v)]));
}

/**
 * The longest chain and the NULL ptrees. Every stored chain outside a cycle component has children and
 * the deepest of them has only leaves, one longer; inside one, a member may have only members below it.
 * A ptree is NULL when the process's name is, or its parent's ptree is.
 */
async function chainFacts(conn: DuckDBConnection, processFile: string, cycles: boolean): Promise<Record<string, number>> {
  const [f] = await queryRows<Record<string, string>>(
    conn,
    `WITH null_chain AS (SELECT id FROM chain WHERE ptree IS NULL),
          under_null AS (SELECT id FROM ${LEAF_EDGE} SEMI JOIN null_chain n ON n.id = edge.parent_id)
     SELECT greatest(1,
              (SELECT max(len(ptree_list)) + 1 FROM chain ${cycles ? 'ANTI JOIN cycle_chain USING (id)' : ''}),
              ${
                cycles
                  ? `(SELECT max(len(ptree_list)) FROM cycle_chain),
                     (SELECT max(len(ptree_list)) + 1 FROM cycle_chain c SEMI JOIN ${LEAF_EDGE} ON edge.parent_id = c.id)`
                  : 'NULL'
              }) AS max_chain_length,
            (SELECT count(*) FROM null_chain) + (SELECT count(*) FROM under_null)
              + (SELECT count(*) FROM ${NUMBERED} n ANTI JOIN parent_node USING (id) ANTI JOIN under_null USING (id)
                  WHERE n.process_name IS NULL) AS null_ptree`,
    { file: processFile },
  );
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, count(v)]));
}

export async function lineage(conn: DuckDBConnection, outDir: string, ingest: StepResult): Promise<StepResult> {
  const key = stepKey('lineage', LINEAGE_VERSION, ingest.key);
  return checkpointedStep(conn, outDir, 'lineage', LINEAGE_VERSION, key, () => buildLineage(conn, ingest.output));
}

/**
 * Build the lineage of the one-row-per-process table `processFile` in temporary tables on `conn`;
 * returns the query that reads process_path and the lineage facts. The query reads the chains built
 * here, then every other process from the input: a leaf under its parent's chain, anything else alone.
 */
export async function buildLineage(conn: DuckDBConnection, processFile: string): Promise<StepQuery> {
  const graph = await loadGraph(conn, processFile);
  const topDown = await buildTopDown(conn);
  let tables = ['top_down'];
  await defineChainView(conn, tables);
  // Every process with children reached (each exactly once): no deep chains and no cycle components.
  const unreached = topDown.chains < graph.parents;
  if (unreached) {
    if (topDown.cut) {
      await buildDeepTail(conn, tables);
      tables = [...tables, 'deep_chain'];
    }
    await walkCycleComponents(conn, tables);
  }
  const facts = {
    ...graph.facts,
    ...(unreached ? await cycleFacts(conn) : { processes_in_cycle_components: 0, cycle_members: 0, cycles: 0 }),
    ...(await chainFacts(conn, processFile, unreached)),
  };
  return {
    sql: `SELECT ptree_list[1] AS pid_hash, process_name, ptree, ptree_list FROM chain
          UNION ALL
          SELECT e.pid_hash, e.process_name,
                 CASE WHEN p.id IS NULL THEN '=' || e.process_name ELSE ${CHILD_PTREE} END AS ptree,
                 CASE WHEN p.id IS NULL THEN [e.pid_hash] ELSE ${CHILD_PTREE_LIST} END AS ptree_list
            FROM ${NUMBERED} e ANTI JOIN parent_node USING (id) LEFT JOIN edge k USING (id) LEFT JOIN chain p ON p.id = k.parent_id`,
    params: { file: processFile },
    facts,
  };
}
