/**
 * `npm run worker`: a pipeline worker on the configured task queue. The Runtime's default shutdown
 * signals (SIGINT, SIGTERM) stop it cleanly: running activities finish or are cancelled, then exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../config/settings';
import { createLogger } from '../config/logger';
import { installRuntime } from './runtime';
import { createPipelineWorker } from './pipeline-worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings, 'wintap-noise-worker');
  installRuntime(log);
  const address = settings.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const bundle = settings.WINTAP_NOISE_WORKFLOW_BUNDLE;
  if (bundle !== undefined && !fs.existsSync(bundle)) {
    throw new Error(`WINTAP_NOISE_WORKFLOW_BUNDLE=${bundle} does not exist: build it with \`npm run bundle -- ${bundle}\` or unset it`);
  }
  const worker = await createPipelineWorker({ settings, log, address, workflowBundlePath: bundle && path.resolve(bundle) });
  await worker.run();
  log.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`wintap-noise worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
