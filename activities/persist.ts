/**
 * Step 7, persist: publish the checkpoints under the SPEC's names in the output folder. Each file is
 * copied to a temporary name and renamed, so a reader never sees a half-written output, and a
 * failure part-way leaves every earlier output whole.
 */
import path from 'node:path';
import { copyFileAtomic } from './checkpoints';
import { isPublished, recordPublished } from './publication';
import type { StepResult } from './step';

/** The published file for each step's checkpoint (SPEC "Output folder"). */
export const PUBLISHED_NAMES = {
  ingest: 'process.parquet',
  lineage: 'process_path.parquet',
  duds: 'process_nondud.parquet',
  union: 'agents_platform.parquet',
  denoise: 'process_denoised.parquet',
} as const;

export type PublishedStep = keyof typeof PUBLISHED_NAMES;

export interface PersistRequest {
  outDir: string;
  steps: Record<PublishedStep, StepResult>;
}

export interface PersistResult {
  files: Record<string, string>;
  /** `reused` when every file was already published from the same checkpoints. */
  status: 'computed' | 'reused';
  ms: number;
}

export function persist(request: PersistRequest): PersistResult {
  const started = Date.now();
  const files: Record<string, string> = {};
  let copied = 0;
  for (const [step, name] of Object.entries(PUBLISHED_NAMES) as Array<[PublishedStep, string]>) {
    const target = path.join(request.outDir, name);
    const key = request.steps[step].key;
    if (!isPublished(request.outDir, name, key)) {
      copyFileAtomic(request.steps[step].output, target);
      recordPublished(request.outDir, name, key);
      copied++;
    }
    files[name] = target;
  }
  return { files, status: copied === 0 ? 'reused' : 'computed', ms: Date.now() - started };
}
