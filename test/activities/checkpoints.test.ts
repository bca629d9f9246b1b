/**
 * The checkpoint store: same fingerprint + step version is reused; a checkpoint that does not verify
 * against its manifest (truncated, a flipped byte, no manifest, a damaged manifest), or a leftover
 * temporary file, is never trusted: the step is recomputed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { checkpointDir, manifestPath } from '../../activities/checkpoints';
import { ingest, INGEST_VERSION } from '../../activities/ingest';
import { duds } from '../../activities/duds';
import { writeProcessTable } from '../support/process-table';
import { openStepDb, readParquet, type StepDb } from './step-db';

let s: StepDb;
let caseNo = 0;

before(async () => {
  s = await openStepDb('wintap-noise-checkpoints-');
});
after(() => s?.close());

/** A fresh input + output folder with one computed ingest checkpoint. */
async function computed() {
  const dir = path.join(s.root, `case-${++caseNo}`);
  await writeProcessTable(path.join(dir, 'in'), [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'a', name: 'wintap.exe', parent: 'nt' },
    { id: 'd', name: null, parent: null },
  ]);
  const request = { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') };
  const first = await ingest(s.conn, request);
  assert.equal(first.status, 'computed');
  return { dir, request, first, run: () => ingest(s.conn, request) };
}

test('same input fingerprint and step version: reused, same rows and facts', async () => {
  const c = await computed();
  const again = await c.run();
  assert.equal(again.status, 'reused');
  assert.equal(again.output, c.first.output);
  assert.equal(again.rows, 3);
  assert.deepEqual(again.facts, c.first.facts);
  const manifest = JSON.parse(fs.readFileSync(manifestPath(c.first.output), 'utf8'));
  assert.equal(manifest.version, INGEST_VERSION);
  assert.match(manifest.sha256, /^[0-9a-f]{64}$/);
  // A downstream step keyed on it is reused too.
  const d1 = await duds(s.conn, c.request.outDir, again);
  const d2 = await duds(s.conn, c.request.outDir, again);
  assert.deepEqual([d1.status, d2.status], ['computed', 'reused']);
});

test('a changed input is a new fingerprint: recomputed', async () => {
  const c = await computed();
  await writeProcessTable(path.join(c.dir, 'in'), [{ id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' }]);
  const again = await c.run();
  assert.equal(again.status, 'computed');
  assert.notEqual(again.key, c.first.key);
  assert.equal(again.rows, 1);
});

test('a truncated checkpoint is recomputed, and the rewritten one is whole', async () => {
  const c = await computed();
  const size = fs.statSync(c.first.output).size;
  fs.truncateSync(c.first.output, Math.floor(size / 2));
  const again = await c.run();
  assert.equal(again.status, 'computed');
  assert.equal(fs.statSync(again.output).size, size);
  assert.equal((await readParquet(again.output, 'pid_hash')).length, 3);
});

test('a checkpoint with a flipped byte (same size, footer intact) is recomputed', async () => {
  const c = await computed();
  const bytes = fs.readFileSync(c.first.output);
  bytes[8] ^= 0xff; // inside the first data page, far from the footer
  fs.writeFileSync(c.first.output, bytes);
  assert.equal(fs.statSync(c.first.output).size, bytes.length);
  const again = await c.run();
  assert.equal(again.status, 'computed');
  assert.notDeepEqual(fs.readFileSync(again.output), bytes);
});

test('a checkpoint without its manifest, or with a damaged one, is recomputed', async () => {
  const c = await computed();
  fs.rmSync(manifestPath(c.first.output));
  assert.equal((await c.run()).status, 'computed');
  fs.writeFileSync(manifestPath(c.first.output), '{"step": "ingest", "rows": ');
  assert.equal((await c.run()).status, 'computed');
  const manifest = JSON.parse(fs.readFileSync(manifestPath(c.first.output), 'utf8'));
  fs.writeFileSync(manifestPath(c.first.output), JSON.stringify({ ...manifest, rows: 999 }));
  assert.equal((await c.run()).status, 'computed');
  assert.equal((await c.run()).status, 'reused');
});

test('a leftover temporary file from a killed write is never reused, and nothing is left behind', async () => {
  const c = await computed();
  // A crash after COPY but before the rename: the complete parquet exists only under its .tmp name.
  const tmp = `${c.first.output}.99999-deadbeef.tmp`;
  fs.renameSync(c.first.output, tmp);
  fs.rmSync(manifestPath(c.first.output));
  const again = await c.run();
  assert.equal(again.status, 'computed');
  assert.equal(again.output, c.first.output);
  const stepDir = path.join(checkpointDir(c.request.outDir), 'ingest');
  const ours = fs.readdirSync(stepDir).filter((f) => f.endsWith('.tmp') && f !== path.basename(tmp));
  assert.deepEqual(ours, [], 'a completed write leaves no temporary file');
});
