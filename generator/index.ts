/**
 * The ACME4-shaped data generator: Wintap process records with the platform's own noise (the Wintap
 * and SSM agents' process trees) in the published proportions, in any of the three input layouts.
 *
 *   plan (hosts, window) → hosts and boots → processes, chunk by chunk, to staging → the chosen layout
 *
 * Everything is generated in DuckDB SQL; chunks bound the memory, and the staging folder beside the
 * output is removed at the end whatever happens.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openGeneratorDb } from './duckdb';
import { createHostsAndBoots } from './hosts';
import { writeLayout } from './layouts';
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

  // Progress in hosts, plus one step for writing the layout.
  const total = plan.hosts + 1;
  const db = await openGeneratorDb(options.seed, path.join(staging, 'spill'));
  try {
    options.onProgress?.(0, total);
    await createHostsAndBoots(db.conn, plan);
    const stagingFiles: string[] = [];
    let processes = 0;
    for (const [n, chunk] of plan.chunks.entries()) {
      const file = path.join(staging, `chunk-${String(n).padStart(5, '0')}.parquet`);
      processes += await writeChunk(db.conn, plan, chunk.first, chunk.last, file);
      stagingFiles.push(file);
      options.onProgress?.(chunk.last + 1, total);
    }
    const files = await writeLayout(db.conn, plan, stagingFiles, out, options.layout);
    options.onProgress?.(total, total);
    return { processes, hosts: plan.hosts, files, ms: Math.round(performance.now() - started) };
  } finally {
    db.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
