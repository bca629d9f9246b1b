/**
 * proportions.json (SPEC "Proportions") on the hand-checked lab (test/activities/lab.ts).
 *
 * Non-dud processes: 13 on ACME-WS-PLU, 4 on ACME-HH-BKQ (the dud wintap.exe is excluded) -> 17.
 * wintap: wt, mh, both, wt2 (4); aws: ssm, w, wm, both (4); pct, under: lit; sql: quote.
 * Σ labels = 11 -> ratio 11/17; distinct labelled: 9 (both counted once) -> 9/17.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openStepDb, type StepDb } from './step-db';
import { runLab, type LabRun } from './lab';

let s: StepDb;
let lab: LabRun;

before(async () => {
  s = await openStepDb('wintap-noise-proportions-');
  lab = await runLab(s.conn, path.join(s.root, 'lab'));
});
after(() => s?.close());

test('overall counts, ratio (Σ labels / num_total) and distinct share', () => {
  const p = lab.proportions;
  assert.equal(p.num_total, 17);
  assert.deepEqual(p.labels, { wintap: 4, aws: 4, pct: 1, under: 1, sql: 1 });
  assert.equal(p.ratio, 11 / 17);
  assert.equal(p.distinct_labelled, 9);
  assert.equal(p.distinct_share, 9 / 17);
});

test('per_host: the same counts for each hostname, every label present even when 0', () => {
  assert.deepEqual(lab.proportions.per_host, {
    'ACME-HH-BKQ': {
      num_total: 4,
      labels: { wintap: 1, aws: 0, pct: 0, under: 0, sql: 0 },
      ratio: 1 / 4,
      distinct_labelled: 1,
      distinct_share: 1 / 4,
    },
    'ACME-WS-PLU': {
      num_total: 13,
      labels: { wintap: 3, aws: 4, pct: 1, under: 1, sql: 1 },
      ratio: 10 / 13,
      distinct_labelled: 8,
      distinct_share: 8 / 13,
    },
  });
});

test('proportions.json in the output folder is what the step returned', () => {
  const written = JSON.parse(fs.readFileSync(path.join(s.root, 'lab', 'out', 'proportions.json'), 'utf8'));
  assert.deepEqual(written, lab.proportions);
});
