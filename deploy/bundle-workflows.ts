/**
 * `npm run bundle [-- <file>]`: write the workflow code as one pre-built bundle (default
 * dist/workflow-bundle.js). A worker started with WINTAP_NOISE_WORKFLOW_BUNDLE=<file> loads it instead
 * of running webpack at start-up (~5 s and a few hundred MB per worker), which is what the Docker image
 * does. Rebuild it whenever workflows/ changes: a worker whose bundle differs from the other workers'
 * code can fail replays of their runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, target);
  process.stdout.write(`workflow bundle written to ${target} (${(code.length / 2 ** 20).toFixed(1)} MiB)\n`);
}

main().catch((err) => {
  process.stderr.write(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
