/**
 * Confinement of file access: every input and output path must resolve, after symlinks, inside one of
 * the worker's data roots. Anyone who can start a workflow can hand it any path; this is the check
 * that keeps the worker from reading or writing elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';

export const PATH_OUTSIDE_ROOTS = 'PathOutsideDataRoots';

/**
 * Real path of `p`; for a path that does not exist yet, the real path of its nearest existing ancestor
 * plus the rest. A dangling symlink is followed to where it points (writing through it would create
 * its target), so a link to a not-yet-existing folder outside the roots is caught too.
 */
export function realPathAllowingMissing(p: string): string {
  let absolute = path.resolve(p);
  for (let hops = 0; ; hops++) {
    const missing: string[] = [];
    let current = absolute;
    let dangling: string;
    for (;;) {
      try {
        const real = fs.realpathSync(current);
        return path.join(real, ...missing.reverse());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (isSymlink(current)) {
          dangling = current;
          break;
        }
        const parent = path.dirname(current);
        if (parent === current) return absolute;
        missing.push(path.basename(current));
        current = parent;
      }
    }
    if (hops >= 40) throw ApplicationFailure.nonRetryable(`path ${p} has too many levels of symbolic links`, PATH_OUTSIDE_ROOTS);
    absolute = path.join(path.resolve(path.dirname(dangling), fs.readlinkSync(dangling)), ...missing.reverse());
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real roots (symlinks resolved), created when missing so DuckDB can be pointed at them. */
export function realRoots(roots: string[]): string[] {
  return roots.map((root) => {
    fs.mkdirSync(root, { recursive: true });
    return fs.realpathSync(root);
  });
}

/**
 * Resolve a user-supplied path and refuse it unless it lies inside a data root.
 * `what` names the path in the error ("input", "output folder", "rules file").
 */
export function confine(roots: string[], userPath: string, what: string): string {
  if (typeof userPath !== 'string' || userPath.length === 0 || userPath.includes('\0')) {
    throw ApplicationFailure.nonRetryable(`${what} path is empty or invalid`, PATH_OUTSIDE_ROOTS);
  }
  const real = realPathAllowingMissing(userPath);
  if (!roots.some((root) => isInside(root, real))) {
    throw ApplicationFailure.nonRetryable(
      `${what} ${JSON.stringify(userPath)} resolves to ${real}, outside the data roots (${roots.join(', ')}); ` +
        'move the data under a root or add its folder to WINTAP_NOISE_DATA_ROOTS',
      PATH_OUTSIDE_ROOTS,
    );
  }
  return real;
}
