/**
 * Partitioned lineage and labelling (`partitions > 1`): the processes are split by host into balanced
 * partitions after ingest; each partition's lineage, and later its labels, run as one activity on
 * whichever worker of the task queue picks it up; the results are merged into the same `process_path`
 * and label sets an unpartitioned run produces (activities/partition.ts).
 *
 * History stays bounded however many partitions there are: the parent records one child workflow per
 * batch of partitions, and each child records only its own batch's activities.
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PartitionLabels, PartitionRef } from '../activities/partition';
import type { StepResult } from '../activities/step';
import type { Rule } from './input';

/** Partitions one child workflow runs: 64 partitions ≈ 200 history events, far below any limit. */
export const PARTITIONS_PER_CHILD = 64;
/**
 * Partition activities in flight per run. The workers' own activity slots are the real bound; this one
 * keeps a 256-partition run from queueing everything at once, so a worker that joins late still gets work.
 */
export const MAX_IN_FLIGHT = 4;

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 5,
  nonRetryableErrorTypes: ['BadInput', 'BadRules', 'PathOutsideDataRoots', 'OutputLocked', 'BadWorkflowInput'],
};
// As the pipeline's own steps: a killed worker stops heartbeating, and its partition is retried on
// another worker after heartbeatTimeout, reusing the checkpoints the first attempt finished.
const steps = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '30 seconds', retry });

/** Run `work` on every item, at most `limit` at a time; results in input order. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const slot = next++;
      results[slot] = await work(items[slot]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/** Split `items` into child-workflow batches and run them one after the other (bounding the fan-out). */
async function inBatches<T, R>(items: T[], child: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const results: R[] = [];
  for (let first = 0; first < items.length; first += PARTITIONS_PER_CHILD) {
    results.push(...(await child(items.slice(first, first + PARTITIONS_PER_CHILD))));
  }
  return results;
}

export interface LineageBatchInput {
  outDir: string;
  ingest: StepResult;
  plan: StepResult;
  indexes: number[];
}

/** Child workflow: lineage (and duds) of a batch of partitions. */
export async function lineagePartitions(input: LineageBatchInput): Promise<PartitionRef[]> {
  const { outDir, ingest, plan } = input;
  return pooled(input.indexes, MAX_IN_FLIGHT, (index) => steps.runPartition({ outDir, ingest, plan, index }));
}

export interface LabelBatchInput {
  parts: PartitionRef[];
  rules: Rule[];
}

/** Child workflow: every rule's labels on a batch of partitions. */
export async function labelPartitions(input: LabelBatchInput): Promise<PartitionLabels[]> {
  return pooled(input.parts, MAX_IN_FLIGHT, (part) => steps.labelPartition({ part, rules: input.rules }));
}

/** The merged lineage, carrying the partitions it came from so labelling can follow the same split. */
export type PartitionedLineage = StepResult & { parts: PartitionRef[] };

export function isPartitioned(lineage: StepResult): lineage is PartitionedLineage {
  return Array.isArray((lineage as Partial<PartitionedLineage>).parts);
}

/** Child workflow ids derive from the parent's, so a replayed or reset parent finds the children it started. */
function childId(kind: string, batch: number): string {
  return `${workflowInfo().workflowId}/${kind}-${batch}`;
}

/**
 * The pipeline's lineage step, partitioned: plan, lineage per partition in child workflows (batches
 * one after the other, at most MAX_IN_FLIGHT partition activities at once), merge.
 */
export async function partitionedLineage(request: { outDir: string; ingest: StepResult; partitions: number }): Promise<StepResult> {
  const started = Date.now();
  const { outDir, ingest } = request;
  const { plan, partitions } = await steps.planPartitions({ outDir, ingest, partitions: request.partitions });
  // An input without processes has no hosts to split: the ordinary step handles it.
  if (partitions.length === 0) return steps.lineage({ outDir, ingest });
  let batch = 0;
  const parts = await inBatches(
    partitions.map((p) => p.index),
    (indexes) => executeChild(lineagePartitions, { workflowId: childId('lineage', batch++), args: [{ outDir, ingest, plan, indexes }] }),
  );
  const merged = await steps.mergeLineage({ outDir, ingest, parts });
  const reused = merged.status === 'reused' && parts.every((p) => p.status === 'reused');
  const result: PartitionedLineage = { ...merged, status: reused ? 'reused' : 'computed', ms: Date.now() - started, parts };
  return result;
}

/** The pipeline's label steps on a partitioned lineage: every rule per partition, then one merge per rule. */
export async function partitionedLabels(request: { outDir: string; lineage: PartitionedLineage; rules: Rule[] }): Promise<StepResult[]> {
  const started = Date.now();
  const { outDir, rules } = request;
  let batch = 0;
  const parts = await inBatches(request.lineage.parts, (batchParts) =>
    executeChild(labelPartitions, { workflowId: childId('labels', batch++), args: [{ parts: batchParts, rules }] }),
  );
  const merged = await steps.mergeLabels({ outDir, parts, rules });
  return merged.map((m) => ({ ...m, ms: Date.now() - started }));
}
