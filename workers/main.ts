/**
 * `npm run worker`: a pipeline worker on the configured task queue. The Runtime's default shutdown
 * signals (SIGINT, SIGTERM) stop it cleanly: running activities finish or are cancelled, then exit.
 */
import { loadSettings } from '../config/settings';
import { createLogger } from '../config/logger';
import { installRuntime } from './runtime';
import { createPipelineWorker } from './pipeline-worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  const log = createLogger(settings, 'wintap-noise-worker');
  installRuntime(log);
  const address = settings.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const worker = await createPipelineWorker({ settings, log, address });
  await worker.run();
  log.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`wintap-noise worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
