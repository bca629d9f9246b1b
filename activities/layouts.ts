/**
 * The three Wintap input layouts (SPEC "Inputs"): how each is recognised from the path given, which
 * files belong to it, and the columns each must have. The column contract of a layout is a zod schema
 * over the input's `column -> DuckDB type` map, so a missing or mistyped column fails with its name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const layoutNames = ['stdview', 'rolling', 'raw_sensor'] as const;
export type LayoutName = (typeof layoutNames)[number];

const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is missing' : `has type ${String(issue.input)}; expected ${expected}`;
const text = z.literal('VARCHAR', { error: typeError('VARCHAR') });
const integer = z
  .string({ error: typeError('an integer') })
  .regex(/^U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?$/, { error: typeError('an integer') });

/** stdview and rolling: Wintap's `process` table, snake_case. */
export const processTableColumns = z.looseObject({
  pid_hash: text,
  parent_pid_hash: text,
  process_name: text,
  hostname: text,
});

/**
 * raw_sensor: the agent's own events, PascalCase. Stop files of older agents have no ProcessName and
 * a NULL ParentPidHash, so those two may be absent from the union of files (they become NULL).
 */
export const rawProcessColumns = z.looseObject({
  PidHash: text,
  ParentPidHash: text.optional(),
  ProcessName: text.optional(),
  Hostname: text,
  ActivityType: text,
  EventTime: integer,
});

export interface DetectedInput {
  layout: LayoutName;
  /** The folder or file given, resolved. */
  root: string;
  /** Every parquet file of the input, sorted. */
  files: string[];
}

export class InputLayoutError extends Error {
  override name = 'InputLayoutError';
}

function parquetFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.parquet')) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

/** Recognise the layout at `input` (SPEC order: a process.parquet, rolling/, raw_sensor/). */
export function detectLayout(input: string): DetectedInput {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch {
    throw new InputLayoutError(
      `input ${input} does not exist; check the path (a process.parquet, a folder holding one, or a rolling/raw_sensor root)`,
    );
  }
  if (stat.isFile()) return { layout: 'stdview', root: input, files: [input] };
  if (!stat.isDirectory()) throw new InputLayoutError(`input ${input} is neither a file nor a folder`);

  const stdview = path.join(input, 'process.parquet');
  if (fs.existsSync(stdview)) return { layout: 'stdview', root: input, files: [stdview] };

  const candidates: Array<[LayoutName, string]> = [
    ['rolling', path.join(input, 'rolling', 'process')],
    ['raw_sensor', path.join(input, 'raw_sensor', 'raw_process')],
  ];
  // Also accept the layout folder itself (…/rolling/process or …/raw_sensor/raw_process).
  if (path.basename(input) === 'process' && path.basename(path.dirname(input)) === 'rolling') candidates.push(['rolling', input]);
  if (path.basename(input) === 'raw_process' && path.basename(path.dirname(input)) === 'raw_sensor') candidates.push(['raw_sensor', input]);

  for (const [layout, dir] of candidates) {
    if (!fs.existsSync(dir)) continue;
    const files = parquetFilesUnder(dir).filter((f) => /(^|\/)dayPK=\d{8}\//.test(path.relative(input, f)) || /dayPK=\d{8}/.test(f));
    if (files.length === 0) {
      throw new InputLayoutError(
        `input ${input} has a ${path.relative(input, dir) || dir} folder but no parquet files under dayPK=YYYYMMDD/` +
          (layout === 'raw_sensor' ? 'hourPK=HH/' : ''),
      );
    }
    return { layout, root: input, files };
  }
  throw new InputLayoutError(
    `no Wintap process data found at ${input}: expected a process.parquet file, a folder holding one, ` +
      'rolling/process/dayPK=YYYYMMDD/*.parquet or raw_sensor/raw_process/dayPK=YYYYMMDD/hourPK=HH/*.parquet',
  );
}

/** Check a layout's column contract; returns the problems, one line per column. */
export function columnProblems(layout: LayoutName, columns: Record<string, string>): string[] {
  const schema = layout === 'raw_sensor' ? rawProcessColumns : processTableColumns;
  const result = schema.safeParse(columns);
  if (result.success) return [];
  return result.error.issues.map((issue) => `column ${issue.path.join('.')} ${issue.message}`);
}
