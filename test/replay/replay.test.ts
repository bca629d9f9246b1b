/**
 * Determinism guard: histories recorded from real runs (test/replay/histories, re-recorded with
 * `npm run record-replay-histories`) replay against the current workflow code. A change that alters
 * the commands the workflow issues for the same history (reordering steps, adding an activity without
 * `patched()`) throws DeterminismViolationError here instead of breaking open runs in production.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { historyFromFile } from './history-json';
import { parseSettings } from '../../config/settings';
import { createLogger } from '../../config/logger';
import { installRuntime } from '../../workers/runtime';

// The replay worker's own state changes at warn level and above only.
installRuntime(createLogger(parseSettings({ WINTAP_NOISE_LOG_LEVEL: 'warn', WINTAP_NOISE_LOG_FORMAT: 'json' }), 'replay'));

const HISTORIES = path.join(__dirname, 'histories');
const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

const workflowCode = () =>
  process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE
    ? { workflowBundle: { codePath: process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE } }
    : { workflowsPath: require.resolve('../../workflows') };

test('there are recorded histories to replay', () => {
  assert.deepEqual(files.sort(), ['default-rules.json', 'rules-file.json', 'scheduled.json']);
});

for (const file of files) {
  test(`the recorded ${file.replace(/\.json$/, '')} run replays deterministically`, async () => {
    const history = historyFromFile(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'))) as temporal.api.history.v1.IHistory;
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    assert.equal(started?.workflowType?.name, 'platformNoisePipeline');
    const activities = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    assert.ok(activities >= 10, `a complete run (${activities} activities)`);
    await Worker.runReplayHistory(workflowCode(), history, `replay-${file}`);
  });
}
