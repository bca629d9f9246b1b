/** The files SPEC "Output folder" says a run writes, as the tests expect them (not read from the code under test). */
export const SPEC_OUTPUT_FILES = [
  'process.parquet',
  'process_path.parquet',
  'process_nondud.parquet',
  'agents_platform.parquet',
  'process_denoised.parquet',
  'proportions.json',
  'run.json',
] as const;
