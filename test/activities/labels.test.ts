/**
 * Labels, union and the denoised set (SPEC "Labels, union, denoised set") on the hand-checked lab:
 * patterns are plain case-insensitive text, a NULL ptree matches nothing, duds are never labelled,
 * and a process under two agents is in agents_platform twice.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { label } from '../../activities/label';
import { duck, hashOf } from '../support/process-table';
import { openStepDb, readParquet, type StepDb } from './step-db';
import { LAB_RULES, runLab, type LabRun } from './lab';

let s: StepDb;
let lab: LabRun;

before(async () => {
  s = await openStepDb('wintap-noise-labels-');
  lab = await runLab(s.conn, path.join(s.root, 'lab'));
});
after(() => s?.close());

const ids = ['nt', 'svc', 'ssm', 'w', 'wm', 'wt', 'mh', 'both', 'noname', 'kid', 'lit', 'ab1', 'quote', 'dud', 'nt2', 'wt2', 'x2', 'cross'];
const idOf = new Map(ids.map((id) => [hashOf(id), id]));

async function labelled(file: string): Promise<Array<[string, string]>> {
  const rows = await readParquet<{ pid_hash: string; label: string }>(file, 'pid_hash, label', 'label, pid_hash');
  return rows.map((r) => [r.label, idOf.get(r.pid_hash) ?? r.pid_hash] as [string, string]).sort();
}

test('each rule labels exactly the non-dud processes whose ptree contains its pattern, literally and case-insensitively', async () => {
  const byLabel = Object.fromEntries(
    await Promise.all(lab.labels.map(async (l) => [l.name, (await labelled(l.output)).map(([, id]) => id).sort()] as [string, string[]])),
  );
  assert.deepEqual(byLabel, {
    // Pattern WINTAP matches WinTap.exe and wintap.exe; the dud wintap.exe is not labelled.
    'label:wintap': ['both', 'mh', 'wt', 'wt2'],
    // ssm-child.exe is under a process with no name: its ptree is NULL and matches nothing.
    'label:aws': ['both', 'ssm', 'w', 'wm'],
    // `%` and `_` are literal: ab1.exe (which LIKE '%b_%' would match) is not labelled.
    'label:pct': ['lit'],
    'label:under': ['lit'],
    'label:sql': ['quote'],
  });
});

test('agents_platform holds one row per (process, label): a process under both agents appears twice', async () => {
  const rows = await labelled(lab.agents.output);
  assert.equal(lab.agents.rows, 11);
  assert.equal(rows.length, 11);
  assert.deepEqual(
    rows.filter(([, id]) => id === 'both').map(([l]) => l),
    ['aws', 'wintap'],
  );
  const columns = await duck<{ column_name: string }>('SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($f))', {
    f: lab.agents.output,
  });
  assert.deepEqual(
    columns.map((c) => c.column_name),
    ['pid_hash', 'process_name', 'ptree', 'ptree_list', 'label'],
  );
});

test('a NULL ptree is never labelled, even by a pattern in its own name', async () => {
  const rows = await readParquet<{ pid_hash: string; ptree: string | null }>(lab.paths.output, 'pid_hash, ptree');
  assert.equal(rows.find((r) => r.pid_hash === hashOf('kid'))?.ptree, null);
  const agentIds = (await labelled(lab.agents.output)).map(([, id]) => id);
  assert.ok(!agentIds.includes('kid'));
  assert.ok(!agentIds.includes('noname'));
  assert.ok(!agentIds.includes('dud'));
});

test('process_denoised is the non-dud processes with no label', async () => {
  const rows = await readParquet<{ pid_hash: string }>(lab.denoised.output, 'pid_hash');
  assert.deepEqual(rows.map((r) => idOf.get(r.pid_hash)).sort(), ['ab1', 'cross', 'kid', 'noname', 'nt', 'nt2', 'svc', 'x2']);
  assert.equal(lab.nondud.facts.duds, 1);
});

test('the pattern is bound, never SQL text: SQL in a pattern matches itself and breaks nothing', async () => {
  const sqlRule = LAB_RULES.find((r) => r.label === 'sql')!;
  const again = await label(s.conn, path.join(s.root, 'lab', 'out'), lab.paths, lab.nondud, sqlRule);
  assert.equal(again.status, 'reused');
  const [tables] = await readParquet<{ n: string }>(lab.ingested.output, 'count(*) AS n', '1');
  assert.equal(tables.n, '18', 'the input is intact');
  const quoteOnly = await label(s.conn, path.join(s.root, 'lab', 'out'), lab.paths, lab.nondud, { label: 'q', pattern: "o'neil'" });
  assert.deepEqual(
    (await labelled(quoteOnly.output)).map(([, id]) => id),
    ['quote'],
  );
});
