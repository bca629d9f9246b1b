/**
 * Golden cases of the lineage step (SPEC "process_path") on real DuckDB and real parquet: each case is
 * a small process table written by the test, ingested, and walked by `lineage()` as the pipeline does.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ingest } from '../../activities/ingest';
import { lineage } from '../../activities/lineage';
import type { StepResult } from '../../activities/step';
import { hashOf, useStepConnection, writeProcessTable, type TestProcess } from '../support/process-table';

const step = useStepConnection('wintap-noise-lineage-');
let caseNo = 0;

interface Row {
  id: string;
  name: string | null;
  ptree: string | null;
  /** ptree_list mapped back from hashes to the test's ids. */
  list: string[];
}

interface Lineage {
  rows: Row[];
  byId: Map<string, Row>;
  result: StepResult;
}

/** Write `processes` as a stdview table, ingest it, run lineage, read process_path back. */
async function lineageOf(processes: TestProcess[]): Promise<Lineage> {
  const dir = path.join(step.root, `case-${++caseNo}`);
  await writeProcessTable(path.join(dir, 'in'), processes);
  const ingested = await ingest(step.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  const result = await lineage(step.conn, path.join(dir, 'out'), ingested);
  const idOf = new Map(processes.map((p) => [hashOf(p.id), p.id]));
  const reader = await step.conn.runAndReadAll('SELECT pid_hash, process_name, ptree, ptree_list FROM read_parquet($file)', {
    file: result.output,
  });
  const rows = reader.getRowObjectsJson().map((r) => ({
    id: idOf.get(r.pid_hash as string) ?? `?${String(r.pid_hash)}`,
    name: r.process_name as string | null,
    ptree: r.ptree as string | null,
    list: (r.ptree_list as string[]).map((h) => idOf.get(h) ?? `?${h}`),
  }));
  return { rows, byId: new Map(rows.map((r) => [r.id, r])), result };
}

function row(l: Lineage, id: string): Row {
  const r = l.byId.get(id);
  assert.ok(r, `process ${id} has a process_path row`);
  return r;
}

test('a self-parented ntoskrnl.exe is a root: its chain is itself', async () => {
  const l = await lineageOf([
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'smss', name: 'smss.exe', parent: 'nt' },
    { id: 'smss2', name: 'smss.exe', parent: 'smss' },
  ]);
  assert.deepEqual(row(l, 'nt'), { id: 'nt', name: 'ntoskrnl.exe', ptree: '=ntoskrnl.exe', list: ['nt'] });
  assert.equal(row(l, 'smss2').ptree, '=smss.exe->smss.exe->ntoskrnl.exe');
  assert.deepEqual(row(l, 'smss2').list, ['smss2', 'smss', 'nt']);
  assert.equal(l.result.facts.self_parented, 1);
  assert.equal(l.result.facts.cycles, 0);
});

test('a missing parent and a NULL parent end the walk', async () => {
  const l = await lineageOf([
    { id: 'ch', name: 'conhost.exe', parent: 'not-in-the-data' },
    { id: 'dud', name: null, parent: null },
    { id: 'orphan', name: 'svchost.exe', parent: null },
    { id: 'kid', name: 'cmd.exe', parent: 'orphan' },
  ]);
  assert.deepEqual(row(l, 'ch'), { id: 'ch', name: 'conhost.exe', ptree: '=conhost.exe', list: ['ch'] });
  assert.deepEqual(row(l, 'dud'), { id: 'dud', name: null, ptree: null, list: ['dud'] });
  assert.equal(row(l, 'kid').ptree, '=cmd.exe->svchost.exe');
  assert.equal(l.result.facts.parents_not_found, 1);
});

test('a parent on another host ends the walk', async () => {
  const l = await lineageOf([
    { id: 'p', name: 'services.exe', parent: null, host: 'ACME-HH-BKQ' },
    { id: 'c', name: 'svchost.exe', parent: 'p', host: 'ACME-WS-PLU' },
    { id: 'g', name: 'wmic.exe', parent: 'c', host: 'ACME-WS-PLU' },
  ]);
  assert.deepEqual(row(l, 'c').list, ['c']);
  assert.equal(row(l, 'g').ptree, '=wmic.exe->svchost.exe');
  assert.deepEqual(row(l, 'g').list, ['g', 'c']);
  assert.equal(l.result.facts.cross_host_parents, 1);
});

test('a 2-cycle: A gives =a->b and B gives =b->a; a child of a member ends where the cycle closes', async () => {
  const l = await lineageOf([
    { id: 'A', name: 'a', parent: 'B' },
    { id: 'B', name: 'b', parent: 'A' },
    { id: 'C', name: 'c', parent: 'A' },
    { id: 'D', name: 'd', parent: 'C' },
  ]);
  assert.deepEqual([row(l, 'A').ptree, row(l, 'A').list], ['=a->b', ['A', 'B']]);
  assert.deepEqual([row(l, 'B').ptree, row(l, 'B').list], ['=b->a', ['B', 'A']]);
  assert.deepEqual([row(l, 'C').ptree, row(l, 'C').list], ['=c->a->b', ['C', 'A', 'B']]);
  assert.deepEqual([row(l, 'D').ptree, row(l, 'D').list], ['=d->c->a->b', ['D', 'C', 'A', 'B']]);
  assert.equal(l.result.facts.cycles, 1);
  assert.equal(l.result.facts.cycle_members, 2);
  assert.equal(l.result.facts.processes_in_cycle_components, 4);
});

