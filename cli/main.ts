/** The `wintap-noise` command line. Each command lives in its own file. */
import { Command } from 'commander';
import { registerRun } from './run';
import { registerReport } from './report';
import { registerResume } from './resume';
import { registerStatus } from './status';
import { registerSchedule } from './schedule';
import { registerGenerate } from './generate';

const program = new Command();
program
  .name('wintap-noise')
  .description("Separate the Wintap and AWS SSM agents' own processes (computational noise) from real activity in Wintap data")
  .showHelpAfterError();

registerRun(program);
registerReport(program);
registerResume(program);
registerStatus(program);
registerSchedule(program);
registerGenerate(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`wintap-noise: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
