/**
 * `npm run bench [-- --scale S] [-- --repeat N] [-- --lineage-only] [-- --json]`: the pipeline on
 * generated ACME4-shaped data.
 *
 *   1. data: generated once per (scale, seed) into data/bench/acme4-s<scale>-seed1/ and reused.
 *   2. lineage against the straightforward method (bench/walk.ts: the reference ETL's recursive query,
 *      and the same walk cut down to the output columns), each in a child process of its own (so peak
 *      memory is each one's own), N rounds (default 3) with the methods interleaved, medians reported;
 *      then identical-output checks.
 *   3. the whole pipeline with the step functions called directly, then through Temporal (dev server +
 *      worker, server start excluded), each in a child process: the orchestration overhead.
 *
 * Prints a table, or with --json one JSON line. The machine may be shared: the ratios compare runs
 * made one after the other within this run, and every figure carries the load average it ran under.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { PROJECT_ROOT } from '../config/settings';
import { generate } from '../generator';
import { compareLineage } from './compare';

const optionsSchema = z.object({
  scale: z.coerce.number().positive().max(100).default(1.07),
  seed: z.coerce.number().int().min(0).default(1),
  json: z.boolean().default(false),
  /** Only part 2 (the lineage comparison). */
  'lineage-only': z.boolean().default(false),
  /** Rounds of part 2; each figure is the median over the rounds. */
  repeat: z.coerce.number().int().min(1).max(9).default(3),
});

const BENCH_DIR = path.join(PROJECT_ROOT, 'data', 'bench');

const methodSchema = z.object({
  method: z.string(),
  compute_ms: z.number(),
  write_ms: z.number(),
  ms: z.number(),
  maxrss_mb: z.number(),
  output: z.string(),
});
type MethodResult = z.infer<typeof methodSchema>;

const LINEAGE_METHODS = ['lineage', 'lineage-table', 'reference', 'walk'] as const;
type LineageMethod = (typeof LINEAGE_METHODS)[number];
const METHOD_TITLES: Record<LineageMethod, string> = {
  lineage: 'lineage',
  'lineage-table': 'lineage, ending in a result table like the straightforward methods',
  reference: "straightforward method, the reference ETL's query",
  walk: 'straightforward walk, output columns only',
};

