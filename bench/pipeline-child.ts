/**
 * One whole pipeline run in a process of its own:
 *
 *   tsx bench/pipeline-child.ts <direct|temporal> <input folder> <out folder>
 *
 * `direct` calls the step functions of activities/ in the workflow's order (lineage beside duds, the
 * labels side by side, as the workflow schedules them, report.html last) on one DuckDB instance; `temporal` starts an
 * in-memory Temporal dev server and the pipeline worker, then times `runPipeline` (what `wintap-noise
 * run` does) from start to result, so server start and workflow bundling are excluded. Prints one JSON
 * line {mode, ms, steps, maxrss_mb}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { z } from 'zod';
import { createDb } from '../activities/db';
import { denoise } from '../activities/denoise';
import { duds } from '../activities/duds';
import { ingest } from '../activities/ingest';
import { label } from '../activities/label';
import { lineage } from '../activities/lineage';
import { persist } from '../activities/persist';
import { proportions } from '../activities/proportions';
import { union } from '../activities/union';
import { runPipeline } from '../cli/run';
import { writeReport } from '../report';
import type { Session } from '../cli/session';
import { createLogger } from '../config/logger';
import { loadSettings } from '../config/settings';
import { startLocalServer } from '../temporal/dev-server';
import { createPipelineWorker } from '../workers/pipeline-worker';
import { installRuntime } from '../workers/runtime';
import { DEFAULT_RULES } from '../workflows/input';

const argsSchema = z.tuple([z.enum(['direct', 'temporal']), z.string().min(1), z.string().min(1)]);

async function direct(input: string, outDir: string): Promise<Record<string, number>> {
  const settings = loadSettings();
  const db = await createDb({
    roots: [input, outDir],
    memoryLimit: settings.WINTAP_NOISE_DUCKDB_MEMORY_LIMIT,
    threads: settings.WINTAP_NOISE_DUCKDB_THREADS,
    tempDirectory: path.join(outDir, '.duckdb-tmp'),
  });
  const steps: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    steps[name] = Math.round(performance.now() - started);
    return result;
  };
  const step = <T>(name: string, work: Parameters<typeof db.withConnection<T>>[0]) => timed(name, () => db.withConnection(work));
  try {
    const ingested = await step('ingest', (conn) => ingest(conn, { input, outDir }));
    const [paths, nondud] = await Promise.all([
      step('lineage', (conn) => lineage(conn, outDir, ingested)),
      step('duds', (conn) => duds(conn, outDir, ingested)),
    ]);
    const labels = await Promise.all(
      DEFAULT_RULES.map((rule) => step(`label:${rule.label}`, (conn) => label(conn, outDir, paths, nondud, rule))),
    );
    const agents = await step('union', (conn) => union(conn, outDir, labels));
    const denoised = await step('denoise', (conn) => denoise(conn, outDir, nondud, agents));
    await timed('persist', async () =>
      persist({ outDir, steps: { ingest: ingested, lineage: paths, duds: nondud, union: agents, denoise: denoised } }),
    );
    await step('proportions', (conn) =>
      proportions(
        conn,
        outDir,
        nondud,
        agents,
        DEFAULT_RULES.map((r) => r.label),
      ),
    );
    const quality = { ...ingested.facts, ...paths.facts, ...nondud.facts };
    await step('report', (conn) => writeReport(conn, { outDir, dataset: 'bench', labels: DEFAULT_RULES.map((r) => r.label), quality }));
  } finally {
    db.close();
  }
  return steps;
}

async function temporal(input: string, outDir: string): Promise<{ ms: number; steps: Record<string, number> }> {
  const settings = { ...loadSettings(), TEMPORAL_ADDRESS: undefined };
  const log = createLogger({ ...settings, WINTAP_NOISE_LOG_LEVEL: 'warn' });
  installRuntime(log);
  const server = await startLocalServer({ namespace: settings.TEMPORAL_NAMESPACE, uiPort: null });
  const taskQueue = `bench-${process.pid}`;
  try {
    const worker = await createPipelineWorker({ settings, log, address: server.address, taskQueue, extraRoots: [input, outDir] });
    const running = worker.run();
    try {
      const session: Session = {
        client: new Client({ connection: server.env.connection, namespace: settings.TEMPORAL_NAMESPACE }),
        taskQueue,
        uiUrl: null,
        embedded: true,
        // The worker above is already running; the session only starts and follows the workflow.
        startWorker: async () => undefined,
        close: async () => undefined,
      };
      const started = performance.now();
      const result = await runPipeline(session, { input, out: outDir }, { json: false, out: () => undefined });
      const ms = Math.round(performance.now() - started);
      return { ms, steps: Object.fromEntries(result.steps.map((s) => [s.name, s.ms])) };
    } finally {
      worker.worker.shutdown();
      await running;
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const [mode, inputArg, outArg] = argsSchema.parse(process.argv.slice(2));
  const input = path.resolve(inputArg);
  const outDir = path.resolve(outArg);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  let ms: number;
  let steps: Record<string, number>;
  if (mode === 'direct') {
    const started = performance.now();
    steps = await direct(input, outDir);
    ms = Math.round(performance.now() - started);
  } else {
    ({ ms, steps } = await temporal(input, outDir));
  }
  process.stdout.write(JSON.stringify({ mode, ms, steps, maxrss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench pipeline-child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
