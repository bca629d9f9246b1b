/**
 * Two worker processes on one task queue share a partitioned run; one is killed (SIGKILL) while it
 * holds a partition, the other finishes the run, and the outputs equal an unpartitioned run's.
 * The workers are real child processes (`node --import tsx workers/main.ts`), as in production.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { generate } from '../../generator';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { startTestWorker, testAddress, uniqueTaskQueue } from '../support/temporal';
import { tempDir } from '../support/process-table';
import { assertSameOutputs } from '../support/same-outputs';

const PROJECT = path.resolve(__dirname, '..', '..');
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
let root: string;
let connection: Connection;
let client: Client;
const workers: ChildProcess[] = [];

/** A worker process; resolves once it logs "worker ready". Its identity is Temporal's default, pid@host. */
async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: PROJECT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: testAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WINTAP_NOISE_DATA_ROOTS: root,
      WINTAP_NOISE_OUTPUT_ROOT: path.join(root, 'runs'),
      WINTAP_NOISE_LOG_LEVEL: 'info',
      WINTAP_NOISE_LOG_FORMAT: 'json',
      WINTAP_NOISE_DUCKDB_MEMORY_LIMIT: '1GB',
      WINTAP_NOISE_DUCKDB_THREADS: '1',
      WINTAP_NOISE_WORKER_ACTIVITY_CONCURRENCY: '2',
      ...(process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE
        ? { WINTAP_NOISE_WORKFLOW_BUNDLE: process.env.WINTAP_NOISE_TEST_WORKFLOW_BUNDLE }
        : {}),
    },
  });
  workers.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${child.pid} not ready after 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"worker ready"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

interface Started {
  identity: string;
  attempt: number;
  activityId: string;
  type: string;
}

/** The started events (identity, attempt) of a workflow's completed activities. */
async function startedActivities(handle: WorkflowHandle): Promise<Started[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, { activityId: string; type: string }>();
  const started: Started[] = [];
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), { activityId: s.activityId ?? '', type: s.activityType?.name ?? '' });
    const st = e.activityTaskStartedEventAttributes;
    if (st) started.push({ identity: st.identity ?? '', attempt: st.attempt ?? 1, ...scheduled.get(String(st.scheduledEventId))! });
  }
  return started;
}

before(async () => {
  root = tempDir();
  // ~180 k processes on 9 hosts: enough for each partition's lineage to take a moment.
  await generate({ profile: 'acme4', scale: 0.1, seed: 3, out: path.join(root, 'acme') });
  connection = await Connection.connect({ address: testAddress() });
  client = new Client({ connection });
});

after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await connection?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('two worker processes share a partitioned run; one is SIGKILLed, the other finishes it', { timeout: 240_000 }, async () => {
  const taskQueue = uniqueTaskQueue('two-workers');
  const [victim, survivor] = await Promise.all([startWorkerProcess(taskQueue), startWorkerProcess(taskQueue)]);
  const identityOf = (w: ChildProcess) => `${w.pid}@`;

  const workflowId = `two-workers-${Date.now()}`;
  const handle = await client.workflow.start(platformNoisePipeline, {
    taskQueue,
    workflowId,
    args: [{ input: 'acme', out: path.join(root, 'runs', 'split'), partitions: 8, report: false }],
  });
  const lineageChild = client.workflow.getHandle(`${workflowId}/lineage-0`);

  // Kill the victim once it has finished one partition and has just started another (so that the
  // partition cannot finish in the moment between looking and killing).
  const victimHolds = async () => {
    const description = await lineageChild.describe().catch(() => null);
    if (description && description.status.name !== 'RUNNING') return null;
    return (description?.raw.pendingActivities ?? []).filter(
      (a) => (a.lastWorkerIdentity ?? '').startsWith(identityOf(victim)) && a.state === STARTED,
    );
  };
  let killedWhileHolding: string | null = null;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const done = await startedActivities(lineageChild).catch(() => []);
    const held = await victimHolds();
    if (held === null) break;
    const startedMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    const justStarted = held.some((a) => Date.now() - startedMs(a.lastStartedTime) < 250);
    if (done.some((s) => s.identity.startsWith(identityOf(victim))) && justStarted) {
      victim.kill('SIGKILL');
      await new Promise((resolve) =>
        victim.exitCode !== null || victim.signalCode !== null ? resolve(null) : victim.once('exit', resolve),
      );
      // What the server still counts as held by the dead worker is what it held when it died.
      killedWhileHolding = (await victimHolds())?.[0]?.activityId ?? null;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(killedWhileHolding, 'the victim was killed while it held a partition (it finished one before)');

  const result = await handle.result();
  assert.equal(victim.signalCode, 'SIGKILL');
  assert.equal(survivor.exitCode, null, 'the survivor is still running');

  const started = [
    ...(await startedActivities(lineageChild)),
    ...(await startedActivities(client.workflow.getHandle(`${workflowId}/labels-0`))),
  ];
  const by = (w: ChildProcess) => started.filter((s) => s.identity.startsWith(identityOf(w)));
  assert.ok(by(victim).length > 0, 'the killed worker executed partitions before it died');
  assert.ok(by(survivor).length > 0, 'the surviving worker executed partitions');
  const retried = started.find((s) => s.activityId === killedWhileHolding);
  assert.ok(retried, 'the partition the victim held was completed');
  assert.ok(retried.identity.startsWith(identityOf(survivor)) && retried.attempt > 1, 'by the survivor, on a later attempt');

  // The same data set unpartitioned, on an in-process worker: the same outputs.
  const tw = await startTestWorker(root, { name: 'two-workers-whole' });
  try {
    const whole = await tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: `two-workers-whole-${Date.now()}`,
      args: [{ input: 'acme', out: path.join(root, 'runs', 'whole'), partitions: 1, report: false }],
    });
    await assertSameOutputs(whole.outDir, result.outDir);
  } finally {
    await tw.stop();
  }
});
