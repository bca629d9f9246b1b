/**
 * Partitioned runs (`--partitions N`): lineage and labelling split by host, so that several workers
 * share one large run. Lineage never crosses hosts (a parent on another host ends the walk, SPEC
 * "process_path"), so a partition holding whole hosts computes exactly the rows an unpartitioned run
 * would, and the merged result is their union.
 *
 *   plan (hosts -> partitions, balanced by process count)
 *   -> per partition: its processes, the ordinary lineage step on them, their non-dud ids -> merge lineage
 *   -> per partition: the ordinary label step, once per rule            -> merge each rule's labels
 *
 * (Labelling is a second pass because a run's rules file is read only once lineage is done.)
 * A partition's files live in the output folder (`<out>/.checkpoints/partition/<key>/`), which every
 * worker must share, so whichever worker merges finds what the others wrote, and a partition retried on
 * another worker after a crash reuses what its first attempt finished.
 */
import path from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Rule } from '../workflows/input';
import { checkpointDir, stepKey } from './checkpoints';
import { queryRows } from './db';
import { label } from './label';
import { lineage } from './lineage';
import { checkpointedStep, count, type StepResult } from './step';

export const PARTITION_VERSION = 2;

export interface HostLoad {
  hostname: string | null;
  processes: number;
}

/**
 * Greedy bin-packing (largest host first, into the partition with the fewest processes so far; ties
 * go to the lower index, hosts of equal size in name order), so the same input always gives the same
 * plan. Returns each host's partition index; never more partitions than hosts.
 */
export function packHosts(hosts: HostLoad[], partitions: number): Map<string | null, number> {
  const bins = Array.from({ length: Math.max(1, Math.min(partitions, hosts.length)) }, () => 0);
  const sorted = [...hosts].sort((a, b) => b.processes - a.processes || compareNames(a.hostname, b.hostname));
  const assignment = new Map<string | null, number>();
  for (const host of sorted) {
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] < bins[best]) best = i;
    bins[best] += host.processes;
    assignment.set(host.hostname, best);
  }
  return assignment;
}

