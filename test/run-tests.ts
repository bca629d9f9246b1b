/**
 * `npm test`: one Temporal dev server for the whole run (each test uses its own task queue), the
 * workflow code bundled once, then Node's test runner over test/**\/*.test.ts (or the files given).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalServer } from '../temporal/dev-server';

const ROOT = path.resolve(__dirname, '..');

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function main(): Promise<void> {
  const files = process.argv.length > 2 ? process.argv.slice(2) : testFiles(path.join(ROOT, 'test'));
  const artifacts = path.join(ROOT, 'test-artifacts');
  fs.mkdirSync(artifacts, { recursive: true });

  process.stderr.write('starting a Temporal dev server for the test run ...\n');
  // A database of this run's own: concurrent runs on one machine must not share SQLite state.
  const dbFilename = path.join(artifacts, `temporal-test-${process.pid}.db`);
  const server = await startLocalServer({ dbFilename });
  process.stderr.write(`Temporal dev server at ${server.address}, Web UI ${server.uiUrl}\n`);
  const bundlePath = path.join(artifacts, `workflow-bundle-${process.pid}.js`);
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: undefined });
  fs.writeFileSync(bundlePath, code);

  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files], {
    stdio: 'inherit',
    cwd: ROOT,
    env: {
      ...process.env,
      WINTAP_NOISE_TEST_TEMPORAL_ADDRESS: server.address,
      WINTAP_NOISE_TEST_TEMPORAL_UI: server.uiUrl ?? '',
      WINTAP_NOISE_TEST_WORKFLOW_BUNDLE: bundlePath,
    },
  });
  const code_ = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  await server.stop();
  for (const file of [dbFilename, `${dbFilename}-wal`, `${dbFilename}-shm`, bundlePath]) fs.rmSync(file, { force: true });
  process.exit(code_);
}

main().catch((err) => {
  process.stderr.write(`test run could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
