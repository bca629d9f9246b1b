/**
 * Step 8, proportions: what share of the non-dud processes the agents account for (SPEC
 * "Proportions"), overall and per host, written to `proportions.json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from './db';
import { stepKey, writeFileAtomic } from './checkpoints';
import { isPublished, recordPublished } from './publication';
import { count, type StepResult } from './step';

export const PROPORTIONS_FILE = 'proportions.json';
/** Bump when proportions.json changes for the same inputs. */
const PROPORTIONS_VERSION = 1;

export interface Counts {
  num_total: number;
  labels: Record<string, number>;
  /** Σ labels / num_total: a process under two agents counts twice, as in the ACME4 analysis. */
  ratio: number;
  distinct_labelled: number;
  distinct_share: number;
}

export interface Proportions extends Counts {
  per_host: Record<string, Counts>;
}

function share(part: number, total: number): number {
  return total === 0 ? 0 : part / total;
}

export async function proportions(
  conn: DuckDBConnection,
  outDir: string,
  nondud: StepResult,
  agents: StepResult,
  labels: string[],
): Promise<{ proportions: Proportions; output: string; status: 'computed' | 'reused'; ms: number }> {
  const started = Date.now();
  const output = path.join(outDir, PROPORTIONS_FILE);
  const key = stepKey('proportions', PROPORTIONS_VERSION, nondud.key, agents.key, labels);
  if (isPublished(outDir, PROPORTIONS_FILE, key)) {
    const published = JSON.parse(fs.readFileSync(output, 'utf8')) as Proportions;
    return { proportions: published, output, status: 'reused', ms: Date.now() - started };
  }
  const rows = await queryRows<{ hostname: string; label: string | null; n: string }>(
    conn,
    `WITH n AS (SELECT pid_hash, hostname FROM read_parquet($nondud)),
          a AS (SELECT DISTINCT pid_hash, label FROM read_parquet($agents))
     SELECT hostname, '#total' AS label, count(*) AS n FROM n GROUP BY hostname
     UNION ALL
     SELECT n.hostname, a.label, count(*) FROM n JOIN a USING (pid_hash) GROUP BY n.hostname, a.label
     UNION ALL
     SELECT n.hostname, '#distinct', count(DISTINCT pid_hash) FROM n SEMI JOIN a USING (pid_hash) GROUP BY n.hostname`,
    { nondud: nondud.output, agents: agents.output },
  );
  const blank = (): { total: number; distinct: number; labels: Record<string, number> } => ({
    total: 0,
    distinct: 0,
    labels: Object.fromEntries(labels.map((l) => [l, 0])),
  });
  const hosts = new Map<string, ReturnType<typeof blank>>();
  for (const row of rows) {
    const host = hosts.get(row.hostname) ?? blank();
    hosts.set(row.hostname, host);
    if (row.label === '#total') host.total = count(row.n);
    else if (row.label === '#distinct') host.distinct = count(row.n);
    else host.labels[row.label as string] = count(row.n);
  }
  const toCounts = (c: ReturnType<typeof blank>): Counts => {
    const labelled = Object.values(c.labels).reduce((a, b) => a + b, 0);
    return {
      num_total: c.total,
      labels: c.labels,
      ratio: share(labelled, c.total),
      distinct_labelled: c.distinct,
      distinct_share: share(c.distinct, c.total),
    };
  };
  const all = blank();
  for (const host of hosts.values()) {
    all.total += host.total;
    all.distinct += host.distinct;
    for (const [l, n] of Object.entries(host.labels)) all.labels[l] = (all.labels[l] ?? 0) + n;
  }
  const perHost = Object.fromEntries([...hosts.keys()].sort().map((h) => [h, toCounts(hosts.get(h)!)]));
  const result: Proportions = { ...toCounts(all), per_host: perHost };
  writeFileAtomic(output, JSON.stringify(result, null, 2) + '\n');
  recordPublished(outDir, PROPORTIONS_FILE, key);
  return { proportions: result, output, status: 'computed', ms: Date.now() - started };
}
