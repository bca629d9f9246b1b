/**
 * A run's rules file (input field `rulesFile`), read when labelling starts. Reading it late is the
 * point: a bad rule fails the run at the label stage with everything before it checkpointed, and the
 * remedy is to fix the file and `wintap-noise resume` the run, which reuses ingest, lineage and duds.
 */
import fs from 'node:fs';
import { rulesSchema, type Rule } from '../workflows/input';
import { badRules } from './failures';

export interface RulesRead {
  rules: Rule[];
  /** The real path read, for the run record. */
  output: string;
  rows: number;
  ms: number;
}

/** Read and validate `file` (already confined); a problem is a non-retryable BadRules naming the rule. */
export function readRulesFile(file: string): RulesRead {
  const started = Date.now();
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw badRules(`rules file ${file}: ${why}; expected a JSON array of {"label", "pattern"}`);
  }
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .map((issue) =>
        typeof issue.path[0] === 'number'
          ? `rule ${issue.path[0]}${issue.path.length > 1 ? ` (${issue.path.slice(1).join('.')})` : ''}: ${issue.message}`
          : issue.message,
      )
      .join('; ');
    throw badRules(`rules file ${file}: ${why}; fix the file and resume the run (wintap-noise resume <workflow id>)`);
  }
  return { rules: parsed.data, output: file, rows: parsed.data.length, ms: Date.now() - started };
}