test('a 3-cycle reads from each member, and a rooted tree beside it is unaffected', async () => {
  const l = await lineageOf([
    { id: 'X', name: 'x', parent: 'Z' },
    { id: 'Y', name: 'y', parent: 'X' },
    { id: 'Z', name: 'z', parent: 'Y' },
    { id: 'K', name: 'k', parent: 'Y' },
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'u', name: 'u.exe', parent: 'nt' },
  ]);
  assert.equal(row(l, 'X').ptree, '=x->z->y');
  assert.equal(row(l, 'Y').ptree, '=y->x->z');
  assert.equal(row(l, 'Z').ptree, '=z->y->x');
  assert.deepEqual(row(l, 'K').list, ['K', 'Y', 'X', 'Z']);
  assert.equal(row(l, 'u').ptree, '=u.exe->ntoskrnl.exe');
  assert.equal(l.result.facts.cycles, 1);
  assert.equal(l.result.facts.cycle_members, 3);
});

test('a NULL name mid-chain makes ptree NULL for it and below, while ptree_list stays complete', async () => {
  const l = await lineageOf([
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'mid', name: null, parent: 'nt' },
    { id: 'leaf', name: 'cmd.exe', parent: 'mid' },
    { id: 'side', name: 'smss.exe', parent: 'nt' },
  ]);
  assert.deepEqual(row(l, 'leaf'), { id: 'leaf', name: 'cmd.exe', ptree: null, list: ['leaf', 'mid', 'nt'] });
  assert.equal(row(l, 'mid').ptree, null);
  assert.equal(row(l, 'side').ptree, '=smss.exe->ntoskrnl.exe');
  assert.equal(l.result.facts.null_ptree, 2);
});

test('the agent-made unknown process gives =x->unknown->ntoskrnl.exe', async () => {
  const l = await lineageOf([
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'unknown', name: 'unknown', parent: 'nt' },
    { id: 'x', name: 'x', parent: 'unknown' },
  ]);
  assert.equal(row(l, 'x').ptree, '=x->unknown->ntoskrnl.exe');
  assert.deepEqual(row(l, 'x').list, ['x', 'unknown', 'nt']);
});

test('a 5,000-deep chain gets its full ptree', async () => {
  const depth = 5_000;
  const procs: TestProcess[] = [{ id: 'n0', name: 'p0', parent: 'n0' }];
  for (let i = 1; i < depth; i++) procs.push({ id: `n${i}`, name: `p${i}`, parent: `n${i - 1}` });
  const dir = path.join(step.root, `case-${++caseNo}`);
  await writeProcessTable(path.join(dir, 'in'), procs);
  const ingested = await ingest(step.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  const result = await lineage(step.conn, path.join(dir, 'out'), ingested);
  // 12.5 M hashes in all: checked in SQL, only the deepest chain is read into the test.
  const reader = await step.conn.runAndReadAll(
    `SELECT count(*)::INTEGER AS n,
            count(*) FILTER (len(ptree_list) <> substr(process_name, 2)::INTEGER + 1
                             OR len(string_split(ptree, '->')) <> len(ptree_list))::INTEGER AS wrong_length,
            any_value(ptree) FILTER (process_name = $leaf) AS leaf_ptree,
            any_value(ptree_list) FILTER (process_name = $leaf) AS leaf_list
       FROM read_parquet($file)`,
    { file: result.output, leaf: `p${depth - 1}` },
  );
  const [r] = reader.getRowObjectsJson() as { n: number; wrong_length: number; leaf_ptree: string; leaf_list: string[] }[];
  assert.equal(r.n, depth);
  assert.equal(r.wrong_length, 0, 'every chain runs to the root');
  assert.equal(r.leaf_ptree, `=${Array.from({ length: depth }, (_, i) => `p${depth - 1 - i}`).join('->')}`);
  assert.deepEqual(
    r.leaf_list,
    Array.from({ length: depth }, (_, i) => hashOf(`n${depth - 1 - i}`)),
  );
  assert.equal(result.facts.max_chain_length, depth);
});

test('exactly one output row per input process, in a mixed table', async () => {
  const procs: TestProcess[] = [
    { id: 'nt', name: 'ntoskrnl.exe', parent: 'nt' },
    { id: 'A', name: 'a', parent: 'B' },
    { id: 'B', name: 'b', parent: 'A' },
    { id: 'C', name: 'c', parent: 'A' },
    { id: 'ch', name: 'conhost.exe', parent: 'gone' },
    { id: 'dud', name: null, parent: null },
    { id: 'x', name: 'x', parent: 'nt', host: 'ACME-HH-BKQ' },
  ];
  for (let i = 0; i < 50; i++) procs.push({ id: `w${i}`, name: 'wmic.exe', parent: i % 2 ? 'nt' : 'C' });
  const l = await lineageOf(procs);
  assert.equal(l.rows.length, procs.length);
  assert.equal(l.result.rows, procs.length);
  assert.deepEqual(new Set(l.rows.map((r) => r.id)), new Set(procs.map((p) => p.id)));
});
