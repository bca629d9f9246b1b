/**
 * The pipeline's one input object, validated inside the workflow with zod. Every field has a default,
 * so `{}` pasted into the Web UI's Start Workflow form runs the built-in sample data set.
 * Imported by the workflow bundle: nothing here may touch Node APIs.
 */
import { z } from 'zod';

export const ruleSchema = z.object({
  label: z
    .string()
    .min(1, 'label must not be empty')
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'label may hold only letters, digits, "_", "." and "-"'),
  pattern: z.string().min(1, 'pattern must not be empty').max(1000),
});
export type Rule = z.infer<typeof ruleSchema>;

export const DEFAULT_RULES: Rule[] = [
  { label: 'wintap', pattern: 'wintap' },
  { label: 'aws', pattern: 'ssm-' },
];

/** A rule list: the shape of a rules file and of the `rules` input field. */
export const rulesSchema = z
  .array(ruleSchema)
  .min(1, 'at least one rule is needed')
  .max(64)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.label)) ctx.addIssue({ code: 'custom', path: [i, 'label'], message: `label "${rule.label}" is used by two rules` });
      seen.add(rule.label);
    });
  });

/** The sample data set's name: `input: "sample"` runs on it, generated on first use. */
export const SAMPLE_INPUT = 'sample';

export const pipelineInputSchema = z
  .object({
    /** A Wintap data set: a process.parquet, a folder holding one, or a rolling/raw_sensor root. Relative paths are under the first data root. */
    input: z.string().min(1).default(SAMPLE_INPUT),
    /** Output folder. Default: <output root>/<data set name>. Relative paths are under the output root. */
    out: z.string().min(1).optional(),
    /** Name shown in the Web UI's list (search attribute WintapDataset). Default: the input's folder name. */
    dataset: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'dataset may hold only letters, digits, "_", ".", ":" and "-"')
      .optional(),
    /** Labelling rules, inline. Neither this nor rulesFile: the defaults (DEFAULT_RULES). */
    rules: rulesSchema.optional(),
    /**
     * A JSON rules file (same shape as `rules`), relative to the first data root or absolute inside one.
     * It is read when labelling starts, not at submission, so a run that failed on a bad rule is fixed by
     * editing the file and resuming: the finished steps before labelling are reused.
     */
    rulesFile: z.string().min(1).max(4096).optional(),
    /** Split lineage and labelling by host into this many partitions (1: no split). */
    partitions: z.number().int().min(1).max(256).default(1),
    /** Write report.html into the output folder. */
    report: z.boolean().default(true),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.rules !== undefined && input.rulesFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rulesFile'], message: 'give either rules or rulesFile, not both' });
    }
  });

export type PipelineInput = z.input<typeof pipelineInputSchema>;
export type PipelineParams = z.output<typeof pipelineInputSchema>;

/** Validate, returning either the params or one message naming every bad field. */
export function parsePipelineInput(raw: unknown): { ok: true; params: PipelineParams } | { ok: false; message: string } {
  const result = pipelineInputSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, params: result.data };
  const message = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, message: `invalid pipeline input: ${message}` };
}

/** A data set's name from its path: the input folder's name (its parent's for a bare process.parquet). */
export function datasetName(input: string): string {
  const parts = input.split(/[\\/]+/).filter(Boolean);
  let base = parts.at(-1) ?? 'dataset';
  if (base === 'process.parquet' && parts.length > 1) base = parts.at(-2)!;
  return base.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'dataset';
}
