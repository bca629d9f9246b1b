/**
 * Build small Wintap process tables for tests: rows described in TypeScript, written as real parquet
 * files through DuckDB, with hashes derived from readable names.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A deterministic 32-character upper-case hex hash for a readable test id. */
export function hashOf(id: string): string {
  return crypto.createHash('md5').update(id).digest('hex').toUpperCase();
}

export interface TestProcess {
  id: string;
  name: string | null;
  /** Parent's id (hashed like ids), a literal 32-hex hash, or null. */
  parent: string | null;
  host?: string;
  started?: string;
  term?: string;
  user?: string | null;
}

export function tempDir(prefix = 'wintap-noise-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function sqlValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${v.replaceAll("'", "''")}'`;
}

/** Run SQL statements on a throwaway in-memory DuckDB (tests only: values are the test's own). */
export async function duck<T = Record<string, unknown>>(sql: string, params: Record<string, string> = {}): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Write a stdview process.parquet holding `processes` into `dir`; returns its path. */
export async function writeProcessTable(dir: string, processes: TestProcess[]): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'process.parquet');
  const parentHash = (p: string | null) => (p === null ? null : /^[0-9A-F]{32}$/.test(p) ? p : hashOf(p));
  const rows = processes.map(
    (p, i) =>
      `(${[
        sqlValue(hashOf(p.id)),
        sqlValue(p.host ?? 'ACME-WS-PLU'),
        i + 100,
        sqlValue(p.name),
        sqlValue(parentHash(p.parent)),
        sqlValue(p.user === undefined ? 'acme\\\\user' : p.user),
        `TIMESTAMP ${sqlValue(p.started ?? '2024-01-01 00:00:00')}`,
        p.term ? `TIMESTAMP ${sqlValue(p.term)}` : 'NULL::TIMESTAMP',
      ].join(', ')})`,
  );
  const values = rows.length > 0 ? rows.join(',\n') : "('', '', 0, '', '', '', NULL::TIMESTAMP, NULL::TIMESTAMP)";
  await duck(
    `COPY (SELECT * FROM (VALUES ${values}) AS t(pid_hash, hostname, os_pid, process_name, parent_pid_hash, user_name, process_started, process_term)
            ${rows.length > 0 ? '' : 'WHERE false'})
       TO $file (FORMAT parquet)`,
    { file },
  );
  return file;
}

/**
 * For step tests that call step functions on a connection of their own: a temporary folder and one
 * in-memory DuckDB connection for the whole test file (before/after hooks); filled in once `before` ran.
 */
export function useStepConnection(prefix: string): { root: string; conn: DuckDBConnection } {
  const fixture = {} as { root: string; conn: DuckDBConnection; instance: DuckDBInstance };
  before(async () => {
    fixture.root = tempDir(prefix);
    fixture.instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' });
    fixture.conn = await fixture.instance.connect();
  });
  after(() => {
    fixture.conn?.closeSync();
    fixture.instance?.closeSync();
    if (fixture.root) fs.rmSync(fixture.root, { recursive: true, force: true });
  });
  return fixture;
}
