/**
 * Writing the staged processes in one of Wintap's three layouts (SPEC "Inputs"). The staging files
 * hold one stdview row per process; rolling and raw_sensor are derived from them so that all three
 * roll up to exactly the same processes, with the quirks of real data the roll-up must undo:
 * exact duplicate rows, empty strings, 'NA' user names, stop files without a ProcessName column.
 *
 * rolling and raw_sensor are written in two passes. Each chunk's rows are first spread over
 * day folders in staging (`stageChunkRows`, parallel, bounded by the chunk's size); then every day
 * (or hour) is sorted and written as one file (`writeLayout`). A single partitioned COPY over the
 * whole data set would hold every partition's writer in memory at once and split files by thread
 * timing; this way memory stays bounded at any scale and a seed always gives the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { OutputLayout } from './options';
import type { Plan } from './plan';

export const STDVIEW_COLUMNS = [
  'pid_hash',
  'hostname',
  'os_pid',
  'process_name',
  'parent_pid_hash',
  'parent_os_pid',
  'process_path',
  'args',
  'user_name',
  'agent_id',
  'process_started',
  'process_term',
] as const;

const COLUMNS = STDVIEW_COLUMNS.join(', ');

/** Where each layout lives under the output folder. */
export function layoutTarget(out: string, layout: OutputLayout): string {
  if (layout === 'stdview') return path.join(out, 'process.parquet');
  if (layout === 'rolling') return path.join(out, 'rolling', 'process');
  return path.join(out, 'raw_sensor', 'raw_process');
}

const STDVIEW_SQL = `
  COPY (SELECT ${COLUMNS} FROM read_parquet($files))
  TO $path (FORMAT parquet, COMPRESSION zstd)`;

/**
 * One row per process per UTC day it is alive (a still-running process lives to the end of capture).
 * A day's row knows only that day: the process had not ended yet on the days before its last, so
 * their process_term is NULL, and the roll-up must take the latest one.
 */
const ROLLING_STAGE_SQL = `
  COPY (
    WITH staged AS (SELECT * FROM read_parquet($file, hive_partitioning = false)),
    daily AS (
      SELECT * REPLACE (CASE WHEN day < date_trunc('day', process_term) THEN NULL ELSE process_term END AS process_term), day
      FROM (SELECT *, unnest(generate_series(date_trunc('day', coalesce(process_started, process_term)),
                                             date_trunc('day', coalesce(process_term, make_timestamp($lastUs::BIGINT))),
                                             INTERVAL 1 DAY)) AS day
            FROM staged)
    )
    SELECT ${COLUMNS}, strftime(day, '%Y%m%d') AS dayPK FROM daily
    UNION ALL
    -- Re-delivered rows, as after a collector restart: exact duplicates of a process's first day.
    SELECT ${COLUMNS}, strftime(coalesce(process_started, process_term), '%Y%m%d') FROM staged
    WHERE rnd(0, pid_hash, 21) < 0.002
  ) TO $dir (FORMAT parquet, PARTITION_BY (dayPK), FILENAME_PATTERN $pattern, OVERWRITE_OR_IGNORE true)`;

const ROLLING_DAY_SQL = `
  COPY (SELECT ${COLUMNS} FROM read_parquet($files, hive_partitioning = false) ORDER BY hostname, process_started NULLS FIRST, pid_hash, process_term)
  TO $path (FORMAT parquet, COMPRESSION zstd)`;

/**
 * The agent's events: the first sighting (`start`, or `refresh` for processes older than the agent),
 * a `refresh` at every midnight the process lives through, and a few exact duplicates. The agent
 * writes NULL values as empty strings or 'NA' (user names), which the roll-up turns back into NULL.
 */
const RAW_PROCESS_STAGE_SQL = `
  COPY (
    WITH staged AS (SELECT * FROM read_parquet($file, hive_partitioning = false) WHERE process_started IS NOT NULL),
    events AS (
      SELECT *, first_event AS activity, process_started AS event_at FROM staged
      UNION ALL
      SELECT * EXCLUDE (midnight), 'refresh', midnight
      FROM (SELECT *, unnest(generate_series(date_trunc('day', process_started) + INTERVAL 1 DAY,
                                             coalesce(process_term, make_timestamp($lastUs::BIGINT)), INTERVAL 1 DAY)) AS midnight
            FROM staged)
      UNION ALL
      SELECT *, first_event, process_started FROM staged WHERE rnd(0, pid_hash, 31) < 0.003
    )
    SELECT pid_hash AS PidHash,
           CASE WHEN parent_pid_hash IS NULL AND rnd(0, pid_hash, 32) < 0.5 THEN '' ELSE parent_pid_hash END AS ParentPidHash,
           os_pid AS PID, parent_os_pid AS ParentPid, process_name AS ProcessName, process_path AS ProcessPath,
           coalesce(args, '') AS ProcessArgs,
           coalesce(user_name, CASE WHEN rnd(0, pid_hash, 33) < 0.5 THEN 'NA' ELSE 'na' END) AS UserName,
           agent_id AS AgentId, hostname AS Hostname, activity AS ActivityType,
           filetime(epoch_us(event_at)) AS EventTime, 'PROCESS' AS MessageType,
           strftime(event_at, '%Y%m%d') AS dayPK, strftime(event_at, '%H') AS hourPK
    FROM events
  ) TO $dir (FORMAT parquet, PARTITION_BY (dayPK), FILENAME_PATTERN $pattern, OVERWRITE_OR_IGNORE true)`;

