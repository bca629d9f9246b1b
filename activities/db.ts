/**
 * The DuckDB connection factory. One locked-down in-memory instance per worker; one connection per
 * activity execution, closed when the step ends.
 *
 * Locked down because anyone who can start a workflow chooses the paths it reads: DuckDB may touch
 * only the data roots (allowed_directories, external access otherwise off), never installs or loads
 * extensions, and its configuration cannot be changed by a later statement.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

export interface DbOptions {
  /** Absolute, real paths DuckDB may read and write. */
  roots: string[];
  memoryLimit: string;
  threads?: number;
  /** Spill folder; must be inside a root. */
  tempDirectory: string;
}

export interface Db {
  /** Run `use` with a fresh connection, closed afterwards whatever happens. */
  withConnection<T>(use: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  close(): void;
}

export async function createDb(options: DbOptions): Promise<Db> {
  fs.mkdirSync(options.tempDirectory, { recursive: true });
  const config: Record<string, string> = {
    memory_limit: duckdbSize(options.memoryLimit),
    temp_directory: options.tempDirectory,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    preserve_insertion_order: 'false',
  };
  if (options.threads !== undefined) config.threads = String(options.threads);
  const instance = await DuckDBInstance.create(':memory:', config);
  const setup = await instance.connect();
  try {
    // allowed_directories must be set before external access is switched off; both, then the lock.
    const dirs = options.roots.map((root) => (root.endsWith(path.sep) ? root : root + path.sep));
    await setup.run(`SET allowed_directories = ${listLiteral(dirs)}`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
  } finally {
    setup.closeSync();
  }
  return {
    async withConnection(use) {
      const conn = await instance.connect();
      try {
        return await use(conn);
      } finally {
        conn.closeSync();
      }
    },
    close() {
      instance.closeSync();
    },
  };
}

/** DuckDB takes sizes such as 8GB, not a share of memory: turn '75%' into MiB of this machine. */
export function duckdbSize(limit: string): string {
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(limit.trim());
  if (!share) return limit;
  return `${Math.floor((os.totalmem() * Number(share[1])) / 100 / 2 ** 20)}MiB`;
}

/**
 * A SQL string literal for a value the code itself controls (a root folder at start-up), never for
 * user input: user values reach SQL as bound parameters.
 */
function listLiteral(values: string[]): string {
  return `[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** Run a query with bound parameters and return its rows as plain objects. */
export async function queryRows<T = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] | Record<string, DuckDBValue> = [],
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as T[];
}

/** A quoted SQL identifier for a column name read from an input file's schema. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
