/**
 * `wintap-noise report <outDir>`: regenerate report.html from an existing output folder, without
 * Temporal (the report only reads the folder's parquet files and run.json). Exit 0 and the report's
 * path on stdout; exit 2 with a one-line reason otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createDb } from '../activities/db';
import { loadSettings } from '../config/settings';
import { describeOutputFolder, writeReport } from '../report';

export async function regenerateReport(outDir: string): Promise<{ output: string; ratio: number }> {
  if (!fs.existsSync(outDir) || !fs.statSync(outDir).isDirectory()) {
    throw new Error(`${outDir} is not a folder; give the output folder of a run (the one holding proportions.json)`);
  }
  const folder = fs.realpathSync(outDir);
  const settings = loadSettings();
  // DuckDB may touch only this folder and a private spill folder, as in the worker's locked-down factory.
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'wintap-noise-report-'));
  const db = await createDb({
    roots: [folder, fs.realpathSync(spill)],
    memoryLimit: settings.WINTAP_NOISE_DUCKDB_MEMORY_LIMIT,
    threads: settings.WINTAP_NOISE_DUCKDB_THREADS,
    tempDirectory: fs.realpathSync(spill),
  });
  try {
    const { output, data } = await db.withConnection((conn) => writeReport(conn, { outDir: folder, ...describeOutputFolder(folder) }));
    return { output, ratio: data.overall.ratio };
  } finally {
    db.close();
    fs.rmSync(spill, { recursive: true, force: true });
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('regenerate report.html (agent share per host, label and day; top process trees; data quality) in an output folder')
    .argument('<outDir>', 'output folder of a finished run')
    .action(async (outDir: string) => {
      try {
        const { output } = await regenerateReport(path.resolve(outDir));
        process.stdout.write(`${output}\n`);
      } catch (err) {
        process.stderr.write(`wintap-noise report: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
      }
    });
}
