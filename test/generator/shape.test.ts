import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../generator';
import { computeLineage, one, openDb, rows, tempDir } from './helpers';

describe('small profile shape', () => {
  const tmp = tempDir();
  const db = openDb();
  let result: Awaited<ReturnType<typeof generate>>;

  before(async () => {
    result = await generate({ profile: 'small', seed: 1, out: tmp.dir });
    const { conn } = await db;
    await conn.run('CREATE TABLE p AS SELECT * FROM read_parquet($file)', { file: `${tmp.dir}/process.parquet` });
    await computeLineage(conn, 'p');
  });
  after(async () => {
    (await db).close();
    tmp.cleanup();
  });

  const q = async <T = Record<string, unknown>>(sql: string) => one<T>((await db).conn, sql);

  it('has a few thousand processes over five hosts named like ACME4', async () => {
    const r = await q<{ n: bigint; hosts: bigint; bad_names: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT hostname) AS hosts,
              count(*) FILTER (NOT regexp_full_match(hostname, 'ACME-[A-Z]{2}-[A-Z]{3}')) AS bad_names FROM p`,
    );
    assert.equal(Number(r.n), result.processes);
    assert.ok(Number(r.n) >= 2000 && Number(r.n) <= 6000, `processes: ${r.n}`);
    assert.equal(Number(r.hosts), 5);
    assert.equal(result.hosts, 5);
    assert.equal(Number(r.bad_names), 0);
  });

  it('has the stdview columns with Wintap types', async () => {
    const cols = await rows<{ column_name: string; column_type: string }>((await db).conn, 'DESCRIBE p');
    assert.deepEqual(
      cols.map((c) => `${c.column_name}:${c.column_type}`),
      [
        'pid_hash:VARCHAR',
        'hostname:VARCHAR',
        'os_pid:INTEGER',
        'process_name:VARCHAR',
        'parent_pid_hash:VARCHAR',
        'parent_os_pid:INTEGER',
        'process_path:VARCHAR',
        'args:VARCHAR',
        'user_name:VARCHAR',
        'agent_id:VARCHAR',
        'process_started:TIMESTAMP',
        'process_term:TIMESTAMP',
      ],
    );
  });

  it('uses unique 32-character upper-case hex hashes, for parents too', async () => {
    const r = await q<{ dup: bigint; bad: bigint; bad_parent: bigint }>(
      `SELECT count(*) - count(DISTINCT pid_hash) AS dup,
              count(*) FILTER (NOT regexp_full_match(pid_hash, '[0-9A-F]{32}')) AS bad,
              count(*) FILTER (NOT regexp_full_match(parent_pid_hash, '[0-9A-F]{32}')) AS bad_parent FROM p`,
    );
    assert.deepEqual([Number(r.dup), Number(r.bad), Number(r.bad_parent)], [0, 0, 0]);
  });

  it('roots every boot at a self-parented ntoskrnl.exe', async () => {
    const r = await q<{ roots: bigint; self: bigint }>(
      `SELECT count(*) AS roots, count(*) FILTER (parent_pid_hash = pid_hash AND os_pid = 4) AS self FROM p WHERE process_name = 'ntoskrnl.exe'`,
    );
    assert.ok(Number(r.roots) >= 5);
    assert.equal(r.self, r.roots);
  });

  it('has the agent placeholder `unknown` (PID 1) under ntoskrnl.exe', async () => {
    const r = await q<{ n: bigint; ok: bigint }>(
      `SELECT count(*) AS n, count(*) FILTER (u.os_pid = 1 AND k.process_name = 'ntoskrnl.exe') AS ok
       FROM p u LEFT JOIN p k ON k.pid_hash = u.parent_pid_hash WHERE u.process_name = 'unknown'`,
    );
    assert.ok(Number(r.n) >= 5);
    assert.equal(r.ok, r.n);
  });

  it('has the SSM and Wintap trees of the SPEC', async () => {
    const { conn } = await db;
    const trees = await rows<{ ptree: string }>(conn, 'SELECT DISTINCT ptree FROM lineage WHERE ptree IS NOT NULL');
    const has = (t: string) => trees.some((r) => r.ptree === t);
    assert.ok(has('=wmic.exe->ssm-agent-worker.exe->amazon-ssm-agent.exe->services.exe->wininit.exe->smss.exe->smss.exe->ntoskrnl.exe'));
    assert.ok(has('=conhost.exe->mergehelper.exe->wintap.exe->services.exe->wininit.exe->smss.exe->smss.exe->ntoskrnl.exe'));
    assert.ok(has('=wintapsvcmgr.exe->svchost.exe->services.exe->wininit.exe->smss.exe->smss.exe->ntoskrnl.exe'));
    assert.ok(trees.some((r) => r.ptree.includes('->explorer.exe->userinit.exe->winlogon.exe->smss.exe->smss.exe->ntoskrnl.exe')));
  });

  it('has orphans whose parent hash is not in the data', async () => {
    const r = await q<{ conhost: bigint; wmic: bigint }>(
      `SELECT count(*) FILTER (process_name = 'conhost.exe') AS conhost, count(*) FILTER (process_name = 'wmic.exe') AS wmic
       FROM p WHERE parent_pid_hash IS NOT NULL AND parent_pid_hash NOT IN (SELECT pid_hash FROM p)`,
    );
    assert.ok(Number(r.conhost) > 500, `orphan conhost: ${r.conhost}`);
    assert.ok(Number(r.wmic) > 50, `orphan wmic: ${r.wmic}`);
  });

  it('has exactly one cycle, a 2-cycle on one host', async () => {
    const r = await q<{ pairs: bigint; hosts: bigint }>(
      `SELECT count(*) AS pairs, count(DISTINCT a.hostname) AS hosts
       FROM p a JOIN p b ON a.parent_pid_hash = b.pid_hash AND b.parent_pid_hash = a.pid_hash
       WHERE a.pid_hash < b.pid_hash`,
    );
    assert.equal(Number(r.pairs), 1);
    assert.equal(Number(r.hosts), 1);
  });

  it('starts children after their parents, and everything inside the capture window', async () => {
    const r = await q<{ child_first: bigint; ends_first: bigint; first: string; last: string }>(
      `SELECT count(*) FILTER (c.process_started < p.process_started AND p.parent_pid_hash <> c.pid_hash) AS child_first,
              count(*) FILTER (c.process_term < c.process_started) AS ends_first,
              min(c.process_started)::VARCHAR AS first, max(coalesce(c.process_term, c.process_started))::VARCHAR AS last
       FROM p c LEFT JOIN p p ON p.pid_hash = c.parent_pid_hash AND p.pid_hash <> c.pid_hash`,
    );
    assert.equal(Number(r.child_first), 0);
    assert.equal(Number(r.ends_first), 0);
    // The small profile captures 2023-11-01 from midnight for 3.6 hours.
    assert.ok(r.first >= '2023-11-01 00:00:00' && r.last < '2023-11-01 03:36:00', `${r.first} .. ${r.last}`);
  });

  it('has duds with a name and duds without', async () => {
    const r = await q<{ named: bigint; nameless: bigint }>(
      `SELECT count(*) FILTER (process_name IS NOT NULL) AS named, count(*) FILTER (process_name IS NULL) AS nameless
       FROM p WHERE parent_pid_hash IS NULL`,
    );
    assert.ok(Number(r.named) > 0 && Number(r.nameless) > 0, `named ${r.named}, nameless ${r.nameless}`);
  });
});
