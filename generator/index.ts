/**
 * The ACME4-shaped data generator: Wintap process records with the platform's own noise (the Wintap
 * and SSM agents' process trees) in the published proportions, in any of the three input layouts.
 *
 *   plan (hosts, window) → hosts and boots → processes, chunk by chunk, to staging → the chosen layout
 *
 * Everything is generated in DuckDB SQL; chunks bound the memory. Intermediate files live in a
 * private staging folder inside the output folder (same file system, so the finished layout is moved
 * into place with a rename) and are removed at the end whatever happens.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openGeneratorDb } from './duckdb';
import { createHostsAndBoots } from './hosts';
import { stageChunkRows, writeLayout } from './layouts';
import { generateOptionsSchema, type GenerateOptionsInput, type GenerateResult } from './options';
import { planFor } from './plan';
import { writeChunk } from './processes';

export { generateOptionsSchema, profileNames, outputLayouts } from './options';
export type { GenerateOptions, GenerateOptionsInput, GenerateResult, OutputLayout, ProfileName } from './options';
export { pidHash } from './pid-hash';
export { planFor } from './plan';
export { layoutTarget, STDVIEW_COLUMNS } from './layouts';

export async function generate(input: GenerateOptionsInput): Promise<GenerateResult> {
  const options = generateOptionsSchema.parse(input);
  const started = performance.now();
  const plan = planFor(options.profile, options.scale);
  const out = path.resolve(options.out);
  fs.mkdirSync(out, { recursive: true });
  const staging = path.join(out, `.generate-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(staging);

  // Progress: one step per host generated, then one per day written (one for stdview's single file).
  const layoutSteps = options.layout === 'stdview' ? 1 : plan.calendarDays;
  const total = plan.hosts + layoutSteps;
  const report = (done: number) => options.onProgress?.(Math.min(done, total), total);
  const db = await openGeneratorDb(options.seed, path.join(staging, 'spill'));
  try {
    report(0);
    await createHostsAndBoots(db.conn, plan);
    const chunkFiles: string[] = [];
    let processes = 0;
    for (const [n, chunk] of plan.chunks.entries()) {
      const file = path.join(staging, `chunk-${String(n).padStart(5, '0')}.parquet`);
      processes += await writeChunk(db.conn, plan, chunk.first, chunk.last, file);
      await stageChunkRows(db.conn, plan, options.layout, file, n, staging);
      chunkFiles.push(file);
      report(chunk.last + 1);
    }
    const files = await writeLayout(db.conn, options.layout, chunkFiles, staging, out, (done, days) =>
      report(plan.hosts + Math.round((done / days) * layoutSteps)),
    );
    report(total);
    return { processes, hosts: plan.hosts, files, ms: Math.round(performance.now() - started) };
  } finally {
    db.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
