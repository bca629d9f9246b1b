/**
 * Every setting the tool reads from the environment, in one zod schema.
 * `.env` is loaded first (dotenv), real environment variables win over it.
 * A bad value stops the program with one message that lists every bad variable (exit 2).
 */
import path from 'node:path';
import { z } from 'zod';
import dotenv from 'dotenv';

/** The project folder: defaults (data roots, sample data, local Temporal CLI) live under it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
const sizeLimit = z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$/i, 'expected a size such as 8GB or 75%');
const positiveInt = z.coerce.number().int().positive();

export const settingsSchema = z.object({
  /** host:port of the Temporal frontend. Unset: the CLI starts an embedded dev server and worker. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('wintap-noise'),
  /** Web UI base URL, printed next to runs so a person can open them. */
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  /** An explicit Temporal CLI binary; first in the resolution order (see README). */
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** Folders the worker may read inputs from and write outputs to, separated by the path delimiter (':'). */
  WINTAP_NOISE_DATA_ROOTS: z.string().min(1).default(path.join(PROJECT_ROOT, 'data')),
  /** Where runs write when no --out is given. */
  WINTAP_NOISE_OUTPUT_ROOT: z
    .string()
    .min(1)
    .default(path.join(PROJECT_ROOT, 'data', 'runs')),
  WINTAP_NOISE_LOG_LEVEL: logLevel.default('info'),
  /** json: one JSON object per line; pretty: readable; auto: pretty on a terminal, JSON otherwise. */
  WINTAP_NOISE_LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  /** DuckDB memory_limit per worker; beyond it large inputs spill to the temp directory. */
  WINTAP_NOISE_DUCKDB_MEMORY_LIMIT: sizeLimit.default('75%'),
  WINTAP_NOISE_DUCKDB_THREADS: positiveInt.optional(),
  /** Spill folder for DuckDB; defaults to <first data root>/.duckdb-tmp. */
  WINTAP_NOISE_DUCKDB_TEMP_DIR: z.string().min(1).optional(),
  /** How many activities one worker runs at once. DuckDB steps use every core, so keep it small. */
  WINTAP_NOISE_WORKER_ACTIVITY_CONCURRENCY: positiveInt.default(4),
  /** A workflow bundle written by `npm run bundle` (the Docker image's); unset: bundle at start-up. */
  WINTAP_NOISE_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Fault injection for tests and drills, honoured only when set: `<step>:<n>` makes the first n
   * attempts of that step fail with a retryable error (e.g. `lineage:1`).
   */
  WINTAP_NOISE_FAULT_INJECTION: z
    .string()
    .regex(/^[a-z_]+:\d+(,[a-z_]+:\d+)*$/, 'expected step:count[,step:count], e.g. lineage:1')
    .optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Parse settings from an environment object; throws SettingsError naming every bad variable. */
export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const cleaned = Object.fromEntries(Object.keys(settingsSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const result = settingsSchema.safeParse(cleaned);
  if (!result.success) {
    throw new SettingsError(
      result.error.issues.map((issue) => `${issue.path.join('.')}=${JSON.stringify(cleaned[String(issue.path[0])])}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Load `.env` (without overriding real variables) and parse; on error print it and exit 2. */
export function loadSettings(): Settings {
  dotenv.config({ path: path.join(process.cwd(), '.env'), quiet: true });
  try {
    return parseSettings(process.env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`wintap-noise: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** The data roots as absolute paths. */
export function dataRoots(settings: Settings): string[] {
  return settings.WINTAP_NOISE_DATA_ROOTS.split(path.delimiter)
    .filter((p) => p.length > 0)
    .map((p) => path.resolve(p));
}
