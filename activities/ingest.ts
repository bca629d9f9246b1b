/**
 * Step 1, ingest: read the Wintap process records in any of the three layouts and roll them up to one
 * row per pid_hash (SPEC "Inputs"). Output: the `process` table, snake_case, one row per process.
 *
 * Roll-up rules: exact duplicate rows are dropped; empty strings become NULL; a user name `na` (any
 * case: the agent's "not available") becomes NULL; each column takes a non-NULL value; process_started
 * is the earliest start, process_term the latest stop. A pid_hash whose rows disagree on hostname,
 * parent or name is refused: rolling those up would invent lineage.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { stepKey } from './checkpoints';
import { queryRows, quoteIdent } from './db';
import { columnProblems, detectLayout, type DetectedInput, type LayoutName } from './layouts';
import { checkpointedStep, count, type StepResult } from './step';
import { BadInput } from './failures';
import { PUBLISHED_NAMES } from './persist';

/** 3: a table in which every pid_hash appears once is written as it is, without the roll-up. */
export const INGEST_VERSION = 3;

export interface IngestRequest {
  /** Resolved, confined input path. */
  input: string;
  /** Resolved, confined output folder. */
  outDir: string;
}

export interface IngestResult extends StepResult {
  layout: LayoutName;
  /** Fingerprint of the input files (relative path, size, mtime). */
  fingerprint: string;
  files: number;
}

/** Identity of an input: the files' relative paths, sizes and modification times, hashed. */
export function fingerprintInput(detected: DetectedInput): string {
  const hash = crypto.createHash('sha256').update(detected.layout);
  const base = fs.statSync(detected.root).isDirectory() ? detected.root : path.dirname(detected.root);
  for (const file of detected.files) {
    const st = fs.statSync(file);
    hash.update(`\0${path.relative(base, file)}\0${st.size}\0${Math.trunc(st.mtimeMs)}`);
  }
  return hash.digest('hex').slice(0, 24);
}

const HASH_PATTERN = '^[0-9A-F]{32}$';

/** The raw_sensor events mapped to the process table's names (SPEC: PascalCase -> snake_case). */
const RAW_COLUMN_NAMES: Record<string, string> = {
  PidHash: 'pid_hash',
  ParentPidHash: 'parent_pid_hash',
  PID: 'os_pid',
  ParentPid: 'parent_os_pid',
  ProcessName: 'process_name',
  ProcessPath: 'process_path',
  ProcessArgs: 'args',
  UserName: 'user_name',
  AgentId: 'agent_id',
  Hostname: 'hostname',
};

async function describe(conn: DuckDBConnection, files: string[]): Promise<Record<string, string>> {
  try {
    const rows = await queryRows<{ column_name: string; column_type: string }>(
      conn,
      'DESCRIBE SELECT * FROM read_parquet($files, union_by_name = true, hive_partitioning = false)',
      { files: listValue(files) },
    );
    return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
  } catch (err) {
    throw BadInput.unreadable(files, err);
  }
}

/**
 * `events`: a temporary table of the input in snake_case with empty strings as NULL, one row per
 * input row; timestamps in `event_start`/`event_stop` for the roll-up. Returns the rows read.
 */
async function loadEvents(conn: DuckDBConnection, detected: DetectedInput, columns: Record<string, string>): Promise<number> {
  const files = { files: listValue(detected.files) };
  const asNull = (col: string, type: string, name: string) => {
    if (type !== 'VARCHAR') return quoteIdent(col);
    if (name === 'user_name') return `CASE WHEN lower(${quoteIdent(col)}) = 'na' THEN NULL ELSE nullif(${quoteIdent(col)}, '') END`;
    return `nullif(${quoteIdent(col)}, '')`;
  };
  let select: string[];
  if (detected.layout === 'raw_sensor') {
    select = Object.entries(columns)
      .filter(([col]) => col !== 'ActivityType' && col !== 'EventTime')
      .map(([col, type]) => {
        const name = RAW_COLUMN_NAMES[col] ?? col;
        return `${asNull(col, type, name)} AS ${quoteIdent(name)}`;
      });
    for (const [col, name] of [
      ['ParentPidHash', 'parent_pid_hash'],
      ['ProcessName', 'process_name'],
    ]) {
      if (!(col in columns)) select.push(`NULL::VARCHAR AS ${name}`);
    }
    // EventTime is a Windows FILETIME: 100 ns ticks since 1601-01-01 UTC.
    const ts = `make_timestamp((EventTime // 10)::BIGINT - 11644473600000000)`;
    select.push(`CASE WHEN lower(ActivityType) IN ('start', 'refresh') THEN ${ts} END AS event_start`);
    select.push(`CASE WHEN lower(ActivityType) = 'stop' THEN ${ts} END AS event_stop`);
  } else {
    select = Object.entries(columns).map(([col, type]) => `${asNull(col, type, col)} AS ${quoteIdent(col)}`);
  }
  try {
    const reader = await conn.runAndReadAll(
      `CREATE OR REPLACE TEMP TABLE events AS
         SELECT ${select.join(', ')} FROM read_parquet($files, union_by_name = true, hive_partitioning = false)`,
      files,
    );
    return count(reader.getRows()[0]?.[0]);
  } catch (err) {
    throw BadInput.unreadable(detected.files, err);
  }
}

