/**
 * A small hand-checked lab network, run through the real step functions in pipeline order
 * (ingest -> lineage | duds -> label per rule -> union -> denoise -> proportions). The expected
 * labels and counts are worked out by hand in the tests that use it.
 */
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Rule } from '../../workflows/input';
import { ingest } from '../../activities/ingest';
import { lineage } from '../../activities/lineage';
import { duds } from '../../activities/duds';
import { label } from '../../activities/label';
import { union } from '../../activities/union';
import { denoise } from '../../activities/denoise';
import { proportions, type Proportions } from '../../activities/proportions';
import type { StepResult } from '../../activities/step';
import { writeProcessTable, type TestProcess } from '../support/process-table';

export const SQL_PATTERN = "'); DROP TABLE events; --";

/**
 * Host ACME-WS-PLU: the SSM chain (with a case variant WMIC.exe), the Wintap chain (WinTap.exe), a
 * process under both agents, a NULL name and its child (NULL ptree), names holding `%`, `_` and SQL,
 * and a dud named wintap.exe. Host ACME-HH-BKQ: its own wintap.exe, and a cmd.exe whose parent hash
 * belongs to the other host (the walk stops there).
 */
export const LAB: TestProcess[] = [
  { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
  { id: 'svc', name: 'services.exe', parent: 'nt' },
  { id: 'ssm', name: 'amazon-ssm-agent.exe', parent: 'svc' },
  { id: 'w', name: 'ssm-agent-worker.exe', parent: 'ssm' },
  { id: 'wm', name: 'WMIC.exe', parent: 'w' },
  { id: 'wt', name: 'WinTap.exe', parent: 'svc' },
  { id: 'mh', name: 'mergehelper.exe', parent: 'wt' },
  { id: 'both', name: 'wintap-helper.exe', parent: 'w' },
  { id: 'noname', name: null, parent: 'svc' },
  { id: 'kid', name: 'ssm-child.exe', parent: 'noname' },
  { id: 'lit', name: 'a%b_c.exe', parent: 'nt' },
  { id: 'ab1', name: 'ab1.exe', parent: 'nt' },
  { id: 'quote', name: `o'neil${SQL_PATTERN}.exe`, parent: 'nt' },
  { id: 'dud', name: 'wintap.exe', parent: null },
  { id: 'nt2', name: 'ntoskrnl.exe', parent: 'nt2', host: 'ACME-HH-BKQ' },
  { id: 'wt2', name: 'wintap.exe', parent: 'nt2', host: 'ACME-HH-BKQ' },
  { id: 'x2', name: 'explorer.exe', parent: 'nt2', host: 'ACME-HH-BKQ' },
  { id: 'cross', name: 'cmd.exe', parent: 'ssm', host: 'ACME-HH-BKQ' },
];

/** Default rules with an upper-case pattern, plus literal `%`/`_` patterns and one full of quotes and SQL. */
export const LAB_RULES: Rule[] = [
  { label: 'wintap', pattern: 'WINTAP' },
  { label: 'aws', pattern: 'ssm-' },
  { label: 'pct', pattern: '%b_' },
  { label: 'under', pattern: '_' },
  { label: 'sql', pattern: SQL_PATTERN },
];

export interface LabRun {
  ingested: StepResult;
  paths: StepResult;
  nondud: StepResult;
  labels: StepResult[];
  agents: StepResult;
  denoised: StepResult;
  proportions: Proportions;
}

export async function runLab(conn: DuckDBConnection, dir: string, processes = LAB, rules = LAB_RULES): Promise<LabRun> {
  await writeProcessTable(path.join(dir, 'in'), processes);
  const outDir = path.join(dir, 'out');
  const ingested = await ingest(conn, { input: path.join(dir, 'in'), outDir });
  const paths = await lineage(conn, outDir, ingested);
  const nondud = await duds(conn, outDir, ingested);
  const labels: StepResult[] = [];
  for (const rule of rules) labels.push(await label(conn, outDir, paths, nondud, rule));
  const agents = await union(conn, outDir, labels);
  const denoised = await denoise(conn, outDir, nondud, agents);
  const counted = await proportions(
    conn,
    outDir,
    nondud,
    agents,
    rules.map((r) => r.label),
  );
  return { ingested, paths, nondud, labels, agents, denoised, proportions: counted.proportions };
}
