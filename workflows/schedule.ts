/**
 * What a scheduled run knows about its schedule. Temporal's scheduler sets the system search attribute
 * `TemporalScheduledStartTime` on every run it starts (including `trigger` and `backfill`), and the
 * start event keeps it, so reading it is deterministic: a replay or a Reset sees the same time.
 * Imported by the workflow bundle: nothing here may touch Node APIs.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SAMPLE_INPUT, datasetName } from './input';

export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
export const SCHEDULED_BY_ID = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** `2026-12-03T16:05:00.000Z` -> `20261203T160500Z`: a folder name that sorts by time. */
export function partitionName(scheduledAt: Date): string {
  return scheduledAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * The scheduled time from the run's search attributes, or null for a run not started by a schedule.
 * `typed` is the typed view (workflowInfo().typedSearchAttributes); `untyped` the legacy map, read as a
 * fallback because a server may send the attribute without the type metadata the typed view needs.
 */
export function scheduledStartTime(
  typed: { get(key: typeof SCHEDULED_START_TIME): Date | undefined },
  untyped: Record<string, unknown>,
): Date | null {
  const fromTyped = typed.get(SCHEDULED_START_TIME);
  if (fromTyped instanceof Date && !Number.isNaN(fromTyped.getTime())) return fromTyped;
  const values = untyped[SCHEDULED_START_TIME.name];
  const first: unknown = Array.isArray(values) ? values[0] : undefined;
  if (first instanceof Date) return first;
  if (typeof first === 'string') {
    const parsed = new Date(first);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return null;
}

/**
 * The `out` a run passes to `locate`: for a scheduled run, `<out>/<partition>` where `<out>` is the
 * input's `out` or, by default, the data set name (as `locate` names it); otherwise `out` unchanged.
 * `resume` uses it too, so a resumed scheduled run writes into the partition its first attempt used.
 */
export function scheduledOutput(params: { input: string; out?: string; dataset?: string }, scheduledAt: Date | null): string | undefined {
  if (scheduledAt === null) return params.out;
  const base = params.out ?? params.dataset ?? (params.input === SAMPLE_INPUT ? SAMPLE_INPUT : datasetName(params.input));
  return `${base.replace(/[\\/]+$/, '')}/${partitionName(scheduledAt)}`;
}