/** Stop events, in their own files and with the column set of the real ACME4 stop file (no ProcessName). */
const RAW_STOP_STAGE_SQL = `
  COPY (
    SELECT pid_hash AS PidHash, NULL::VARCHAR AS ParentPidHash, 0::BIGINT AS ExitCode, 'PROCESS' AS MessageType,
           hostname AS Hostname, 'stop' AS ActivityType, filetime(epoch_us(process_term)) AS EventTime,
           0::BIGINT AS ReceiveTime, os_pid AS PID,
           strftime(process_term, '%Y%m%d') AS dayPK, strftime(process_term, '%H') AS hourPK
    FROM read_parquet($file, hive_partitioning = false) WHERE process_term IS NOT NULL
  ) TO $dir (FORMAT parquet, PARTITION_BY (dayPK), FILENAME_PATTERN $pattern, OVERWRITE_OR_IGNORE true)`;

/** The raw files of one hour: one file of start/refresh events, one of stops, as the agent writes them. */
const RAW_KINDS = [
  { stage: RAW_PROCESS_STAGE_SQL, folder: 'raw_process', file: 'raw_process-0.parquet', needsEnd: true },
  { stage: RAW_STOP_STAGE_SQL, folder: 'raw_processstop', file: 'raw_processstop-0.parquet', needsEnd: false },
];

function parquetUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** The `dayPK=YYYYMMDD` folders under a staging folder, in date order. */
function stagedDays(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => /^dayPK=\d{8}$/.test(d))
    .sort();
}

/** First pass for rolling and raw_sensor: spread one staged chunk over day folders in staging. */
export async function stageChunkRows(
  conn: DuckDBConnection,
  plan: Plan,
  layout: OutputLayout,
  chunkFile: string,
  chunkIndex: number,
  staging: string,
): Promise<void> {
  const pattern = `chunk-${String(chunkIndex).padStart(5, '0')}-{i}`;
  const lastUs = plan.windowEndUs - 1n;
  if (layout === 'rolling') {
    await conn.run(ROLLING_STAGE_SQL, { file: chunkFile, dir: path.join(staging, 'rolling'), pattern, lastUs });
  } else if (layout === 'raw_sensor') {
    for (const kind of RAW_KINDS) {
      const params = { file: chunkFile, dir: path.join(staging, kind.folder), pattern };
      await conn.run(kind.stage, kind.needsEnd ? { ...params, lastUs } : params);
    }
  }
}

/**
 * Second pass: write the layout under `out`. It is built inside staging and moved into place with
 * one rename, replacing that layout's previous files: a crash never leaves half a data set, and a
 * regenerated data set never mixes with the partitions of an earlier one. Returns the files written.
 */
export async function writeLayout(
  conn: DuckDBConnection,
  layout: OutputLayout,
  chunkFiles: string[],
  staging: string,
  out: string,
  onDay: (done: number, total: number) => void,
): Promise<number> {
  const building = layoutTarget(path.join(staging, 'built'), layout);
  fs.mkdirSync(path.dirname(building), { recursive: true });
  if (layout === 'stdview') {
    await conn.run(STDVIEW_SQL, { files: listValue(chunkFiles), path: building });
    onDay(1, 1);
  } else if (layout === 'rolling') {
    await writeRollingDays(conn, staging, building, onDay);
  } else {
    await writeRawHours(conn, staging, building, onDay);
  }
  const target = layoutTarget(out, layout);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(building, target);
  return layout === 'stdview' ? 1 : parquetUnder(target).length;
}

async function writeRollingDays(conn: DuckDBConnection, staging: string, target: string, onDay: (done: number, total: number) => void) {
  const days = stagedDays(path.join(staging, 'rolling'));
  for (const [n, day] of days.entries()) {
    fs.mkdirSync(path.join(target, day), { recursive: true });
    const files = listValue(parquetUnder(path.join(staging, 'rolling', day)));
    await conn.run(ROLLING_DAY_SQL, { files, path: path.join(target, day, 'part-0.parquet') });
    onDay(n + 1, days.length);
  }
}

async function writeRawHours(conn: DuckDBConnection, staging: string, target: string, onDay: (done: number, total: number) => void) {
  const days = [...new Set(RAW_KINDS.flatMap((k) => stagedDays(path.join(staging, k.folder))))].sort();
  for (const [n, day] of days.entries()) {
    for (const kind of RAW_KINDS) {
      const files = parquetUnder(path.join(staging, kind.folder, day));
      if (files.length === 0) continue;
      // One day sorted once, then cut into hours: each hour file is in event order, the same on every run.
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE day_events AS
           SELECT * FROM read_parquet($files, hive_partitioning = false) ORDER BY EventTime, PidHash, ActivityType`,
        { files: listValue(files) },
      );
      const hours = await conn.runAndReadAll('SELECT DISTINCT hourPK FROM day_events ORDER BY hourPK');
      for (const [hour] of hours.getRows() as Array<[string]>) {
        fs.mkdirSync(path.join(target, day, `hourPK=${hour}`), { recursive: true });
        // Snappy, as the agent writes its files.
        await conn.run(
          `COPY (SELECT * EXCLUDE (hourPK) FROM day_events WHERE hourPK = $hour) TO $path (FORMAT parquet, COMPRESSION snappy)`,
          {
            hour,
            path: path.join(target, day, `hourPK=${hour}`, kind.file),
          },
        );
      }
    }
    onDay(n + 1, days.length);
  }
  await conn.run('DROP TABLE IF EXISTS day_events');
}
