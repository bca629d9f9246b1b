/**
 * The small lab data set the orchestration tests run on (one ACME-like host plus one process on a
 * second host), and helpers to read a run's history. Shared by test/workflows and test/replay.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Session } from '../../cli/session';
import { writeProcessTable } from '../support/process-table';
import type { TestWorker } from '../support/temporal';

/** Write `<root>/<name>/process.parquet`: 12 processes, 1 dud, wintap 3, aws 4 (see pipeline.test.ts). */
export async function writeLab(root: string, name = 'lab'): Promise<string> {
  return writeProcessTable(path.join(root, name), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'smss', name: 'smss.exe', parent: 'nt' },
    { id: 'svc', name: 'services.exe', parent: 'smss' },
    { id: 'ssm', name: 'amazon-ssm-agent.exe', parent: 'svc' },
    { id: 'ssmw', name: 'ssm-agent-worker.exe', parent: 'ssm' },
    { id: 'wmic', name: 'wmic.exe', parent: 'ssmw' },
    { id: 'wt', name: 'wintap.exe', parent: 'svc' },
    { id: 'mh', name: 'mergehelper.exe', parent: 'wt' },
    { id: 'both', name: 'wintap-ssm-bridge.exe', parent: 'ssmw' },
    { id: 'ch', name: 'conhost.exe', parent: 'missing' },
    { id: 'dud', name: null, parent: null },
    { id: 'other', name: 'explorer.exe', parent: 'ssm', host: 'ACME-HH-BKQ' },
  ]);
}

/** A CLI session over a test worker's client: what `resume` and `status` get from openSession. */
export function sessionOf(tw: TestWorker): Session {
  return { client: tw.client, taskQueue: tw.taskQueue, uiUrl: null, embedded: false, startWorker: async () => {}, close: async () => {} };
}

export interface ActivityAttempt {
  type: string;
  attempt: number;
  lastFailure: string | null;
  outcome: 'completed' | 'failed' | 'timedOut';
}

/** Every activity's final attempt in a run's history: its type, attempt number and the failure before it. */
export async function activityAttempts(client: Client, workflowId: string, runId?: string): Promise<ActivityAttempt[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const types = new Map<string, string>();
  const started = new Map<string, { attempt: number; lastFailure: string | null }>();
  const attempts: ActivityAttempt[] = [];
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) types.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), { attempt: s.attempt ?? 1, lastFailure: s.lastFailure?.message ?? null });
    for (const [outcome, attrs] of [
      ['completed', e.activityTaskCompletedEventAttributes],
      ['failed', e.activityTaskFailedEventAttributes],
      ['timedOut', e.activityTaskTimedOutEventAttributes],
    ] as const) {
      if (!attrs) continue;
      const key = String(attrs.scheduledEventId);
      attempts.push({ type: types.get(key) ?? '?', ...(started.get(key) ?? { attempt: 1, lastFailure: null }), outcome });
    }
  }
  return attempts;
}