function compareNames(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

export interface PartitionSummary {
  index: number;
  hosts: number;
  processes: number;
}

export interface PartitionPlan {
  /** The host -> partition table (parquet checkpoint). */
  plan: StepResult;
  partitions: PartitionSummary[];
}

/** Assign every host of the ingested table to one of at most `partitions` partitions. */
export async function planPartitions(
  conn: DuckDBConnection,
  outDir: string,
  ingest: StepResult,
  partitions: number,
): Promise<PartitionPlan> {
  const key = stepKey('partition-plan', PARTITION_VERSION, ingest.key, partitions);
  const plan = await checkpointedStep(conn, outDir, 'partition-plan', PARTITION_VERSION, key, async () => {
    const loads = await queryRows<{ hostname: string | null; processes: string }>(
      conn,
      'SELECT hostname, count(*) AS processes FROM read_parquet($file) GROUP BY hostname',
      { file: ingest.output },
    );
    const hosts = loads.map((h) => ({ hostname: h.hostname, processes: count(h.processes) }));
    const assignment = packHosts(hosts, partitions);
    // A NULL hostname is a host of its own: IS NOT DISTINCT FROM keeps it in exactly one partition.
    return {
      sql: `SELECT unnest($hosts::VARCHAR[]) AS hostname, unnest($parts::INTEGER[]) AS partition, unnest($loads::BIGINT[]) AS processes`,
      params: {
        hosts: listValue([...assignment.keys()]),
        parts: listValue([...assignment.values()]),
        loads: listValue([...assignment.keys()].map((h) => hosts.find((x) => x.hostname === h)!.processes)),
      },
      facts: { requested: partitions, hosts: hosts.length },
    };
  });
  const rows = await queryRows<{ partition: number; hosts: string; processes: string }>(
    conn,
    `SELECT partition, count(*) AS hosts, sum(processes) AS processes
       FROM read_parquet($plan) GROUP BY partition ORDER BY partition`,
    { plan: plan.output },
  );
  return { plan, partitions: rows.map((r) => ({ index: r.partition, hosts: count(r.hosts), processes: count(r.processes) })) };
}

/** One partition's references: its folder, its lineage and its non-dud processes. */
export interface PartitionRef {
  index: number;
  /** The partition's own checkpoint folder, under the output folder. */
  dir: string;
  status: 'computed' | 'reused';
  lineage: StepResult;
  nondud: StepResult;
  ms: number;
}

/** The folder one partition's checkpoints live in: under the output folder, shared by every worker. */
export function partitionDir(outDir: string, plan: StepResult, index: number): string {
  return path.join(checkpointDir(outDir), 'partition', stepKey('partition', PARTITION_VERSION, plan.key, index));
}

const statusOf = (steps: StepResult[]): 'computed' | 'reused' => (steps.every((s) => s.status === 'reused') ? 'reused' : 'computed');

/**
 * One partition: its hosts' processes, the unchanged lineage step on them, and their non-dud ids,
 * each checkpointed in the partition's folder (so a retry, on any worker, reuses what is already done).
 */
export async function runPartition(
  conn: DuckDBConnection,
  outDir: string,
  ingest: StepResult,
  plan: StepResult,
  index: number,
): Promise<PartitionRef> {
  const started = Date.now();
  const dir = partitionDir(outDir, plan, index);
  const key = stepKey('process', PARTITION_VERSION, ingest.key, plan.key, index);
  // Only the columns lineage reads: the partition's copy of the data stays a fraction of the input.
  const processes = await checkpointedStep(conn, dir, 'process', PARTITION_VERSION, key, async () => ({
    sql: `SELECT p.pid_hash, p.parent_pid_hash, p.hostname, p.process_name FROM read_parquet($file) p
            SEMI JOIN (SELECT hostname FROM read_parquet($plan) WHERE partition = $index) h
                   ON p.hostname IS NOT DISTINCT FROM h.hostname`,
    params: { file: ingest.output, plan: plan.output, index },
  }));
  const paths = await lineage(conn, dir, processes);
  // The label step reads only pid_hash from its non-dud input (SPEC "Duds": a parent hash is set).
  const nondudKey = stepKey('nondud', PARTITION_VERSION, processes.key);
  const nondud = await checkpointedStep(conn, dir, 'nondud', PARTITION_VERSION, nondudKey, async () => ({
    sql: 'SELECT pid_hash FROM read_parquet($file) WHERE parent_pid_hash IS NOT NULL',
    params: { file: processes.output },
  }));
  return { index, dir, status: statusOf([processes, paths, nondud]), lineage: paths, nondud, ms: Date.now() - started };
}

/** One partition's label sets, one per rule, in rule order. */
export interface PartitionLabels {
  index: number;
  status: 'computed' | 'reused';
  labels: StepResult[];
  ms: number;
}

/** The unchanged label step, once per rule, on one partition's lineage and non-dud processes. */
export async function labelPartition(conn: DuckDBConnection, part: PartitionRef, rules: Rule[]): Promise<PartitionLabels> {
  const started = Date.now();
  const labels: StepResult[] = [];
  for (const rule of rules) labels.push(await label(conn, part.dir, part.lineage, part.nondud, rule));
  return { index: part.index, status: statusOf(labels), labels, ms: Date.now() - started };
}

/** Lineage facts that add up over partitions; the rest are recomputed on the whole table or maxed. */
const SUMMED_FACTS = ['self_parented', 'processes_in_cycle_components', 'cycle_members', 'cycles', 'chains_longer_than_1', 'null_ptree'];

/**
 * The partitions' lineage as if computed in one piece: the union of their `process_path` files (the
 * same rows an unpartitioned run writes; row order may differ), with the lineage step's facts.
 */
export async function mergeLineage(conn: DuckDBConnection, outDir: string, ingest: StepResult, parts: PartitionRef[]): Promise<StepResult> {
  const sorted = [...parts].sort((a, b) => a.index - b.index);
  const key = stepKey('lineage', PARTITION_VERSION, 'merged', ...sorted.map((p) => p.lineage.key));
  const merged = await checkpointedStep(conn, outDir, 'lineage', PARTITION_VERSION, key, async () => {
    // parents_not_found and cross_host_parents depend on every host (a partition sees a parent in
    // another partition as missing), so those two are counted on the whole table.
    const [global] = await queryRows<Record<string, string>>(
      conn,
      `SELECT count(*) FILTER (c.parent_pid_hash IS NOT NULL AND p.pid_hash IS NULL) AS parents_not_found,
              count(*) FILTER (p.hostname <> c.hostname) AS cross_host_parents
         FROM read_parquet($file) c LEFT JOIN read_parquet($file) p ON p.pid_hash = c.parent_pid_hash`,
      { file: ingest.output },
    );
    const facts: Record<string, number> = {
      parents_not_found: count(global.parents_not_found),
      cross_host_parents: count(global.cross_host_parents),
    };
    for (const name of SUMMED_FACTS) facts[name] = sorted.reduce((sum, p) => sum + count(p.lineage.facts[name]), 0);
    facts.max_chain_length = Math.max(0, ...sorted.map((p) => count(p.lineage.facts.max_chain_length)));
    facts.partitions = sorted.length;
    return {
      sql: 'SELECT pid_hash, process_name, ptree, ptree_list FROM read_parquet($files)',
      params: { files: listValue(sorted.map((p) => p.lineage.output)) },
      facts,
    };
  });
  return { ...merged, name: 'lineage' };
}

/** Each rule's label set over all partitions: the union of the partitions' label files. */
export async function mergeLabels(conn: DuckDBConnection, outDir: string, parts: PartitionLabels[], rules: Rule[]): Promise<StepResult[]> {
  const sorted = [...parts].sort((a, b) => a.index - b.index);
  const labels: StepResult[] = [];
  for (const [i, rule] of rules.entries()) {
    const files = sorted.map((p) => p.labels[i]);
    const key = stepKey('label', PARTITION_VERSION, 'merged', rule.label, rule.pattern, ...files.map((f) => f.key));
    const result = await checkpointedStep(conn, outDir, 'label', PARTITION_VERSION, key, async () => ({
      sql: 'SELECT pid_hash, process_name, ptree, ptree_list, label FROM read_parquet($files)',
      params: { files: listValue(files.map((f) => f.output)) },
      facts: { label: rule.label, pattern: rule.pattern, partitions: files.length },
    }));
    labels.push({ ...result, name: `label:${rule.label}` });
  }
  return labels;
}
