/**
 * Property: on random process forests the lineage step equals the plain child-to-root walk written
 * here in TypeScript (a loop with a visited set), for ptree and ptree_list, row by row. The forests mix
 * everything SPEC "process_path" names: several hosts with cross-host parents, missing and NULL
 * parents, NULL names, self-parents, cycles of length 2 to 5 with descendants, and chains deeper than
 * the step's generation loop (so its pointer-jumping part runs too).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { lineage } from '../../activities/lineage';
import type { StepResult } from '../../activities/step';
import { hashOf, useStepConnection, writeProcessTable, type TestProcess } from '../support/process-table';

const step = useStepConnection('wintap-noise-lineage-prop-');
let runNo = 0;

/** mulberry32: a small seeded PRNG, so a failing graph can be regenerated from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['ntoskrnl.exe', 'smss.exe', 'services.exe', 'svchost.exe', 'wmic.exe', 'conhost.exe', 'wintap.exe', 'ssm-agent-worker.exe'];

/** A random forest of `n` processes named `<prefix>-<i>`, on hosts of its own. */
function randomForest(seed: number, n: number, prefix: string, spine = 0): TestProcess[] {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const hosts = [`${prefix}-HOST-A`, `${prefix}-HOST-B`, `${prefix}-HOST-C`].slice(0, 1 + Math.floor(rnd() * 3));
  const id = (i: number) => `${prefix}-${i}`;
  const procs: TestProcess[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    let parent: string | null;
    if (i < spine) parent = i === 0 ? id(0) : id(i - 1);
    else if (r < 0.05) parent = null;
    else if (r < 0.1) parent = `${prefix}-missing-${i}`;
    else if (r < 0.13 || i === 0) parent = id(i);
    else if (r < 0.16)
      parent = id(Math.floor(rnd() * n)); // anywhere: may close a cycle
    else parent = id(Math.floor(rnd() * i)); // an earlier process: a tree
    procs.push({
      id: id(i),
      name: rnd() < 0.04 ? null : pick(NAMES),
      parent,
      host: i < spine ? hosts[0] : rnd() < 0.9 ? hosts[0] : pick(hosts),
    });
  }
  // Explicit cycles of length 2 to 5, each with a few descendants.
  const cycles = Math.floor(rnd() * 3);
  for (let c = 0; c < cycles && n >= 12; c++) {
    const len = 2 + Math.floor(rnd() * 4);
    const start = spine + Math.floor(rnd() * Math.max(1, n - spine - len));
    for (let k = 0; k < len && start + k < n; k++) {
      const member = procs[start + k];
      member.parent = id(start + ((k + 1) % len));
      member.host = hosts[0];
    }
    for (let d = 0; d < 3; d++) {
      const child = spine + Math.floor(rnd() * Math.max(1, n - spine));
      if (child < start || child >= start + len) {
        procs[child].parent = id(start + Math.floor(rnd() * len));
        procs[child].host = hosts[0];
      }
    }
  }
  return procs;
}

interface Walked {
  ptree: string | null;
  ptree_list: string[];
}

/** The plain walk: child to root, stopping at NULL, missing, other-host or already-visited parents. */
function walk(procs: TestProcess[]): Map<string, Walked> {
  const byHash = new Map(procs.map((p) => [hashOf(p.id), p]));
  const parentHash = (p: TestProcess) => (p.parent === null ? null : hashOf(p.parent));
  const out = new Map<string, Walked>();
  for (const p of procs) {
    const list = [hashOf(p.id)];
    const names = [p.name];
    const visited = new Set(list);
    let cur = p;
    for (;;) {
      const ph = parentHash(cur);
      const parent = ph === null ? undefined : byHash.get(ph);
      if (!parent || (parent.host ?? 'ACME-WS-PLU') !== (cur.host ?? 'ACME-WS-PLU') || visited.has(ph!)) break;
      visited.add(ph!);
      list.push(ph!);
      names.push(parent.name);
      cur = parent;
    }
    out.set(hashOf(p.id), { ptree: names.some((x) => x === null) ? null : `=${names.join('->')}`, ptree_list: list });
  }
  return out;
}

/** Run the lineage step on `procs` and compare every row with the plain walk. */
async function assertMatchesWalk(procs: TestProcess[], label: string): Promise<void> {
  const dir = path.join(step.root, `run-${++runNo}`);
  const file = await writeProcessTable(dir, procs);
  const ingest: StepResult = {
    name: 'ingest',
    status: 'computed',
    key: `prop-${runNo}`,
    rows: procs.length,
    output: file,
    ms: 0,
    facts: {},
  };
  const result = await lineage(step.conn, path.join(dir, 'out'), ingest);
  const reader = await step.conn.runAndReadAll('SELECT pid_hash, ptree, ptree_list FROM read_parquet($file)', { file: result.output });
  const rows = reader.getRowObjectsJson() as { pid_hash: string; ptree: string | null; ptree_list: string[] }[];
  const expected = walk(procs);
  assert.equal(rows.length, procs.length, `${label}: one row per process`);
  const seen = new Set<string>();
  for (const r of rows) {
    assert.ok(!seen.has(r.pid_hash), `${label}: ${r.pid_hash} appears once`);
    seen.add(r.pid_hash);
    const want = expected.get(r.pid_hash);
    assert.ok(want, `${label}: ${r.pid_hash} is an input process`);
    assert.deepEqual({ ptree: r.ptree, ptree_list: r.ptree_list }, want, `${label}: process ${r.pid_hash}`);
  }
}

test('several hundred small random forests match the plain walk', async () => {
  // Each forest lives on hosts of its own, so one lineage run checks a batch of them independently.
  for (let batch = 0; batch < 8; batch++) {
    const procs: TestProcess[] = [];
    for (let g = 0; g < 50; g++) {
      const seed = batch * 1000 + g + 1;
      const rnd = prng(seed ^ 0x5eed);
      procs.push(...randomForest(seed, 2 + Math.floor(rnd() * 40), `G${seed}`));
    }
    await assertMatchesWalk(procs, `batch ${batch} (seeds ${batch * 1000 + 1}..${batch * 1000 + 50})`);
  }
});

test('two ~5,000-process forests, one with a 60-deep spine, match the plain walk', async () => {
  await assertMatchesWalk(randomForest(424242, 5_000, 'BIG1'), 'forest seed 424242');
  await assertMatchesWalk(randomForest(777, 5_000, 'BIG2', 60), 'forest seed 777 with a 60-deep spine');
});
