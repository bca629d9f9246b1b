/**
 * What the generator tests share: temporary folders, a DuckDB of their own, and the SPEC's roll-up
 * and lineage rules written out independently of the pipeline, so the generator is checked against
 * the contract rather than against the code that consumes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { STDVIEW_COLUMNS } from '../../generator';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wintap-generator-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function openDb(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export async function rows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as T[];
}

export async function one<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<T> {
  const [row] = await rows<T>(conn, sql, params);
  return row;
}

export function parquetFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => path.join(dir, f))
    .sort();
}

const COLUMNS = STDVIEW_COLUMNS.join(', ');
const TEXT_COLUMNS = ['pid_hash', 'hostname', 'process_name', 'parent_pid_hash', 'process_path', 'args', 'user_name', 'agent_id'];

/** Every column of a roll-up group must agree, apart from NULLs; returns the columns that do not. */
async function disagreeingColumns(conn: DuckDBConnection, table: string): Promise<string[]> {
  const checks = STDVIEW_COLUMNS.filter((c) => !['pid_hash', 'process_started', 'process_term'].includes(c))
    .map((c) => `count(*) FILTER (n_${c} > 1) AS ${c}`)
    .join(', ');
  const perGroup = STDVIEW_COLUMNS.filter((c) => !['pid_hash', 'process_started', 'process_term'].includes(c))
    .map((c) => `count(DISTINCT ${c}) AS n_${c}`)
    .join(', ');
  const result = await one<Record<string, bigint>>(conn, `SELECT ${checks} FROM (SELECT ${perGroup} FROM ${table} GROUP BY pid_hash)`);
  return Object.entries(result)
    .filter(([, n]) => Number(n) > 0)
    .map(([c]) => c);
}

/**
 * Roll one generated layout up to a table `name` of one row per pid_hash (SPEC "Inputs"): exact
 * duplicates dropped, '' → NULL, user 'na' (any case) → NULL, each column its non-NULL value,
 * process_started the earliest start/refresh, process_term the latest stop.
 */
export async function rollUp(
  conn: DuckDBConnection,
  out: string,
  layout: 'stdview' | 'rolling' | 'raw_sensor',
  name: string,
): Promise<void> {
  const clean = (c: string) => (TEXT_COLUMNS.includes(c) ? `nullif(${c}, '')` : c);
  if (layout === 'stdview') {
    await conn.run(
      `CREATE OR REPLACE TABLE ${name} AS SELECT ${STDVIEW_COLUMNS.map((c) => `${clean(c)} AS ${c}`).join(', ')}
                    FROM read_parquet($file)`,
      { file: path.join(out, 'process.parquet') },
    );
    return;
  }
  if (layout === 'rolling') {
    const files = listValue(parquetFiles(path.join(out, 'rolling', 'process')));
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${name}_rows AS
                    SELECT DISTINCT ${STDVIEW_COLUMNS.map((c) => `${clean(c)} AS ${c}`).join(', ')}
                    FROM read_parquet($files, union_by_name = true, hive_partitioning = false)`,
      { files },
    );
  } else {
    const files = listValue(parquetFiles(path.join(out, 'raw_sensor', 'raw_process')));
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${name}_rows AS
      SELECT nullif(PidHash, '') AS pid_hash, nullif(Hostname, '') AS hostname, PID AS os_pid,
             nullif(ProcessName, '') AS process_name, nullif(ParentPidHash, '') AS parent_pid_hash, ParentPid AS parent_os_pid,
             nullif(ProcessPath, '') AS process_path, nullif(ProcessArgs, '') AS args,
             CASE WHEN lower(UserName) = 'na' THEN NULL ELSE nullif(UserName, '') END AS user_name,
             nullif(AgentId, '') AS agent_id,
             CASE WHEN ActivityType IN ('start', 'refresh') THEN make_timestamp(EventTime // 10 - 11644473600000000) END AS process_started,
             CASE WHEN ActivityType = 'stop' THEN make_timestamp(EventTime // 10 - 11644473600000000) END AS process_term
      FROM (SELECT DISTINCT * FROM read_parquet($files, union_by_name = true, hive_partitioning = false))`,
      { files },
    );
  }
  const bad = await disagreeingColumns(conn, `${name}_rows`);
  if (bad.length > 0) throw new Error(`${layout}: rows of one pid_hash disagree on ${bad.join(', ')}`);
  const pick = STDVIEW_COLUMNS.filter((c) => c !== 'pid_hash').map((c) =>
    c === 'process_started'
      ? 'min(process_started) AS process_started'
      : c === 'process_term'
        ? 'max(process_term) AS process_term'
        : `any_value(${c}) AS ${c}`,
  );
  await conn.run(`CREATE OR REPLACE TABLE ${name} AS SELECT pid_hash, ${pick.join(', ')} FROM ${name}_rows GROUP BY pid_hash`);
}

/** Rows in `a` but not in `b`, plus rows in `b` but not in `a` (0 when the tables hold the same rows). */
export async function symmetricDifference(conn: DuckDBConnection, a: string, b: string): Promise<number> {
  const r = await one<{ n: bigint }>(
    conn,
    `SELECT (SELECT count(*) FROM (SELECT ${COLUMNS} FROM ${a} EXCEPT ALL SELECT ${COLUMNS} FROM ${b}))
          + (SELECT count(*) FROM (SELECT ${COLUMNS} FROM ${b} EXCEPT ALL SELECT ${COLUMNS} FROM ${a})) AS n`,
  );
  return Number(r.n);
}

/**
 * The SPEC's lineage walk: child to parent until the parent is NULL, missing, on another host, or
 * already on the path. Creates `lineage(pid_hash, is_dud, length, ptree)`; ptree lower-cased, NULL
 * when a name on the path is NULL.
 */
export async function computeLineage(conn: DuckDBConnection, table: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE lineage AS
    WITH RECURSIVE walk(pid_hash, next_hash, host, names, hashes) AS (
      SELECT pid_hash, parent_pid_hash, hostname, [process_name], [pid_hash] FROM ${table}
      UNION ALL
      SELECT w.pid_hash, p.parent_pid_hash, w.host, list_append(w.names, p.process_name), list_append(w.hashes, p.pid_hash)
      FROM walk w JOIN ${table} p ON p.pid_hash = w.next_hash AND p.hostname = w.host
      WHERE NOT list_contains(w.hashes, p.pid_hash)
    ), longest AS (
      SELECT pid_hash, arg_max(names, len(hashes)) AS names, max(len(hashes)) AS length FROM walk GROUP BY pid_hash
    )
    SELECT t.pid_hash, t.parent_pid_hash IS NULL AS is_dud, l.length,
           CASE WHEN list_count(l.names) = len(l.names) THEN lower('=' || array_to_string(l.names, '->')) END AS ptree
    FROM ${table} t JOIN longest l USING (pid_hash)`);
}
