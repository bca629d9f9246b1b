/**
 * The pipeline's activities, built from their dependencies (`createActivities({ db, log, config })`,
 * as in Temporal's activities-dependency-injection sample). In pipeline order:
 *
 *   locate -> ingest -> lineage | duds -> label (one per rule) -> union -> denoise -> persist
 *          -> proportions -> report -> recordRun
 *
 * Each step file owns its SQL; this file only adds what every activity needs: confinement of paths,
 * a DuckDB connection, heartbeats while the query runs, and the fault-injection switch for drills.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Rule } from '../workflows/input';
import { SAMPLE_INPUT, datasetName } from '../workflows/input';
import type { Db } from './db';
import { confine } from './data-roots';
import { acquireOutput, releaseOutput } from './output-lock';
import { ingest } from './ingest';
import { lineage } from './lineage';
import { duds } from './duds';
import { label } from './label';
import { union } from './union';
import { denoise } from './denoise';
import { persist, type PublishedStep } from './persist';
import { proportions } from './proportions';
import { recordRun, type RunRecord } from './run-record';
import { REPORT_FILE, REPORT_VERSION, writeReport } from '../report';
import { isPublished, publishedKeys, recordPublished } from './publication';
import { stepKey } from './checkpoints';
import {
  labelPartition,
  mergeLabels,
  mergeLineage,
  planPartitions,
  runPartition,
  type PartitionLabels,
  type PartitionRef,
} from './partition';
import { readRulesFile } from './rules-file';
import type { StepResult } from './step';
import { ensureSample } from '../generator/sample';

export interface ActivityConfig {
  /** Real paths of the data roots; every input and output must lie inside one. */
  roots: string[];
  /** Where outputs go when a run names none. */
  outputRoot: string;
  /** `step:count` pairs: fail the first `count` attempts of `step` (tests and drills only). */
  faultInjection?: string;
  heartbeatMs?: number;
}

export interface ActivityDeps {
  db: Db;
  log: Logger;
  config: ActivityConfig;
}

export interface LocateRequest {
  input: string;
  out?: string;
  dataset?: string;
}

export interface Located {
  input: string;
  outDir: string;
  dataset: string;
}

function parseFaults(spec: string | undefined): Map<string, number> {
  const faults = new Map<string, number>();
  for (const part of (spec ?? '').split(',').filter(Boolean)) {
    const [step, n] = part.split(':');
    faults.set(step, Number(n));
  }
  return faults;
}

