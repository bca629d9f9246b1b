/**
 * What the publishing steps (persist, proportions, report) last wrote into the output folder, and from
 * which inputs. A published file whose record names the same input key, and whose size and modification
 * time are still the recorded ones, is current: an identical re-run leaves it alone and reports the step
 * `reused`. Anything else (file missing, replaced, or edited by hand) is written again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { checkpointDir, writeFileAtomic } from './checkpoints';

const recordSchema = z.object({ key: z.string(), bytes: z.number(), mtimeMs: z.number() });

function recordPath(outDir: string, name: string): string {
  return path.join(checkpointDir(outDir), 'published', `${name}.json`);
}

/** Whether `<outDir>/<name>` is the file published from inputs `key` and unchanged since. */
export function isPublished(outDir: string, name: string, key: string): boolean {
  try {
    const record = recordSchema.parse(JSON.parse(fs.readFileSync(recordPath(outDir, name), 'utf8')));
    const st = fs.statSync(path.join(outDir, name));
    return record.key === key && record.bytes === st.size && record.mtimeMs === st.mtimeMs;
  } catch {
    return false;
  }
}

/** Note that `<outDir>/<name>` was just published from inputs `key`. */
export function recordPublished(outDir: string, name: string, key: string): void {
  const st = fs.statSync(path.join(outDir, name));
  writeFileAtomic(recordPath(outDir, name), JSON.stringify({ key, bytes: st.size, mtimeMs: st.mtimeMs }));
}

/** The input keys of everything published in `outDir`, by file name (what a report is built from). */
export function publishedKeys(outDir: string): Record<string, string | null> {
  const dir = path.join(checkpointDir(outDir), 'published');
  const keys: Record<string, string | null> = {};
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    if (!file.endsWith('.json') || file === 'report.html.json') continue;
    try {
      keys[file.slice(0, -'.json'.length)] = recordSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))).key;
    } catch {
      keys[file] = null;
    }
  }
  return keys;
}
