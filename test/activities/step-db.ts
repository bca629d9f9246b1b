/**
 * Step tests run each step function on the production DuckDB factory (locked down to a temporary data
 * root), exactly as a worker does, and write their inputs as real parquet through `writeParquet`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createDb, type Db } from '../../activities/db';
import { realRoots } from '../../activities/data-roots';
import { duck, tempDir } from '../support/process-table';

export interface StepDb {
  root: string;
  db: Db;
  conn: DuckDBConnection;
  close(): void;
}

/** A locked-down DuckDB whose only data root is a fresh temporary folder, with one open connection. */
export async function openStepDb(prefix: string): Promise<StepDb> {
  const [root] = realRoots([tempDir(prefix)]);
  const db = await createDb({ roots: [root], memoryLimit: '1GB', threads: 1, tempDirectory: path.join(root, '.duckdb-tmp') });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const conn = await new Promise<DuckDBConnection>((resolve) => {
    void db.withConnection(async (c) => {
      resolve(c);
      await held;
    });
  });
  return {
    root,
    db,
    conn,
    close() {
      release();
      setImmediate(() => {
        db.close();
        fs.rmSync(root, { recursive: true, force: true });
      });
    },
  };
}

/** Write `select` (a SELECT over literal VALUES, the test's own text) as a parquet file at `file`. */
export async function writeParquet(file: string, select: string): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await duck(`COPY (${select}) TO $file (FORMAT parquet)`, { file });
  return file;
}

/** Rows of a parquet file, ordered by `orderBy`, as plain JSON objects. */
export async function readParquet<T = Record<string, unknown>>(file: string, columns = '*', orderBy = 'pid_hash'): Promise<T[]> {
  return duck<T>(`SELECT ${columns} FROM read_parquet($file) ORDER BY ${orderBy}`, { file });
}

/** A Windows FILETIME (100 ns ticks since 1601-01-01 UTC) for an ISO UTC time, as the agent writes it. */
export function filetime(iso: string, extraTicks = 0): bigint {
  const ms = BigInt(Date.parse(iso));
  return (ms + 11_644_473_600_000n) * 10_000n + BigInt(extraTicks);
}