/** Exact duplicate rows dropped: `events` becomes one row per distinct input row. Returns the rows kept. */
async function dropExactDuplicates(conn: DuckDBConnection): Promise<number> {
  const reader = await conn.runAndReadAll('CREATE OR REPLACE TEMP TABLE events AS SELECT DISTINCT * FROM events');
  return count(reader.getRows()[0]?.[0]);
}

/** Refuse what cannot be a Wintap process table, with a message naming the cause. */
async function validateEvents(conn: DuckDBConnection, input: string): Promise<void> {
  const [v] = await queryRows<Record<string, string | null>>(
    conn,
    `SELECT
       count(*) AS n,
       count(*) FILTER (pid_hash IS NULL) AS null_pid,
       count(*) FILTER (NOT regexp_full_match(pid_hash, $pattern)) AS bad_pid,
       any_value(pid_hash) FILTER (NOT regexp_full_match(pid_hash, $pattern)) AS bad_pid_example,
       count(*) FILTER (NOT regexp_full_match(parent_pid_hash, $pattern)) AS bad_parent,
       any_value(parent_pid_hash) FILTER (NOT regexp_full_match(parent_pid_hash, $pattern)) AS bad_parent_example,
       count(*) FILTER (hostname IS NULL) AS null_host
     FROM events`,
    { pattern: HASH_PATTERN },
  );
  if (count(v.n) === 0) throw BadInput.of(`input ${input} has no process rows; point the run at a non-empty Wintap process table`);
  if (count(v.null_pid) > 0) {
    throw BadInput.of(`input ${input} has ${count(v.null_pid)} rows with no pid_hash; every process row needs its Wintap process hash`);
  }
  if (count(v.bad_pid) > 0) {
    throw BadInput.of(
      `input ${input} has ${count(v.bad_pid)} pid_hash values that are not 32 upper-case hex characters (e.g. ${JSON.stringify(v.bad_pid_example)})`,
    );
  }
  if (count(v.bad_parent) > 0) {
    throw BadInput.of(
      `input ${input} has ${count(v.bad_parent)} parent_pid_hash values that are not 32 upper-case hex characters (e.g. ${JSON.stringify(v.bad_parent_example)})`,
    );
  }
  if (count(v.null_host) > 0) {
    throw BadInput.of(`input ${input} has ${count(v.null_host)} rows with no hostname; every process row needs the host it ran on`);
  }
}

/** Refuse a pid_hash whose rows disagree on hostname, parent or name. */
async function refuseConflicts(conn: DuckDBConnection, input: string): Promise<void> {
  // count(DISTINCT) skips NULLs: a stop row without name or parent does not conflict with its start row.
  const conflicts = await queryRows<{ pid_hash: string; hosts: string; parents: string; names: string; n: string }>(
    conn,
    `SELECT pid_hash, count(DISTINCT hostname) AS hosts, count(DISTINCT parent_pid_hash) AS parents,
            count(DISTINCT process_name) AS names, count(*) OVER () AS n
       FROM events GROUP BY pid_hash
       HAVING count(DISTINCT hostname) > 1 OR count(DISTINCT parent_pid_hash) > 1 OR count(DISTINCT process_name) > 1
       ORDER BY pid_hash LIMIT 1`,
  );
  if (conflicts.length > 0) {
    const c = conflicts[0];
    throw BadInput.of(
      `input ${input} has conflicting rows for ${count(c.n)} pid_hash values, e.g. ${c.pid_hash} ` +
        `(${c.hosts} hostnames, ${c.parents} parents, ${c.names} process names): one process cannot have two hosts, ` +
        'parents or names; fix or drop the conflicting rows',
    );
  }
}

