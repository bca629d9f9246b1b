/**
 * Issue 7 through the command line: `wintap-noise run` (spawned as a user would, against the test's
 * Temporal server and a worker started here) exits non-zero with a one-line reason on each bad input
 * and leaves the earlier outputs in the folder byte-identical; a literal pattern full of quotes and
 * SQL runs normally.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { realRoots } from '../../activities/data-roots';
import { duck, tempDir, writeProcessTable } from '../support/process-table';
import { startTestWorker, testAddress, type TestWorker } from '../support/temporal';
import { runCli, type CliResult } from '../support/cli';
import { BAD_INPUTS, BAD_RULES } from './bad-inputs';
import { SQL_PATTERN } from '../activities/lab';

let root: string;
let outside: string;
let tw: TestWorker;
let out: string;
let snapshot: Map<string, string>;

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['run', ...args], {
    env: { TEMPORAL_ADDRESS: testAddress(), TEMPORAL_TASK_QUEUE: tw.taskQueue, WINTAP_NOISE_LOG_LEVEL: 'warn' },
    timeoutMs: 60_000,
  });
}

/** Every file under `dir` (checkpoints included) with the SHA-256 of its bytes. */
function hashes(dir: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    result.set(path.relative(dir, file), crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  }
  return result;
}

function assertOneLineFailure(result: CliResult, reason: RegExp): void {
  assert.notEqual(result.code, 0, `exit code (stdout: ${result.stdout})`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0], /^wintap-noise run: /);
  assert.match(lines[0], reason);
}

before(async () => {
  [root, outside] = realRoots([tempDir('wintap-noise-cli-'), tempDir('wintap-noise-cli-outside-')]);
  await writeProcessTable(path.join(root, 'lab'), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'wt', name: 'wintap.exe', parent: 'nt' },
    { id: 'ssm', name: 'amazon-ssm-agent.exe', parent: 'nt' },
    { id: 'q', name: `o'neil${SQL_PATTERN}.exe`, parent: 'nt' },
  ]);
  await writeProcessTable(path.join(outside, 'elsewhere'), [{ id: 'x', name: 'x.exe', parent: 'x' }]);
  tw = await startTestWorker(root, { name: 'cli' });
  out = path.join(root, 'out');
  const good = await cli('--input', path.join(root, 'lab'), '--out', out);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /ratio/);
  snapshot = hashes(out);
  assert.ok(snapshot.has('process.parquet') && snapshot.has('proportions.json') && snapshot.has('run.json'));
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

/** A byte copy of the first run's output folder, so the failing runs can go side by side (each into its own). */
function copyOfOutputs(name: string): string {
  const copy = path.join(root, `out-${name.replace(/\W+/g, '-')}`);
  fs.cpSync(out, copy, { recursive: true });
  assert.deepEqual(hashes(copy), snapshot);
  return copy;
}

// Each CLI start costs a few seconds of TypeScript loading; two at a time keeps the file quick on two cores.
describe('bad inputs through the CLI', { concurrency: 2 }, () => {
  for (const bad of BAD_INPUTS) {
    test(`run on a bad input (${bad.name}) exits non-zero with one line; outputs untouched`, async () => {
      const input = await bad.write(path.join(root, 'bad', bad.name.replace(/\W+/g, '-')));
      const target = copyOfOutputs(bad.name);
      const result = await cli('--input', input, '--out', target);
      assertOneLineFailure(result, bad.message);
      assert.deepEqual(hashes(target), snapshot);
    });
  }

  for (const bad of BAD_RULES) {
    test(`run with a bad rules file (${bad.name}) exits non-zero with one line; outputs untouched`, async () => {
      const file = path.join(root, `rules-${bad.name.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(file, bad.text);
      const result = await cli('--input', path.join(root, 'lab'), '--out', out, '--rules', file);
      assertOneLineFailure(result, bad.message);
      assert.deepEqual(hashes(out), snapshot);
    });
  }
});

test('run on an input outside the data roots exits non-zero naming the roots; outputs untouched', async () => {
  const result = await cli('--input', path.join(outside, 'elsewhere'), '--out', out);
  assertOneLineFailure(result, /outside the data roots/);
  assert.deepEqual(hashes(out), snapshot);
});

test('a literal pattern full of quotes and SQL runs normally and matches itself', async () => {
  const rules = path.join(root, 'rules-sql.json');
  fs.writeFileSync(
    rules,
    JSON.stringify([
      { label: 'sql', pattern: SQL_PATTERN },
      { label: 'quotes', pattern: `"'%_\\` },
      { label: 'wintap', pattern: 'wintap' },
    ]),
  );
  const sqlOut = path.join(root, 'out-sql');
  const result = await cli('--input', path.join(root, 'lab'), '--out', sqlOut, '--rules', rules, '--json');
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  assert.equal(summary.status, 'completed');
  assert.deepEqual(summary.proportions.labels, { sql: 1, quotes: 0, wintap: 1 });
  const rows = await duck<{ label: string; process_name: string }>('SELECT label, process_name FROM read_parquet($f) ORDER BY label', {
    f: path.join(sqlOut, 'agents_platform.parquet'),
  });
  assert.deepEqual(rows, [
    { label: 'sql', process_name: `o'neil${SQL_PATTERN}.exe` },
    { label: 'wintap', process_name: 'wintap.exe' },
  ]);
  assert.deepEqual(hashes(out), snapshot, 'the other output folder is untouched');
});
