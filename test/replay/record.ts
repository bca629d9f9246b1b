/**
 * Re-record the replay fixtures: `npm run record-replay-histories` (after an intended, versioned
 * change to the workflow). Runs the pipeline for real on a throwaway dev server and the lab data set,
 * once per code path the workflow has (default rules, a rules file, a scheduled run), and writes each
 * run's event history to test/replay/histories/<name>.json. replay.test.ts replays them against the
 * current workflow code, so an unversioned, non-deterministic change fails CI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import prettier from 'prettier';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { parseSettings } from '../../config/settings';
import { createLogger } from '../../config/logger';
import { startLocalServer } from '../../temporal/dev-server';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { installRuntime } from '../../workers/runtime';
import { createSchedule, triggerSchedule } from '../../cli/schedule';
import { tempDir } from '../support/process-table';
import { writeLab } from '../workflows/lab';

const HISTORIES = path.join(__dirname, 'histories');
const TASK_QUEUE = 'replay-record';

async function main(): Promise<void> {
  const root = tempDir('wintap-noise-replay-');
  // The Runtime (our logger) must be installed before the dev server's client instantiates the default one.
  installRuntime(createLogger(parseSettings({ WINTAP_NOISE_LOG_LEVEL: 'warn', WINTAP_NOISE_LOG_FORMAT: 'json' }), 'replay-record'));
  const server = await startLocalServer({ uiPort: null });
  const cli = server.cli?.path;
  if (!cli) throw new Error('no Temporal CLI binary found (run `npm run temporal:install` or set TEMPORAL_CLI_PATH)');
  const settings = parseSettings({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    WINTAP_NOISE_DATA_ROOTS: root,
    WINTAP_NOISE_OUTPUT_ROOT: path.join(root, 'runs'),
    WINTAP_NOISE_LOG_LEVEL: 'warn',
    WINTAP_NOISE_LOG_FORMAT: 'json',
    WINTAP_NOISE_DUCKDB_MEMORY_LIMIT: '1GB',
  });
  const log = createLogger(settings, 'replay-record');
  const worker = await createPipelineWorker({ settings, log, address: server.address, taskQueue: TASK_QUEUE });
  const running = worker.run();
  const client = server.env.client;
  try {
    await writeLab(root);
    fs.writeFileSync(path.join(root, 'rules.json'), JSON.stringify([{ label: 'wintap', pattern: 'wintap' }]));
    const runs: Record<string, string> = {};

    runs['default-rules'] = 'replay-default-rules';
    await client.workflow.execute(platformNoisePipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: runs['default-rules'],
      args: [{ input: 'lab', out: 'default-rules' }],
    });
    runs['rules-file'] = 'replay-rules-file';
    await client.workflow.execute(platformNoisePipeline, {
      taskQueue: TASK_QUEUE,
      workflowId: runs['rules-file'],
      args: [{ input: 'lab', out: 'rules-file', rulesFile: 'rules.json' }],
    });
    const session = { client, taskQueue: TASK_QUEUE, uiUrl: null, embedded: false, startWorker: async () => {}, close: async () => {} };
    const schedule = await createSchedule(session, { id: 'replay-scheduled', cron: '0 0 1 1 *', input: JSON.stringify({ input: 'lab' }) });
    runs.scheduled = await triggerSchedule(client, 'replay-scheduled');
    await client.workflow.getHandle(runs.scheduled).result();
    await schedule.delete();

    fs.mkdirSync(HISTORIES, { recursive: true });
    for (const [name, workflowId] of Object.entries(runs)) {
      // The Temporal CLI's JSON is the format the Web UI downloads and historyFromJSON reads.
      const json = execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const history = JSON.parse(json) as { events: unknown[] };
      const file = path.join(HISTORIES, `${name}.json`);
      // Formatted as `npm run lint` (prettier --check .) expects.
      const options = { ...(await prettier.resolveConfig(file)), filepath: file };
      fs.writeFileSync(file, await prettier.format(JSON.stringify(history), options));
      process.stdout.write(`recorded ${history.events.length} events of ${workflowId} to ${path.relative(process.cwd(), file)}\n`);
    }
  } finally {
    worker.worker.shutdown();
    await running;
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`record-replay-histories: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
