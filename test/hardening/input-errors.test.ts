/**
 * Issue 7, input errors: each bad input is refused by ingest with a non-retryable ApplicationFailure
 * (retrying bad data cannot fix it) whose message names the cause and the remedy, before any
 * checkpoint is written. Rule lists are refused by their zod schema with the rule named.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ingest } from '../../activities/ingest';
import { checkpointDir } from '../../activities/checkpoints';
import { parsePipelineInput } from '../../workflows/input';
import { readRulesFile } from '../../cli/run';
import { hashOf, writeProcessTable } from '../support/process-table';
import { openStepDb, writeParquet, type StepDb } from '../activities/step-db';
import { BAD_INPUTS, BAD_RULES } from './bad-inputs';

let s: StepDb;

before(async () => {
  s = await openStepDb('wintap-noise-bad-input-');
});
after(() => s?.close());

for (const bad of BAD_INPUTS) {
  test(`bad input, ${bad.name}: non-retryable BadInput, ${bad.message}`, async () => {
    const dir = path.join(s.root, bad.name.replace(/\W+/g, '-'));
    const input = await bad.write(dir);
    const outDir = path.join(dir, 'out');
    await assert.rejects(ingest(s.conn, { input, outDir }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, `an ApplicationFailure, got ${String(err)}`);
      assert.equal(err.type, 'BadInput');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, bad.message);
      assert.doesNotMatch(err.message, /\n/, 'one line');
      return true;
    });
    assert.ok(
      !fs.existsSync(path.join(checkpointDir(outDir), 'ingest')) || fs.readdirSync(path.join(checkpointDir(outDir), 'ingest')).length === 0,
    );
  });
}

test('hashes are checked on parents too, and lower-case hex is refused (Wintap writes upper case)', async () => {
  const dir = path.join(s.root, 'lower-parent');
  await writeParquet(
    path.join(dir, 'process.parquet'),
    `SELECT '${hashOf('a')}' AS pid_hash, 'H' AS hostname, 'a.exe' AS process_name, '${hashOf('p').toLowerCase()}' AS parent_pid_hash`,
  );
  await assert.rejects(
    ingest(s.conn, { input: dir, outDir: path.join(dir, 'out') }),
    /parent_pid_hash values that are not 32 upper-case hex/,
  );
});

test('a good table next to the bad cases still ingests (the checks do not over-reach)', async () => {
  const dir = path.join(s.root, 'good');
  await writeProcessTable(dir, [
    { id: 'a', name: 'a.exe', parent: 'b' },
    { id: 'b', name: null, parent: null, user: 'NA' },
  ]);
  const result = await ingest(s.conn, { input: dir, outDir: path.join(dir, 'out') });
  assert.equal(result.rows, 2);
});

for (const bad of BAD_RULES) {
  test(`bad rules, ${bad.name}: refused naming the rule`, () => {
    const file = path.join(s.root, `rules-${bad.name.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, bad.text);
    assert.throws(
      () => readRulesFile(file),
      (err: Error) => {
        assert.match(err.message, bad.message);
        assert.ok(err.message.includes(file), 'names the file');
        return true;
      },
    );
    if (bad.name !== 'not JSON') {
      const parsed = parsePipelineInput({ rules: JSON.parse(bad.text) });
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.message, bad.message);
    }
  });
}

test('an output folder that would overwrite the input file is refused before anything is written', async () => {
  const dir = path.join(s.root, 'same-folder');
  const file = await writeProcessTable(dir, [{ id: 'a', name: 'a.exe', parent: 'b' }]);
  const before = fs.readFileSync(file);
  await assert.rejects(ingest(s.conn, { input: dir, outDir: dir }), (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure && err.type === 'BadInput' && err.nonRetryable);
    assert.match(err.message, /would overwrite the input file .*process\.parquet; choose another output folder/);
    return true;
  });
  assert.deepEqual(fs.readFileSync(file), before);
  assert.ok(!fs.existsSync(checkpointDir(dir)));
});
