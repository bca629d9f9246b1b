/**
 * Where the Temporal CLI (the dev server) comes from, in this order:
 *   1. TEMPORAL_CLI_PATH;
 *   2. the project-local install, .tools/bin/temporal (`npm run temporal:install`);
 *   3. `temporal` on PATH;
 *   4. none: the caller falls back to the SDK's own download (needs internet).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/settings';

export const PROJECT_LOCAL_CLI = path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal');

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface ResolvedCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'project' | 'PATH';
}

export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): ResolvedCli | null {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  if (isExecutable(PROJECT_LOCAL_CLI)) return { path: PROJECT_LOCAL_CLI, source: 'project' };
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  return null;
}
