/**
 * Issue 7, concurrency: one run at a time per output folder (activities/output-lock.ts). On the lock
 * functions, then on the real server: a second workflow into a folder in use fails with OutputLocked
 * naming the holder, the lock is released when a run ends, a stale lock of the same workflow id is
 * taken over, and two runs on different data sets at once do not interfere.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { acquireOutput, lockPath, readLock, releaseOutput } from '../../activities/output-lock';
import { realRoots } from '../../activities/data-roots';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { tempDir, writeProcessTable, type TestProcess } from '../support/process-table';
import { startTestWorker, type TestWorker } from '../support/temporal';

let root: string;
let tw: TestWorker;

const LAB: TestProcess[] = [
  { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
  { id: 'wt', name: 'wintap.exe', parent: 'nt' },
  { id: 'mh', name: 'mergehelper.exe', parent: 'wt' },
];

before(async () => {
  [root] = realRoots([tempDir('wintap-noise-lock-')]);
  await writeProcessTable(path.join(root, 'lab'), LAB);
  await writeProcessTable(path.join(root, 'lab2'), [...LAB, { id: 'ssm', name: 'amazon-ssm-agent.exe', parent: 'nt' }]);
  // persist fails three times (retried after 1, 2 and 4 s), so every run holds its lock for several seconds.
  tw = await startTestWorker(root, { name: 'output-lock', env: { WINTAP_NOISE_FAULT_INJECTION: 'persist:3' } });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const isLocked = (holder: string) => (err: unknown) => {
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.type, 'OutputLocked');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, new RegExp(`in use by workflow ${holder} .*delete .*\\.lock`));
  return true;
};

test('the lock: taken once, kept by its holder, refused to others, released only by its holder', () => {
  const out = path.join(root, 'unit');
  const a = { workflowId: 'wf-a', runId: 'run-1' };
  const held = acquireOutput(out, a);
  assert.equal(held.workflowId, 'wf-a');
  assert.deepEqual(readLock(out), held);
  assert.deepEqual(acquireOutput(out, a), held, 'the same run re-takes it (activity retries)');
  assert.throws(() => acquireOutput(out, { workflowId: 'wf-b', runId: 'run-9' }), isLocked('wf-a'));
  assert.equal(releaseOutput(out, { workflowId: 'wf-b', runId: 'run-9' }), false, 'another workflow cannot release it');
  assert.ok(fs.existsSync(lockPath(out)));

  // A later run of the same workflow id (re-start, resume after a crash) takes the stale lock over.
  const taken = acquireOutput(out, { workflowId: 'wf-a', runId: 'run-2' });
  assert.equal(readLock(out)?.runId, 'run-2');
  assert.equal(taken.runId, 'run-2');

  assert.equal(releaseOutput(out, a), true);
  assert.equal(readLock(out), null);
  assert.equal(acquireOutput(out, { workflowId: 'wf-b', runId: 'run-9' }).workflowId, 'wf-b', 'free again');
  assert.deepEqual(
    fs.readdirSync(out).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary files left',
  );
});

test('a damaged lock file is still a lock, never silently taken over', () => {
  const out = path.join(root, 'damaged');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(lockPath(out), '{"workflowId": ');
  assert.throws(() => acquireOutput(out, { workflowId: 'wf-a', runId: 'r' }), isLocked('unknown'));
});

function workflowId(name: string): string {
  return `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => assert.fail('the run should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError);
  let cause: unknown = err.cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = (cause as Error & { cause?: unknown }).cause;
  assert.ok(cause instanceof ApplicationFailure);
  return cause;
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('two runs into one output folder: the second fails with OutputLocked naming the first; the lock is released at the end', async () => {
  const out = path.join(root, 'runs', 'shared');
  const first = workflowId('lock-first');
  const handle = await tw.client.workflow.start(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: first,
    args: [{ input: 'lab', out: 'shared', report: false }],
  });
  await waitFor(() => readLock(out)?.workflowId === first, 'the first run to take the lock');

  const second = await failureOf(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: workflowId('lock-second'),
      args: [{ input: 'lab2', out: 'shared', report: false }],
    }),
  );
  assert.ok(isLocked(first)(second));
  // The refused run must not have released the holder's lock: it is still there unless the first run has ended.
  const holder = readLock(out)?.workflowId;
  if (holder !== first) {
    assert.equal(holder, undefined);
    assert.notEqual((await handle.describe()).status.name, 'RUNNING', 'the lock vanished while its holder was running');
  }

  const result = await handle.result();
  assert.equal(result.proportions.num_total, 3, 'the first run wrote its own data set, not the second one');
  assert.equal(readLock(out), null, 'released at the end of the run');
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).workflowId, first);

  // Free again: another workflow may now write there.
  const third = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: workflowId('lock-third'),
    args: [{ input: 'lab2', out: 'shared', report: false }],
  });
  assert.equal(third.proportions.num_total, 4);
});

test('a failed run releases the lock; a stale lock of the same workflow id is taken over, of another id refused', async () => {
  const out = path.join(root, 'runs', 'stale');
  await failureOf(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: workflowId('lock-failing'),
      args: [{ input: 'no-such-input', out: 'stale', report: false }],
    }),
  );
  assert.equal(readLock(out), null, 'released by the failure path');

  const id = workflowId('lock-stale');
  acquireOutput(out, { workflowId: id, runId: 'a-run-that-crashed' });
  const resumed = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: id,
    args: [{ input: 'lab', out: 'stale', report: false }],
  });
  assert.equal(resumed.proportions.num_total, 3);
  assert.equal(readLock(out), null);

  acquireOutput(out, { workflowId: 'someone-else', runId: 'r' });
  const refused = await failureOf(
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: id,
      args: [{ input: 'lab', out: 'stale', report: false }],
    }),
  );
  assert.ok(isLocked('someone-else')(refused));
  assert.equal(readLock(out)?.workflowId, 'someone-else');
});

test('two runs on different data sets at the same time do not interfere', async () => {
  const [a, b] = await Promise.all([
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: workflowId('parallel-a'),
      args: [{ input: 'lab', out: 'parallel-a', report: false }],
    }),
    tw.client.workflow.execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: workflowId('parallel-b'),
      args: [{ input: 'lab2', out: 'parallel-b', report: false }],
    }),
  ]);
  assert.deepEqual([a.proportions.num_total, b.proportions.num_total], [3, 4]);
  assert.deepEqual([a.proportions.labels.aws, b.proportions.labels.aws], [0, 1]);
  const runA = JSON.parse(fs.readFileSync(path.join(a.outDir, 'run.json'), 'utf8'));
  const runB = JSON.parse(fs.readFileSync(path.join(b.outDir, 'run.json'), 'utf8'));
  assert.ok(runA.startedAt < runB.finishedAt && runB.startedAt < runA.finishedAt, 'the two runs overlapped in time');
  assert.equal(readLock(a.outDir), null);
  assert.equal(readLock(b.outDir), null);
});
