/**
 * `wintap-noise generate`: write an ACME4-shaped Wintap data set to a folder, in any input layout.
 * Bad options stop with one line and exit code 2; progress goes to stderr (a bar on a terminal,
 * a line every few seconds otherwise) and the summary to stdout.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { generate, layoutTarget, outputLayouts, profileNames } from '../generator';

const generateCliSchema = z.object({
  profile: z.enum(profileNames),
  scale: z.coerce.number().positive().max(1000),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  out: z.string({ error: 'required (the folder to write into)' }).min(1),
  layout: z.enum(outputLayouts),
});
type GenerateCliOptions = z.infer<typeof generateCliSchema>;

function fail(message: string): never {
  process.stderr.write(`wintap-noise generate: ${message}\n`);
  process.exit(2);
}

function parseOptions(raw: Record<string, unknown>): GenerateCliOptions {
  const result = generateCliSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue.path[0] ?? 'options');
  fail(`--${name}: ${issue.message}${raw[name] === undefined ? '' : ` (got ${JSON.stringify(raw[name])})`}`);
}

/** A progress reporter: redraws one line on a terminal, prints a plain line every 5 s otherwise. */
function progressReporter(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  const started = Date.now();
  let lastLine = 0;
  return (done, total) => {
    const fraction = total > 0 ? done / total : 1;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${seconds}s`);
      if (done >= total) stream.write('\n');
    } else if (Date.now() - lastLine >= 5000 || done >= total) {
      lastLine = Date.now();
      stream.write(`generate: ${Math.round(fraction * 100)}% (${done}/${total} steps, ${seconds}s)\n`);
    }
  };
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write an ACME4-shaped Wintap process data set (Wintap and SSM agent noise included)')
    .option('--profile <profile>', `data shape: ${profileNames.join(' | ')}`, 'acme4')
    .option('--scale <scale>', 'volume multiplier; acme4 at 1 is ~1.77 M processes on 30 hosts', '1')
    .option('--seed <seed>', 'random seed; the same seed gives the same data', '1')
    .option('--out <dir>', 'output folder')
    .option('--layout <layout>', `input layout to write: ${outputLayouts.join(' | ')}`, 'stdview')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(raw);
      const result = await generate({ ...options, onProgress: progressReporter(process.stderr) });
      const target = layoutTarget(path.resolve(options.out), options.layout);
      process.stdout.write(
        `generated ${result.processes.toLocaleString('en-US')} processes on ${result.hosts} hosts ` +
          `(${options.profile}, scale ${options.scale}, seed ${options.seed}) in ${(result.ms / 1000).toFixed(1)} s: ` +
          `${options.layout}, ${result.files} file${result.files === 1 ? '' : 's'} at ${target}\n`,
      );
    });
}