/** Each figure's median over the rounds (the output file is the same every round). */
function medianOf(results: MethodResult[]): MethodResult {
  const median = (key: 'compute_ms' | 'write_ms' | 'ms' | 'maxrss_mb') => {
    const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  return {
    ...results[0],
    compute_ms: median('compute_ms'),
    write_ms: median('write_ms'),
    ms: median('ms'),
    maxrss_mb: median('maxrss_mb'),
  };
}

const pipelineSchema = z.object({ mode: z.string(), ms: z.number(), steps: z.record(z.string(), z.number()), maxrss_mb: z.number() });

/** Run a bench child script and parse the JSON line it prints last (the dev server also writes to stdout). */
function child<T>(script: string, args: string[], schema: z.ZodType<T>): T {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return schema.parse(JSON.parse(last));
}

/** The generated input for (scale, seed), made once; `.complete` marks a finished generation. */
async function benchData(scale: number, seed: number, log: (s: string) => void): Promise<{ dir: string; processes: number }> {
  const dir = path.join(BENCH_DIR, `acme4-s${scale}-seed${seed}`);
  const marker = path.join(dir, '.complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    log(`generating ACME4-shaped data at scale ${scale} into ${dir} (once) ...`);
    const result = await generate({ profile: 'acme4', scale, seed, out: dir, layout: 'stdview' });
    fs.writeFileSync(marker, JSON.stringify(result) + '\n');
  }
  return { dir, processes: z.object({ processes: z.number() }).parse(JSON.parse(fs.readFileSync(marker, 'utf8'))).processes };
}

const load = () => os.loadavg()[0].toFixed(1);
const mb = (n: number) => `${n.toLocaleString('en-US')} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      'lineage-only': { type: 'boolean' },
      repeat: { type: 'string' },
    },
    allowPositionals: false,
  });
  const opts = optionsSchema.parse(values);
  const log = (line: string) => process.stderr.write(line + '\n');
  const data = await benchData(opts.scale, opts.seed, log);
  const input = path.join(data.dir, 'process.parquet');
  const work = path.join(BENCH_DIR, 'work');
  const loads: Record<string, string> = {};

  // Rounds interleave the methods, so that a busy moment on a shared machine falls on all of them.
  const rounds: Record<LineageMethod, MethodResult[]> = { lineage: [], 'lineage-table': [], reference: [], walk: [] };
  for (let round = 1; round <= opts.repeat; round++) {
    for (const method of LINEAGE_METHODS) {
      loads[`${method} ${round}`] = load();
      log(`round ${round}/${opts.repeat}: ${METHOD_TITLES[method]} (load ${loads[`${method} ${round}`]}) ...`);
      rounds[method].push(child('method-child.ts', [method, input, path.join(work, method)], methodSchema));
    }
  }
  const [fast, fastTable, reference, walk] = LINEAGE_METHODS.map((m) => medianOf(rounds[m]));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const sameAsReference = await compareLineage(conn, fast.output, reference.output);
  const sameAsWalk = await compareLineage(conn, fast.output, walk.output);
  conn.closeSync();
  instance.closeSync();

  const pipeline = opts['lineage-only'] ? null : runPipelines(data.dir, work, loads, log);

  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const summary = {
    scale: opts.scale,
    processes: data.processes,
    rounds: opts.repeat,
    lineage_rounds_ms: Object.fromEntries(LINEAGE_METHODS.map((m) => [m, rounds[m].map((r) => r.ms)])),
    lineage_ms: fast.ms,
    lineage_compute_ms: fast.compute_ms,
    lineage_write_ms: fast.write_ms,
    lineage_peak_mb: fast.maxrss_mb,
    reference_ms: reference.ms,
    reference_compute_ms: reference.compute_ms,
    reference_write_ms: reference.write_ms,
    reference_peak_mb: reference.maxrss_mb,
    lineage_table_compute_ms: fastTable.compute_ms,
    lineage_table_peak_mb: fastTable.maxrss_mb,
    lineage_speedup: ratio(reference.ms, fast.ms),
    compute_speedup: ratio(reference.compute_ms, fastTable.compute_ms),
    memory_ratio: ratio(reference.maxrss_mb, Math.max(fast.maxrss_mb, fastTable.maxrss_mb)),
    walk_ms: walk.ms,
    walk_compute_ms: walk.compute_ms,
    walk_write_ms: walk.write_ms,
    walk_peak_mb: walk.maxrss_mb,
    walk_speedup: ratio(walk.ms, fast.ms),
    walk_memory_ratio: ratio(walk.maxrss_mb, fast.maxrss_mb),
    identical: sameAsReference.identical && sameAsWalk.identical,
    identical_to_reference: sameAsReference.identical,
    identical_to_walk: sameAsWalk.identical,
    ...(pipeline && {
      direct_ms: pipeline.direct.ms,
      temporal_ms: pipeline.temporal.ms,
      temporal_overhead: ratio(pipeline.temporal.ms, pipeline.direct.ms),
      direct_steps: pipeline.direct.steps,
      temporal_steps: pipeline.temporal.steps,
      direct_peak_mb: pipeline.direct.maxrss_mb,
      temporal_peak_mb: pipeline.temporal.maxrss_mb,
    }),
    peak_rss_mb: Math.max(fast.maxrss_mb, pipeline?.direct.maxrss_mb ?? 0, pipeline?.temporal.maxrss_mb ?? 0),
    load_average: loads,
    machine: { nproc: os.availableParallelism(), memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  };
  fs.rmSync(work, { recursive: true, force: true });

  if (opts.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const rows: [string, string][] = [
    ['processes', data.processes.toLocaleString('en-US')],
    [
      'rounds (figures are medians)',
      `${opts.repeat}: lineage ${rounds.lineage.map((r) => s(r.ms)).join(', ')}; reference ${rounds.reference.map((r) => s(r.ms)).join(', ')}`,
    ],
    ['lineage (compute + write)', `${s(fast.ms)} (${s(fast.compute_ms)} + ${s(fast.write_ms)}), peak ${mb(fast.maxrss_mb)}`],
    ['reference ETL query', `${s(reference.ms)} (${s(reference.compute_ms)} + ${s(reference.write_ms)}), peak ${mb(reference.maxrss_mb)}`],
    ['lineage to a result table', `${s(fastTable.compute_ms)}, peak ${mb(fastTable.maxrss_mb)} (then the same write as the reference)`],
    ['speed-up: whole job / to the table', `${summary.lineage_speedup}x / ${summary.compute_speedup}x (reference / lineage)`],
    ['memory ratio', `${summary.memory_ratio}x (reference peak / lineage's higher peak)`],
    ['walk, output columns only', `${s(walk.ms)} (${s(walk.compute_ms)} + ${s(walk.write_ms)}), peak ${mb(walk.maxrss_mb)}`],
    ['against that walk', `${summary.walk_speedup}x / ${summary.walk_memory_ratio}x`],
    ['identical output', `${sameAsReference.identical} (reference), ${sameAsWalk.identical} (walk)`],
    ...(pipeline
      ? [
          ...Object.entries(pipeline.direct.steps).map(([k, v]): [string, string] => [`  step ${k} (direct)`, s(v)]),
          ['whole run, steps direct', s(pipeline.direct.ms)] as [string, string],
          ['whole run, through Temporal', s(pipeline.temporal.ms)] as [string, string],
          ['Temporal overhead', `${summary.temporal_overhead}x`] as [string, string],
        ]
      : []),
    ['peak RSS', mb(summary.peak_rss_mb)],
    [
      'load average (lineage rounds, direct, temporal)',
      `${Object.entries(loads)
        .filter(([k]) => !['direct', 'temporal'].includes(k))
        .map(([, v]) => v)
        .join(' ')}; ${loads.direct ?? '-'}; ${loads.temporal ?? '-'} on ${summary.machine.nproc} cores`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

/** Part 3: the whole pipeline with the steps called directly, then through Temporal. */
function runPipelines(dataDir: string, work: string, loads: Record<string, string>, log: (s: string) => void) {
  log(`pipeline, steps called directly (load ${(loads.direct = load())}) ...`);
  const direct = child('pipeline-child.ts', ['direct', dataDir, path.join(work, 'direct')], pipelineSchema);
  log(`pipeline through Temporal (load ${(loads.temporal = load())}) ...`);
  const temporal = child('pipeline-child.ts', ['temporal', dataDir, path.join(work, 'temporal')], pipelineSchema);
  return { direct, temporal };
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
