/** The generator's input, validated once at the edge; the rest of the generator trusts it. */
import { z } from 'zod';

export const profileNames = ['acme4', 'small'] as const;
export const outputLayouts = ['stdview', 'rolling', 'raw_sensor'] as const;

export const generateOptionsSchema = z.object({
  /** acme4: the published ACME4 shape (1.77 M processes at scale 1); small: a few thousand, for demos and tests. */
  profile: z.enum(profileNames).default('acme4'),
  /** Multiplies the volume: more hosts and a longer capture window (both grow with √scale). */
  scale: z.number().positive().max(1000).default(1),
  /** Same seed, same data: every random choice is a hash of the seed and the record's identity. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  out: z.string().min(1),
  layout: z.enum(outputLayouts).default('stdview'),
  onProgress: z.custom<(done: number, total: number) => void>((v) => typeof v === 'function').optional(),
});

/** What callers pass (defaults optional). */
export type GenerateOptionsInput = z.input<typeof generateOptionsSchema>;
/** What the generator works with (defaults filled in). */
export type GenerateOptions = z.infer<typeof generateOptionsSchema>;
export type ProfileName = GenerateOptions['profile'];
export type OutputLayout = GenerateOptions['layout'];

/** What a generation produced: counts for the summary line and the caller's checks. */
export interface GenerateResult {
  /** Distinct processes (one stdview row each). */
  processes: number;
  hosts: number;
  /** Parquet files written for the chosen layout. */
  files: number;
  ms: number;
}
