/**
 * One lineage method in a process of its own, so that its peak memory is its own:
 *
 *   tsx bench/method-child.ts <lineage|lineage-table|reference|walk> <process.parquet> <out folder>
 *
 * prints one JSON line {method, compute_ms, write_ms, ms, maxrss_mb, output}. `ms` is the whole job:
 * the process_path parquet file written with the pipeline's own writer options. `compute` is what
 * comes before the file's COPY statement: for lineage, the step's statements (the step then streams
 * its output query into the file, as the checkpoint writer does, so part of its work is in `write`);
 * for the straightforward methods, the result table they build. `lineage-table` is the lineage step
 * ending the way they do: its output query materialized as a table (in `compute`), then that table
 * written; its `compute` is the like-for-like comparison with theirs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createDb } from '../activities/db';
import { PARQUET_WRITE_OPTIONS } from '../activities/checkpoints';
import { buildLineage } from '../activities/lineage';
import { RESULT_TABLE, straightforwardLineage } from './walk';

const argsSchema = z.tuple([z.enum(['lineage', 'lineage-table', 'reference', 'walk']), z.string().min(1), z.string().min(1)]);

async function main(): Promise<void> {
  const [method, input, outDir] = argsSchema.parse(process.argv.slice(2));
  const file = path.resolve(input);
  const out = path.resolve(outDir);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const db = await createDb({
    roots: [path.dirname(file), out],
    memoryLimit: process.env.WINTAP_NOISE_DUCKDB_MEMORY_LIMIT ?? '75%',
    tempDirectory: path.join(out, '.duckdb-tmp'),
  });
  const output = path.join(out, 'process_path.parquet');
  const started = performance.now();
  let computed = started;
  try {
    await db.withConnection(async (conn) => {
      if (method === 'lineage') {
        const query = await buildLineage(conn, file);
        computed = performance.now();
        await conn.run(`COPY (${query.sql}) TO $output (${PARQUET_WRITE_OPTIONS})`, { ...query.params, output });
        return;
      }
      if (method === 'lineage-table') {
        const query = await buildLineage(conn, file);
        await conn.run(`CREATE TEMP TABLE ${RESULT_TABLE} AS ${query.sql}`, query.params);
      } else {
        await straightforwardLineage(conn, method, file);
      }
      computed = performance.now();
      await conn.run(`COPY ${RESULT_TABLE} TO $output (${PARQUET_WRITE_OPTIONS})`, { output });
    });
  } finally {
    db.close();
  }
  const done = performance.now();
  process.stdout.write(
    JSON.stringify({
      method,
      compute_ms: Math.round(computed - started),
      write_ms: Math.round(done - computed),
      ms: Math.round(done - started),
      maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      output,
    }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`bench method-child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
