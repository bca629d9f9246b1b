/**
 * One lineage method in a process of its own, so that its peak memory is its own:
 *
 *   tsx bench/method-child.ts <lineage|walk> <process.parquet> <out folder>
 *
 * prints one JSON line {method, compute_ms, write_ms, ms, maxrss_mb, output}. `compute` builds the
 * result in DuckDB, `write` is the zstd parquet file both methods must produce; `ms` is both.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createDb } from '../activities/db';
import { buildLineage } from '../activities/lineage';
import { walkLineage } from './walk';

const argsSchema = z.tuple([z.enum(['lineage', 'walk']), z.string().min(1), z.string().min(1)]);

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
      if (method === 'walk') {
        await walkLineage(conn, file, 'walk_result');
        computed = performance.now();
        await conn.run(`COPY walk_result TO $output (FORMAT parquet, COMPRESSION zstd)`, { output });
      } else {
        // The step's own query; the checkpoint writer around it adds only the same COPY as here.
        const query = await buildLineage(conn, file);
        await conn.run(`CREATE TEMP TABLE lineage_result AS ${query.sql}`);
        computed = performance.now();
        await conn.run(`COPY lineage_result TO $output (FORMAT parquet, COMPRESSION zstd)`, { output });
      }
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