export function createActivities({ db, log, config }: ActivityDeps) {
  const faults = parseFaults(config.faultInjection);
  const heartbeatMs = config.heartbeatMs ?? 2_000;

  /** Run one step on a fresh connection, heartbeating until it ends; interrupt DuckDB on cancel. */
  async function run<T>(step: string, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const ctx = Context.current();
    const injected = faults.get(step);
    if (injected !== undefined && ctx.info.attempt <= injected) {
      throw ApplicationFailure.retryable(
        `injected fault in ${step} (attempt ${ctx.info.attempt} of ${injected} set by WINTAP_NOISE_FAULT_INJECTION)`,
        'InjectedFault',
      );
    }
    const started = Date.now();
    log.info({ step, attempt: ctx.info.attempt, workflowId: ctx.info.workflowExecution?.workflowId }, 'step started');
    return db.withConnection(async (conn) => {
      const beat = setInterval(() => ctx.heartbeat({ step, elapsedMs: Date.now() - started }), heartbeatMs);
      const onCancel = () => conn.interrupt();
      ctx.cancellationSignal.addEventListener('abort', onCancel);
      try {
        const result = await work(conn);
        log.info({ step, ms: Date.now() - started }, 'step finished');
        return result;
      } finally {
        clearInterval(beat);
        ctx.cancellationSignal.removeEventListener('abort', onCancel);
      }
    });
  }

  const outDirOf = (outDir: string) => confine(config.roots, outDir, 'output folder');
  /** The lock owner: this activity's workflow (see output-lock.ts for the stale-lock rule). */
  const owner = () => {
    const execution = Context.current().info.workflowExecution;
    return { workflowId: execution?.workflowId ?? 'standalone-activity', runId: execution?.runId ?? '' };
  };
  /** An output folder this run publishes into: confined, and locked by this workflow (re-taken if needed). */
  const publishDirOf = (outDir: string) => {
    const dir = outDirOf(outDir);
    acquireOutput(dir, owner());
    return dir;
  };

  return {
    /** Resolve and confine the run's paths; generate the sample data set on first use. */
    async locate(request: LocateRequest): Promise<Located> {
      return run('locate', async () => {
        let input: string;
        if (request.input === SAMPLE_INPUT) {
          input = path.join(config.roots[0], 'sample', 'small');
          await ensureSample(input);
        } else {
          input = path.resolve(config.roots[0], request.input);
        }
        input = confine(config.roots, input, 'input');
        const dataset = request.dataset ?? (request.input === SAMPLE_INPUT ? SAMPLE_INPUT : datasetName(input));
        const outDir = confine(config.roots, path.resolve(config.outputRoot, request.out ?? dataset), 'output folder');
        fs.mkdirSync(outDir, { recursive: true });
        acquireOutput(outDir, owner());
        return { input, outDir, dataset };
      });
    },
    async ingest(request: { input: string; outDir: string }) {
      return run('ingest', (conn) =>
        ingest(conn, { input: confine(config.roots, request.input, 'input'), outDir: outDirOf(request.outDir) }),
      );
    },
    async lineage(request: { outDir: string; ingest: StepResult }) {
      return run('lineage', (conn) => lineage(conn, outDirOf(request.outDir), request.ingest));
    },
    async duds(request: { outDir: string; ingest: StepResult }) {
      return run('duds', (conn) => duds(conn, outDirOf(request.outDir), request.ingest));
    },
    /** The run's rules file (input `rulesFile`), read when labelling starts: see rules-file.ts. */
    async readRules(request: { rulesFile: string }) {
      return run('rules', async () => readRulesFile(confine(config.roots, path.resolve(config.roots[0], request.rulesFile), 'rules file')));
    },
    async label(request: { outDir: string; lineage: StepResult; nondud: StepResult; rule: Rule }) {
      return run('label', (conn) => label(conn, outDirOf(request.outDir), request.lineage, request.nondud, request.rule));
    },
    async union(request: { outDir: string; labels: StepResult[] }) {
      return run('union', (conn) => union(conn, outDirOf(request.outDir), request.labels));
    },
    async denoise(request: { outDir: string; nondud: StepResult; agents: StepResult }) {
      return run('denoise', (conn) => denoise(conn, outDirOf(request.outDir), request.nondud, request.agents));
    },
    async persist(request: { outDir: string; steps: Record<PublishedStep, StepResult> }) {
      return run('persist', async () => persist({ outDir: publishDirOf(request.outDir), steps: request.steps }));
    },
    async proportions(request: { outDir: string; nondud: StepResult; agents: StepResult; labels: string[] }) {
      return run('proportions', (conn) => proportions(conn, publishDirOf(request.outDir), request.nondud, request.agents, request.labels));
    },
    /** report.html from the published files; the run's data-quality facts come with the request (run.json is written later). */
    async report(request: { outDir: string; dataset: string; labels: string[]; quality: Record<string, unknown> }) {
      return run('report', async (conn) => {
        const outDir = publishDirOf(request.outDir);
        // The report reads the published files; it is current when they and the request are unchanged.
        const key = stepKey('report', REPORT_VERSION, request, publishedKeys(outDir));
        if (isPublished(outDir, REPORT_FILE, key)) return { output: path.join(outDir, REPORT_FILE), status: 'reused' as const, ms: 0 };
        const { output, ms } = await writeReport(conn, { ...request, outDir });
        recordPublished(outDir, REPORT_FILE, key);
        return { output, status: 'computed' as const, ms };
      });
    },
    async recordRun(request: { outDir: string; record: RunRecord }) {
      return run('recordRun', async () => recordRun(publishDirOf(request.outDir), request.record));
    },
    /** End of a run (completed or failed): release the output folder's lock if this workflow holds it. */
    async releaseOutput(request: { outDir: string }) {
      return run('releaseOutput', async () => releaseOutput(outDirOf(request.outDir), owner()));
    },
    // Partitioned runs (activities/partition.ts): plan by host, one activity per partition, merge.
    async planPartitions(request: { outDir: string; ingest: StepResult; partitions: number }) {
      return run('partition_plan', (conn) => planPartitions(conn, outDirOf(request.outDir), request.ingest, request.partitions));
    },
    async runPartition(request: { outDir: string; ingest: StepResult; plan: StepResult; index: number }) {
      return run('partition', (conn) => runPartition(conn, outDirOf(request.outDir), request.ingest, request.plan, request.index));
    },
    async mergeLineage(request: { outDir: string; ingest: StepResult; parts: PartitionRef[] }) {
      return run('partition_merge', (conn) => mergeLineage(conn, outDirOf(request.outDir), request.ingest, request.parts));
    },
    async labelPartition(request: { part: PartitionRef; rules: Rule[] }) {
      const part = { ...request.part, dir: outDirOf(request.part.dir) };
      return run('partition_label', (conn) => labelPartition(conn, part, request.rules));
    },
    async mergeLabels(request: { outDir: string; parts: PartitionLabels[]; rules: Rule[] }) {
      return run('partition_merge', (conn) => mergeLabels(conn, outDirOf(request.outDir), request.parts, request.rules));
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
