/**
 * The output-folder lock: two runs writing into one output folder would interleave their published
 * files (process.parquet of one run, proportions.json of the other), so a run holds `<out>/.lock`
 * from `locate` until it ends.
 *
 * The lock file names its holder (workflow id and run id). It is created complete and atomically:
 * written under a temporary name, then hard-linked to `.lock`, which fails when the lock exists
 * (the O_EXCL guarantee, without ever exposing a half-written lock file).
 *
 * Stale locks. An activity cannot ask Temporal whether the holder is still running, so the rule is by
 * workflow id: the SAME workflow id may always re-take the lock (an activity retry, a resumed or
 * re-started run of the same data set and output folder: the CLI derives the id from both). A lock
 * held by ANOTHER workflow id fails non-retryably with type `OutputLocked`, naming the holder; if that
 * holder is no longer running (see it in the Web UI), delete `<out>/.lock` by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { temporaryPath } from './checkpoints';

export const OUTPUT_LOCKED = 'OutputLocked';
export const LOCK_FILE = '.lock';

export const lockHolderSchema = z.object({
  workflowId: z.string().min(1),
  runId: z.string(),
  host: z.string(),
  pid: z.number().int(),
  acquiredAt: z.string(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export interface LockOwner {
  workflowId: string;
  runId: string;
}

export function lockPath(outDir: string): string {
  return path.join(outDir, LOCK_FILE);
}

/** The current holder, or null when there is no lock. An unreadable lock file is reported as held by "unknown". */
export function readLock(outDir: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(outDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: unknown = null;
  try {
    raw = JSON.parse(text);
  } catch {
    // fall through: an unparseable lock is still a lock, never silently taken over
  }
  const parsed = lockHolderSchema.safeParse(raw);
  return parsed.success ? parsed.data : { workflowId: 'unknown', runId: '', host: '', pid: 0, acquiredAt: '' };
}

function holderOf(owner: LockOwner): LockHolder {
  return { ...owner, host: os.hostname(), pid: process.pid, acquiredAt: new Date().toISOString() };
}

/** Write the lock complete under a temporary name, then link it into place; false when a lock exists. */
function createLock(outDir: string, holder: LockHolder, replace: boolean): boolean {
  const target = lockPath(outDir);
  const tmp = temporaryPath(target);
  fs.writeFileSync(tmp, JSON.stringify(holder, null, 2) + '\n');
  try {
    if (replace) {
      fs.renameSync(tmp, target);
      return true;
    }
    fs.linkSync(tmp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function lockedFailure(outDir: string, holder: LockHolder): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `output folder ${outDir} is in use by workflow ${holder.workflowId} (run ${holder.runId || '?'}, ` +
      `since ${holder.acquiredAt || '?'} on ${holder.host || '?'}): wait for it to finish, choose another --out, ` +
      `or, if that workflow is no longer running, delete ${lockPath(outDir)}`,
    OUTPUT_LOCKED,
  );
}

/**
 * Take (or keep) the lock on `outDir` for `owner`. Idempotent: safe to call from every step that
 * publishes outputs. Throws a non-retryable OutputLocked failure when another workflow holds it.
 */
export function acquireOutput(outDir: string, owner: LockOwner): LockHolder {
  fs.mkdirSync(outDir, { recursive: true });
  const mine = holderOf(owner);
  // Two rounds: a lock released between our failed create and our read is retried once.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createLock(outDir, mine, false)) return mine;
    const holder = readLock(outDir);
    if (holder === null) continue;
    if (holder.workflowId !== owner.workflowId) throw lockedFailure(outDir, holder);
    if (holder.runId === owner.runId) return holder;
    // Same workflow id, another run (a re-start or resume after a crash): take it over.
    createLock(outDir, mine, true);
    return mine;
  }
  const holder = readLock(outDir);
  throw lockedFailure(outDir, holder ?? { workflowId: 'unknown', runId: '', host: '', pid: 0, acquiredAt: '' });
}

/** Release the lock if `owner`'s workflow holds it; a lock of another workflow is left alone. */
export function releaseOutput(outDir: string, owner: LockOwner): boolean {
  const holder = readLock(outDir);
  if (holder === null || holder.workflowId !== owner.workflowId) return false;
  fs.rmSync(lockPath(outDir), { force: true });
  return true;
}
