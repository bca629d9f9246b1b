/**
 * The checkpoint store. A step's output is a parquet file under `<out>/.checkpoints/<step>/`, named by
 * the step's key (a hash of step name, step version and the keys of its inputs). A manifest beside it,
 * written last, is the commit marker: a checkpoint without one, or whose parquet no longer matches it
 * (size, SHA-256 of the bytes, row count in the footer), is not trusted and is recomputed. Every file is written under a temporary name and renamed, so a
 * process killed mid-write never leaves a file that a later run reuses.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from './db';

/** The manifest beside each checkpoint; read back through this schema, so a damaged one is simply untrusted. */
export const checkpointManifestSchema = z.object({
  step: z.string(),
  version: z.number().int(),
  key: z.string(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** SHA-256 of the parquet file: a flipped byte that keeps size and footer intact is still caught. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  /** Step-specific small facts (data-quality counts), reused with the checkpoint. */
  facts: z.record(z.string(), z.unknown()),
});
export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>;

export interface Checkpoint {
  path: string;
  manifest: CheckpointManifest;
}

/** A stable hash of the given parts: the identity of a step's output. */
export function stepKey(step: string, version: number, ...inputs: unknown[]): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([step, version, ...inputs]))
    .digest('hex')
    .slice(0, 24);
}

export function checkpointDir(outDir: string): string {
  return path.join(outDir, '.checkpoints');
}

export function checkpointPath(outDir: string, step: string, key: string): string {
  return path.join(checkpointDir(outDir), step, `${key}.parquet`);
}

/** A unique temporary name beside `target`; renamed over it once complete. */
export function temporaryPath(target: string): string {
  return `${target}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
}

/** Write text to `target` atomically (temporary file, fsync, rename). */
export function writeFileAtomic(target: string, contents: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = temporaryPath(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, contents);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

/** Copy `source` to `target` atomically. */
export function copyFileAtomic(source: string, target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = temporaryPath(target);
  fs.copyFileSync(source, tmp);
  const fd = fs.openSync(tmp, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

/** SHA-256 of a file's bytes, streamed (checkpoints can be hundreds of MB). */
export async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function manifestPath(parquet: string): string {
  return parquet.replace(/\.parquet$/, '.json');
}

/** Row count from the parquet footer; null when the file is missing or unreadable. */
export async function parquetRowCount(conn: DuckDBConnection, file: string): Promise<number | null> {
  try {
    const rows = await queryRows<{ n: string | number | null }>(conn, 'SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata($1)', [
      file,
    ]);
    return rows[0]?.n == null ? null : Number(rows[0].n);
  } catch {
    return null;
  }
}

/** The checkpoint for (step, key) if it exists and verifies against its manifest, else null. */
export async function findCheckpoint(conn: DuckDBConnection, outDir: string, step: string, key: string): Promise<Checkpoint | null> {
  const file = checkpointPath(outDir, step, key);
  let manifest: CheckpointManifest;
  try {
    const parsed = checkpointManifestSchema.safeParse(JSON.parse(fs.readFileSync(manifestPath(file), 'utf8')));
    if (!parsed.success) return null;
    manifest = parsed.data;
  } catch {
    return null;
  }
  if (manifest.key !== key || manifest.step !== step) return null;
  let bytes: number;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    return null;
  }
  if (bytes !== manifest.bytes) return null;
  const rows = await parquetRowCount(conn, file);
  if (rows !== manifest.rows) return null;
  if ((await fileSha256(file)) !== manifest.sha256) return null;
  return { path: file, manifest };
}

/**
 * How every step output is written: zstd at level 1. On the 1.9 M-process lineage output, level 1
 * writes in about 70 % of the default level's time and the file comes out no larger (dictionary pages
 * and the incompressible hashes dominate it).
 */
export const PARQUET_WRITE_OPTIONS = 'FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1';

/**
 * Write a step's output: `COPY (sql) TO` a temporary file, verify it, rename it into place, then
 * commit the manifest. `sql` is the step's own query; `params` are bound, never spliced in.
 */
export async function writeCheckpoint(
  conn: DuckDBConnection,
  outDir: string,
  step: string,
  version: number,
  key: string,
  sql: string,
  params: Record<string, DuckDBValue> = {},
  facts: Record<string, unknown> = {},
): Promise<Checkpoint> {
  const file = checkpointPath(outDir, step, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = temporaryPath(file);
  try {
    await conn.run(`COPY (${sql}) TO $checkpoint_target (${PARQUET_WRITE_OPTIONS})`, {
      ...params,
      checkpoint_target: tmp,
    });
    const rows = await parquetRowCount(conn, tmp);
    if (rows === null) throw new Error(`checkpoint ${tmp} could not be read back after writing`);
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const sha256 = await fileSha256(tmp);
    fs.renameSync(tmp, file);
    const manifest: CheckpointManifest = {
      step,
      version,
      key,
      rows,
      bytes: fs.statSync(file).size,
      sha256,
      createdAt: new Date().toISOString(),
      facts,
    };
    writeFileAtomic(manifestPath(file), JSON.stringify(manifest, null, 2));
    return { path: file, manifest };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
