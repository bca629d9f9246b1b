/** One workflow id per data set and output folder: a second start attaches instead of racing. */
import crypto from 'node:crypto';

export function pipelineWorkflowId(dataset: string, input: string, outDir: string | undefined): string {
  const digest = crypto
    .createHash('sha256')
    .update(`${input}\0${outDir ?? ''}`)
    .digest('hex')
    .slice(0, 10);
  return `wintap-noise-${dataset}-${digest}`;
}
