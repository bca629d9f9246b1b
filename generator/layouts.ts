/**
 * Writing the staged processes in one of Wintap's three layouts (SPEC "Inputs"). The staging files
 * hold one stdview row per process; rolling and raw_sensor are derived from them so that all three
 * roll up to exactly the same processes, with the quirks of real data the roll-up must undo:
 * exact duplicate rows, empty strings, 'NA' user names, stop files without a ProcessName column.
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

/** One row per process per UTC day it is alive (a still-running process lives to the end of capture). */
const ROLLING_SQL = `
  COPY (
    WITH staged AS (SELECT * FROM read_parquet($files)),
    daily AS (
      SELECT *, unnest(generate_series(date_trunc('day', coalesce(process_started, process_term)),
                                       date_trunc('day', coalesce(process_term, make_timestamp($lastUs::BIGINT))),
                                       INTERVAL 1 DAY)) AS day
      FROM staged
    )
    SELECT ${COLUMNS}, strftime(day, '%Y%m%d') AS dayPK FROM daily
    UNION ALL
    -- Re-delivered rows, as after a collector restart: exact duplicates of a process's first day.
    SELECT ${COLUMNS}, strftime(coalesce(process_started, process_term), '%Y%m%d') FROM staged
    WHERE rnd(0, pid_hash, 21) < 0.002
    -- Sorted, so that files are the same on every run (see writeLayout).
    ORDER BY dayPK, hostname, process_started NULLS FIRST, pid_hash
  ) TO $dir (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dayPK), FILENAME_PATTERN 'part-{i}')`;

/**
 * The agent's events: the first sighting (`start`, or `refresh` for processes older than the agent),
 * a `refresh` at every midnight the process lives through, and a few exact duplicates. The agent
 * writes NULL values as empty strings or 'NA' (user names), which the roll-up turns back into NULL.
 */
const RAW_PROCESS_SQL = `
  COPY (
    WITH staged AS (SELECT * FROM read_parquet($files) WHERE process_started IS NOT NULL),
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
    ORDER BY EventTime, PidHash, ActivityType
  ) TO $dir (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dayPK, hourPK), FILENAME_PATTERN 'raw_process-{i}')`;

/** Stop events, in their own files and with the column set of the real ACME4 stop file (no ProcessName). */
const RAW_PROCESS_STOP_SQL = `
  COPY (
    SELECT pid_hash AS PidHash, NULL::VARCHAR AS ParentPidHash, 0::BIGINT AS ExitCode, 'PROCESS' AS MessageType,
           hostname AS Hostname, 'stop' AS ActivityType, filetime(epoch_us(process_term)) AS EventTime,
           0::BIGINT AS ReceiveTime, os_pid AS PID,
           strftime(process_term, '%Y%m%d') AS dayPK, strftime(process_term, '%H') AS hourPK
    FROM read_parquet($files) WHERE process_term IS NOT NULL
    ORDER BY EventTime, PidHash
  ) TO $dir (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dayPK, hourPK), FILENAME_PATTERN 'raw_processstop-{i}',
             OVERWRITE_OR_IGNORE true)`;

function countParquet(target: string): number {
  if (!fs.existsSync(target)) return 0;
  if (fs.statSync(target).isFile()) return 1;
  return fs.readdirSync(target, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet')).length;
}

/** Write the staged processes as `layout` under `out`, replacing that layout's previous files. */
export async function writeLayout(
  conn: DuckDBConnection,
  plan: Plan,
  stagingFiles: string[],
  out: string,
  layout: OutputLayout,
): Promise<number> {
  const target = layoutTarget(out, layout);
  // A regenerated data set must not mix with the partitions of an earlier one.
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const files = listValue(stagingFiles);
  const lastUs = plan.windowEndUs - 1n;
  if (layout === 'stdview') {
    await conn.run(STDVIEW_SQL, { files, path: target });
    return countParquet(target);
  }
  // A partitioned COPY with several threads splits and fills files by thread timing; with one
  // writer the files, not only their rows, are the same on every run of a seed.
  await conn.run('SET threads = 1');
  try {
    if (layout === 'rolling') {
      await conn.run(ROLLING_SQL, { files, dir: target, lastUs });
    } else {
      await conn.run(RAW_PROCESS_SQL, { files, dir: target, lastUs });
      await conn.run(RAW_PROCESS_STOP_SQL, { files, dir: target });
    }
  } finally {
    await conn.run('RESET threads');
  }
  return countParquet(target);
}