/**
 * The roll-up to one row per pid_hash, as SQL over `events`. When every pid_hash has one row (`single`),
 * each row is its own roll-up: the same columns, taken as they are.
 */
function rollUpQuery(layout: LayoutName, eventColumns: string[], single: boolean): string {
  const identity = ['pid_hash', 'parent_pid_hash', 'process_name', 'hostname'];
  const rest = eventColumns.filter((c) => !identity.includes(c) && c !== 'event_start' && c !== 'event_stop');
  const pick = (c: string) => {
    if (single) return quoteIdent(c);
    if (layout !== 'raw_sensor' && c === 'process_started') return `min(${quoteIdent(c)}) AS ${quoteIdent(c)}`;
    if (layout !== 'raw_sensor' && c === 'process_term') return `max(${quoteIdent(c)}) AS ${quoteIdent(c)}`;
    // any_value skips NULLs: each column takes a non-NULL value when one exists.
    return `any_value(${quoteIdent(c)}) AS ${quoteIdent(c)}`;
  };
  const columns = [
    'pid_hash',
    ...identity.slice(1).map(pick),
    ...rest.map(pick),
    ...(layout === 'raw_sensor'
      ? single
        ? ['event_start AS process_started', 'event_stop AS process_term']
        : ['min(event_start) AS process_started', 'max(event_stop) AS process_term']
      : []),
  ];
  return `SELECT ${columns.join(', ')} FROM events${single ? '' : ' GROUP BY pid_hash'}`;
}

export async function ingest(conn: DuckDBConnection, request: IngestRequest): Promise<IngestResult> {
  let detected: DetectedInput;
  try {
    detected = detectLayout(request.input);
  } catch (err) {
    throw BadInput.of((err as Error).message);
  }
  // A run whose output folder is the input's own folder would publish process.parquet over its input.
  const published = new Set(Object.values(PUBLISHED_NAMES).map((name) => path.join(request.outDir, name)));
  const overwritten = detected.files.find((file) => published.has(file));
  if (overwritten) {
    throw BadInput.of(
      `output folder ${request.outDir} would overwrite the input file ${overwritten}; choose another output folder (--out)`,
    );
  }
  const fingerprint = fingerprintInput(detected);
  const key = stepKey('ingest', INGEST_VERSION, fingerprint);
  const result = await checkpointedStep(conn, request.outDir, 'ingest', INGEST_VERSION, key, async () => {
    const columns = await describe(conn, detected.files);
    const problems = columnProblems(detected.layout, columns);
    if (problems.length > 0) {
      const expected =
        detected.layout === 'raw_sensor'
          ? 'a Wintap raw_sensor raw_process table (PidHash, ParentPidHash, ProcessName, Hostname, ActivityType, EventTime)'
          : 'a Wintap process table (pid_hash, parent_pid_hash, process_name, hostname)';
      throw BadInput.of(`input ${request.input} (${detected.layout} layout): ${problems.join('; ')}; expected ${expected}`);
    }
    const rowsRead = await loadEvents(conn, detected, columns);
    await validateEvents(conn, request.input);
    const eventColumns = (await queryRows<{ column_name: string }>(conn, 'DESCRIBE events')).map((r) => r.column_name);
    const [{ processes }] = await queryRows<{ processes: string }>(conn, 'SELECT count(DISTINCT pid_hash) AS processes FROM events');
    // One row per pid_hash (a stdview table, as a rule): nothing to drop, nothing to roll up.
    const single = count(processes) === rowsRead;
    const distinctRows = single ? rowsRead : await dropExactDuplicates(conn);
    let rolledUp = 0;
    if (!single) {
      await refuseConflicts(conn, request.input);
      const [q] = await queryRows<{ n: string }>(
        conn,
        'SELECT count(*) AS n FROM (SELECT pid_hash FROM events GROUP BY pid_hash HAVING count(*) > 1)',
      );
      rolledUp = count(q.n);
    }
    const facts = {
      layout: detected.layout,
      files: detected.files.length,
      rows_read: rowsRead,
      exact_duplicates_dropped: rowsRead - distinctRows,
      processes: count(processes),
      processes_rolled_up_from_several_rows: rolledUp,
    };
    return { sql: rollUpQuery(detected.layout, eventColumns, single), facts };
  });
  return { ...result, layout: detected.layout, fingerprint, files: detected.files.length };
}
