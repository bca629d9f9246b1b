/**
 * Issue 7, confinement: every path a run is given must resolve, after symlinks, inside a data root
 * (activities/data-roots.ts), and the worker's DuckDB itself can reach nothing else and cannot be
 * re-configured (activities/db.ts). Checked on the functions, on DuckDB, and through a real workflow.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { confine, realRoots } from '../../activities/data-roots';
import { createDb, type Db } from '../../activities/db';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { duck, tempDir, writeProcessTable } from '../support/process-table';
import { startTestWorker, type TestWorker } from '../support/temporal';

let root: string;
let outside: string;
let db: Db;
let tw: TestWorker;

before(async () => {
  [root, outside] = realRoots([tempDir('wintap-noise-root-'), tempDir('wintap-noise-outside-')]);
  await writeProcessTable(path.join(root, 'lab'), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'wt', name: 'wintap.exe', parent: 'nt' },
  ]);
  await writeProcessTable(path.join(outside, 'secret'), [{ id: 's', name: 'secret.exe', parent: 's' }]);
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'escape'));
  fs.symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
  fs.symlinkSync(path.join(root, 'lab'), path.join(root, 'alias'));
  db = await createDb({ roots: [root], memoryLimit: '512MB', threads: 1, tempDirectory: path.join(root, '.duckdb-tmp') });
  tw = await startTestWorker(root, { name: 'confinement' });
});

after(async () => {
  await tw?.stop();
  db?.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const refused = (err: unknown) => {
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.type, 'PathOutsideDataRoots');
  assert.equal(err.nonRetryable, true);
  assert.match(err.message, /outside the data roots .*WINTAP_NOISE_DATA_ROOTS/);
  return true;
};

test('confine: paths inside a root are resolved to their real path', () => {
  assert.equal(confine([root], path.join(root, 'lab'), 'input'), path.join(root, 'lab'));
  assert.equal(confine([root], path.join(root, 'alias'), 'input'), path.join(root, 'lab'), 'a symlink inside the root is followed');
  assert.equal(confine([root], path.join(root, 'new', 'out'), 'output folder'), path.join(root, 'new', 'out'), 'missing paths are fine');
});

test('confine: ../ traversal, absolute paths elsewhere and symlink escapes are refused', () => {
  assert.throws(() => confine([root], path.join(root, '..', path.basename(outside), 'secret'), 'input'), refused);
  assert.throws(() => confine([root], `${root}/lab/../../${path.basename(outside)}`, 'input'), refused);
  assert.throws(() => confine([root], '/etc/passwd', 'input'), refused);
  assert.throws(() => confine([root], path.join(root, 'escape'), 'input'), refused);
  assert.throws(() => confine([root], path.join(root, 'escape', 'process.parquet'), 'input'), refused);
  assert.throws(() => confine([root], path.join(root, 'dangling', 'out'), 'output folder'), refused, 'a dangling link to outside');
  assert.throws(() => confine([root], `${root}-sibling/x`, 'input'), refused, 'a sibling sharing the prefix is not inside');
  assert.throws(() => confine([root], '', 'input'), /empty or invalid/);
  assert.throws(() => confine([root], `${root}/lab\0`, 'input'), /empty or invalid/);
});

test('DuckDB reads and writes nothing outside the roots, symlinks included', async () => {
  await db.withConnection(async (conn) => {
    const inside = await conn.runAndReadAll('SELECT count(*) AS n FROM read_parquet($f)', { f: path.join(root, 'lab', 'process.parquet') });
    assert.equal(Number(inside.getRowObjectsJson()[0].n), 2);
    const denied = /Permission Error/;
    await assert.rejects(conn.run('SELECT * FROM read_parquet($f)', { f: path.join(outside, 'secret', 'process.parquet') }), denied);
    await assert.rejects(conn.run('SELECT * FROM read_parquet($f)', { f: path.join(root, 'escape', 'process.parquet') }), denied);
    await assert.rejects(conn.run("SELECT * FROM read_csv('/etc/passwd')"), denied);
    await assert.rejects(conn.run('COPY (SELECT 1) TO $f (FORMAT parquet)', { f: path.join(outside, 'written.parquet') }), denied);
    await assert.rejects(conn.run("ATTACH '/tmp/wintap-noise-attach.db'"), denied);
    await assert.rejects(conn.run("SELECT * FROM read_csv('https://example.com/x.csv')"), denied);
    await assert.rejects(conn.run('INSTALL httpfs'), denied);
    await assert.rejects(conn.run('LOAD httpfs'), denied);
  });
  assert.ok(!fs.existsSync(path.join(outside, 'written.parquet')));
});

test('DuckDB configuration is locked: SET after start-up fails', async () => {
  await db.withConnection(async (conn) => {
    const locked = /configuration has been locked/;
    await assert.rejects(conn.run('SET enable_external_access = true'), locked);
    await assert.rejects(conn.run("SET allowed_directories = ['/']"), locked);
    await assert.rejects(conn.run('SET lock_configuration = false'), locked);
    await assert.rejects(conn.run("SET memory_limit = '100GB'"), locked);
    await assert.rejects(conn.run('RESET enable_external_access'), locked);
    // Still refused after the attempts.
    await assert.rejects(conn.run("SELECT * FROM read_csv('/etc/passwd')"), /Permission Error/);
  });
});

async function failureOf(args: Record<string, unknown>): Promise<ApplicationFailure> {
  const err = await tw.client.workflow
    .execute(platformNoisePipeline, {
      taskQueue: tw.taskQueue,
      workflowId: `confinement-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      args: [args],
    })
    .then(
      () => assert.fail('the run should fail'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof WorkflowFailedError);
  let cause: unknown = err.cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = (cause as Error & { cause?: unknown }).cause;
  assert.ok(cause instanceof ApplicationFailure, `an ApplicationFailure in ${String(err.cause)}`);
  return cause;
}

test('a run refuses inputs and outputs outside the roots, writing nothing there', async () => {
  const before = fs.readdirSync(outside).sort();
  for (const args of [
    { input: `../${path.basename(outside)}/secret` },
    { input: path.join(outside, 'secret') },
    { input: 'escape' },
    { input: 'lab', out: path.join(outside, 'out') },
    { input: 'lab', out: '../../../tmp/elsewhere' },
    { input: 'lab', out: path.join(root, 'dangling') },
  ]) {
    const failure = await failureOf(args);
    assert.equal(failure.type, 'PathOutsideDataRoots', JSON.stringify(args));
  }
  assert.deepEqual(fs.readdirSync(outside).sort(), before);
});

test('a run through a symlink that stays inside the root works', async () => {
  const result = await tw.client.workflow.execute(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `confinement-ok-${Date.now()}`,
    args: [{ input: 'alias', out: 'alias-out', report: false }],
  });
  assert.equal(result.proportions.num_total, 2);
  const rows = await duck<{ n: string }>('SELECT count(*) AS n FROM read_parquet($f)', {
    f: path.join(result.outDir, 'agents_platform.parquet'),
  });
  assert.equal(rows[0].n, '1');
});
