/**
 * The built-in sample data set (`npm start` with no input): the small profile, seed 1, stdview.
 * Several workers may ask for it at once, so it is generated in a private folder beside the target
 * and moved in with one rename: a reader sees either no file or the whole file, never half of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate } from './index';

export async function ensureSample(dir: string): Promise<void> {
  const target = path.join(dir, 'process.parquet');
  if (fs.existsSync(target)) return;
  const resolved = path.resolve(dir);
  fs.mkdirSync(resolved, { recursive: true });
  const temp = fs.mkdtempSync(path.join(path.dirname(resolved), `.${path.basename(resolved)}-sample-`));
  try {
    await generate({ profile: 'small', scale: 1, seed: 1, out: temp, layout: 'stdview' });
    // Same seed, same bytes: if another caller got there first, replacing its file changes nothing.
    fs.renameSync(path.join(temp, 'process.parquet'), target);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
