/**
 * Ingest of the three layouts (SPEC "Inputs") on the production DuckDB and real parquet written here:
 * the roll-up to one row per pid_hash, FILETIME conversion, NULL clean-up and the data-quality counts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ingest } from '../../activities/ingest';
import { duck, hashOf } from '../support/process-table';
import { filetime, openStepDb, readParquet, writeParquet, type StepDb } from './step-db';

let s: StepDb;
let caseNo = 0;

before(async () => {
  s = await openStepDb('wintap-noise-ingest-');
});
after(() => s?.close());

const H = (id: string) => `'${hashOf(id)}'`;
const caseDir = () => path.join(s.root, `case-${++caseNo}`);

interface Rolled {
  pid_hash: string;
  parent_pid_hash: string | null;
  process_name: string | null;
  hostname: string;
  user_name: string | null;
  process_path: string | null;
  started: string | null;
  term: string | null;
}
const ROLLED = `pid_hash, parent_pid_hash, process_name, hostname, user_name, process_path,
                strftime(process_started, '%Y-%m-%d %H:%M:%S.%f') AS started, strftime(process_term, '%Y-%m-%d %H:%M:%S.%f') AS term`;

test('stdview: one row per pid_hash; exact duplicates dropped, repeated hashes rolled up and counted', async () => {
  const dir = caseDir();
  await writeParquet(
    path.join(dir, 'in', 'process.parquet'),
    `SELECT * FROM (VALUES
       (${H('a')}, 'ACME-WS-PLU', 10, 'wintap.exe', ${H('p')}, 'c:\\wintap.exe', 'acme\\svc', TIMESTAMP '2024-01-01 10:00:00', NULL::TIMESTAMP),
       (${H('a')}, 'ACME-WS-PLU', 10, 'wintap.exe', ${H('p')}, 'c:\\wintap.exe', 'acme\\svc', TIMESTAMP '2024-01-01 10:00:00', NULL::TIMESTAMP),
       (${H('b')}, 'ACME-WS-PLU', 11, 'conhost.exe', ${H('a')}, '', 'Na', TIMESTAMP '2024-01-01 11:00:00', NULL::TIMESTAMP),
       (${H('b')}, 'ACME-WS-PLU', 11, 'conhost.exe', ${H('a')}, '', 'Na', TIMESTAMP '2024-01-01 11:00:00', TIMESTAMP '2024-01-02 09:00:00'),
       (${H('c')}, 'ACME-WS-PLU', 12, 'cmd.exe', '', NULL, 'NA', TIMESTAMP '2024-01-01 12:00:00', NULL::TIMESTAMP)
     ) t(pid_hash, hostname, os_pid, process_name, parent_pid_hash, process_path, user_name, process_started, process_term)`,
  );
  const result = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  assert.equal(result.layout, 'stdview');
  assert.equal(result.status, 'computed');
  assert.equal(result.rows, 3);
  assert.deepEqual(
    { ...result.facts },
    {
      layout: 'stdview',
      files: 1,
      rows_read: 5,
      exact_duplicates_dropped: 1,
      processes: 3,
      processes_rolled_up_from_several_rows: 1,
    },
  );
  const rows = await readParquet<Rolled>(result.output, ROLLED);
  const b = rows.find((r) => r.pid_hash === hashOf('b'))!;
  assert.equal(b.term, '2024-01-02 09:00:00.000000', 'the non-NULL term wins the roll-up');
  assert.equal(b.process_path, null, 'empty string becomes NULL');
  assert.equal(b.user_name, null, "user name 'Na' becomes NULL");
  const c = rows.find((r) => r.pid_hash === hashOf('c'))!;
  assert.equal(c.parent_pid_hash, null, 'an empty parent hash becomes NULL (a dud)');
  assert.equal(c.user_name, null);
  assert.equal(rows.find((r) => r.pid_hash === hashOf('a'))!.user_name, 'acme\\svc');

  // A bare process.parquet path is the same input.
  const again = await ingest(s.conn, { input: path.join(dir, 'in', 'process.parquet'), outDir: path.join(dir, 'out2') });
  assert.equal(again.rows, 3);
});

test('stdview with one row per pid_hash is written as it is: the same rows and columns the roll-up gives', async () => {
  const dir = caseDir();
  const rows = `(${H('a')}, 'ACME-WS-PLU', 10, 'wintap.exe', ${H('p')}, 'c:\\wintap.exe', 'acme\\svc', TIMESTAMP '2024-01-01 10:00:00', NULL::TIMESTAMP),
                (${H('b')}, 'ACME-WS-PLU', 11, 'conhost.exe', ${H('a')}, '', 'Na', TIMESTAMP '2024-01-01 11:00:00', TIMESTAMP '2024-01-02 09:00:00'),
                (${H('c')}, 'ACME-WS-PLU', 12, NULL, '', NULL, 'NA', NULL::TIMESTAMP, NULL::TIMESTAMP)`;
  const columns = 't(pid_hash, hostname, os_pid, process_name, parent_pid_hash, process_path, user_name, process_started, process_term)';
  await writeParquet(path.join(dir, 'single', 'process.parquet'), `SELECT * FROM (VALUES ${rows}) ${columns}`);
  // The same table with one row repeated takes the roll-up path.
  await writeParquet(
    path.join(dir, 'repeated', 'process.parquet'),
    `SELECT * FROM (VALUES ${rows}, (${H('a')}, 'ACME-WS-PLU', 10, 'wintap.exe', ${H('p')}, 'c:\\wintap.exe', 'acme\\svc', TIMESTAMP '2024-01-01 10:00:00', NULL::TIMESTAMP)) ${columns}`,
  );
  const single = await ingest(s.conn, { input: path.join(dir, 'single'), outDir: path.join(dir, 'out-single') });
  const repeated = await ingest(s.conn, { input: path.join(dir, 'repeated'), outDir: path.join(dir, 'out-repeated') });
  assert.equal(single.facts.exact_duplicates_dropped, 0);
  assert.equal(repeated.facts.exact_duplicates_dropped, 1);
  assert.equal(single.facts.processes_rolled_up_from_several_rows, 0);
  const schema = (file: string) => duck(`SELECT name, type FROM parquet_schema($file) ORDER BY name`, { file });
  assert.deepEqual(await schema(single.output), await schema(repeated.output));
  const all = await readParquet<Record<string, unknown>>(single.output);
  assert.deepEqual(all, await readParquet(repeated.output));
  assert.equal(all.length, 3);
  const b = all.find((r) => r.pid_hash === hashOf('b'))!;
  assert.equal(b.process_path, null, 'empty string becomes NULL');
  assert.equal(b.user_name, null, "user name 'Na' becomes NULL");
  assert.equal(all.find((r) => r.pid_hash === hashOf('c'))!.parent_pid_hash, null);
});

test('rolling: a process alive over three days is one row, earliest start and latest term', async () => {
  const dir = caseDir();
  const day = (pk: string, values: string) =>
    writeParquet(
      path.join(dir, 'in', 'rolling', 'process', `dayPK=${pk}`, 'part-0.parquet'),
      `SELECT * FROM (VALUES ${values}) t(pid_hash, hostname, process_name, parent_pid_hash, process_started, process_term)`,
    );
  await day(
    '20240101',
    `(${H('x')}, 'ACME-HH-BKQ', 'svchost.exe', ${H('s')}, TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 23:59:59')`,
  );
  await day(
    '20240102',
    `(${H('x')}, 'ACME-HH-BKQ', 'svchost.exe', ${H('s')}, TIMESTAMP '2024-01-02 00:00:00', TIMESTAMP '2024-01-02 23:59:59'),
     (${H('y')}, 'ACME-HH-BKQ', 'cmd.exe', ${H('x')}, TIMESTAMP '2024-01-02 08:00:00', TIMESTAMP '2024-01-02 08:00:05')`,
  );
  await day(
    '20240103',
    `(${H('x')}, 'ACME-HH-BKQ', 'svchost.exe', ${H('s')}, TIMESTAMP '2024-01-03 00:00:00', TIMESTAMP '2024-01-03 12:00:00')`,
  );

  const result = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  assert.equal(result.layout, 'rolling');
  assert.equal(result.files, 3);
  assert.equal(result.rows, 2);
  assert.equal(result.facts.rows_read, 4);
  assert.equal(result.facts.processes_rolled_up_from_several_rows, 1);
  assert.equal(result.facts.exact_duplicates_dropped, 0);
  const x = (
    await readParquet<Rolled>(
      result.output,
      `pid_hash, process_name, strftime(process_started, '%Y-%m-%d %H:%M:%S.%f') AS started, strftime(process_term, '%Y-%m-%d %H:%M:%S.%f') AS term`,
    )
  ).find((r) => r.pid_hash === hashOf('x'))!;
  assert.equal(x.started, '2024-01-01 10:00:00.000000');
  assert.equal(x.term, '2024-01-03 12:00:00.000000');
  assert.equal(x.process_name, 'svchost.exe');
});

test('raw_sensor: start/refresh/stop events, stop files without ProcessName, FILETIME times', async () => {
  const dir = caseDir();
  const raw = path.join(dir, 'in', 'raw_sensor', 'raw_process');
  const t0 = filetime('2024-01-01T10:00:00Z', 1_234_567); // 10:00:00.1234567 -> microseconds .123456
  const t1 = filetime('2024-01-01T10:05:00Z');
  const t2 = filetime('2024-01-02T06:30:00Z');
  const columns = `PidHash, ParentPidHash, PID, ParentPid, ProcessName, ProcessPath, ProcessArgs, UserName, AgentId, Hostname, ActivityType, EventTime`;
  await writeParquet(
    path.join(raw, 'dayPK=20240101', 'hourPK=10', 'process.parquet'),
    `SELECT * FROM (VALUES
       (${H('w')}, ${H('svc')}, 500, 400, 'wintap.exe', 'c:\\wintap\\wintap.exe', '', 'NA', 'agent-1', 'ACME-WS-PLU', 'start', ${t0}::BIGINT),
       (${H('w')}, ${H('svc')}, 500, 400, 'wintap.exe', 'c:\\wintap\\wintap.exe', '', 'NA', 'agent-1', 'ACME-WS-PLU', 'start', ${t0}::BIGINT),
       (${H('w')}, ${H('svc')}, 500, 400, 'wintap.exe', 'c:\\wintap\\wintap.exe', '', 'nA', 'agent-1', 'ACME-WS-PLU', 'refresh', ${t1}::BIGINT),
       (${H('m')}, ${H('w')}, 501, 500, 'mergehelper.exe', '', '-merge', 'SYSTEM', 'agent-1', 'ACME-WS-PLU', 'start', ${t1}::BIGINT)
     ) t(${columns})`,
  );
  // Shaped like fixtures/wintap/raw_processstop.parquet: no ProcessName, NULL ParentPidHash, stop-only columns.
  await writeParquet(
    path.join(raw, 'dayPK=20240102', 'hourPK=06', 'processstop.parquet'),
    `SELECT * FROM (VALUES
       (${H('w')}, NULL::VARCHAR, 540357510::BIGINT, 0, 0::BIGINT, 'PROCESS', 'ACME-WS-PLU', 'stop', ${t2}::BIGINT, 0::BIGINT, 500),
       (${H('gone')}, NULL::VARCHAR, 78814054::BIGINT, 0, 1::BIGINT, 'PROCESS', 'ACME-WS-PLU', 'stop', ${t2}::BIGINT, 0::BIGINT, 777)
     ) t(PidHash, ParentPidHash, CPUCycleCount, CPUUtilization, ExitCode, MessageType, Hostname, ActivityType, EventTime, ReceiveTime, PID)`,
  );

  const result = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  assert.equal(result.layout, 'raw_sensor');
  assert.equal(result.files, 2);
  assert.equal(result.rows, 3);
  assert.equal(result.facts.rows_read, 6);
  assert.equal(result.facts.exact_duplicates_dropped, 1);
  assert.equal(result.facts.processes_rolled_up_from_several_rows, 1, 'wintap.exe: start, refresh and stop');

  const rows = await readParquet<Rolled & { os_pid: number; args: string | null; ExitCode: string | null }>(
    result.output,
    `${ROLLED}, os_pid, args, ExitCode`,
  );
  const w = rows.find((r) => r.pid_hash === hashOf('w'))!;
  assert.equal(w.process_name, 'wintap.exe', 'the name comes from the start row; the stop file has none');
  assert.equal(w.parent_pid_hash, hashOf('svc'));
  assert.equal(w.started, '2024-01-01 10:00:00.123456', 'earliest start/refresh, FILETIME ticks / 1e7 - 11644473600');
  assert.equal(w.term, '2024-01-02 06:30:00.000000', 'latest stop');
  assert.equal(w.user_name, null, "'NA' and 'nA' become NULL");
  assert.equal(w.args, null, 'empty ProcessArgs becomes NULL');
  assert.equal(w.os_pid, 500);
  assert.equal(w.ExitCode, '0', 'stop-only columns are carried through');
  const gone = rows.find((r) => r.pid_hash === hashOf('gone'))!;
  assert.equal(gone.process_name, null);
  assert.equal(gone.parent_pid_hash, null, 'a stop-only record is a dud');
  assert.equal(gone.started, null);
  const m = rows.find((r) => r.pid_hash === hashOf('m'))!;
  assert.equal(m.user_name, 'SYSTEM');
  assert.equal(m.process_path, null);
  assert.equal(m.term, null);
});

test('ingest is checkpointed by the input fingerprint: a second call is reused', async () => {
  const dir = caseDir();
  await writeParquet(
    path.join(dir, 'in', 'process.parquet'),
    `SELECT ${H('a')} AS pid_hash, 'H' AS hostname, 'a.exe' AS process_name, ${H('b')} AS parent_pid_hash`,
  );
  const first = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  const second = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  assert.equal(first.status, 'computed');
  assert.equal(second.status, 'reused');
  assert.equal(second.key, first.key);
  assert.deepEqual(second.facts, first.facts);
});

test('column names from the input are quoted identifiers, never SQL text', async () => {
  const dir = caseDir();
  const evil = `x"; DROP TABLE events; --`;
  await writeParquet(
    path.join(dir, 'in', 'process.parquet'),
    `SELECT ${H('a')} AS pid_hash, 'H' AS hostname, 'a.exe' AS process_name, ${H('b')} AS parent_pid_hash, 'kept' AS "${evil.replaceAll('"', '""')}"`,
  );
  const result = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  assert.equal(result.rows, 1);
  const [row] = await readParquet<Record<string, string>>(result.output);
  assert.equal(row[evil], 'kept');
});

const REAL_STOP_FILE = path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'wintap', 'raw_processstop.parquet');

test('raw_sensor: the real ACME4 stop file (no ProcessName, NULL ParentPidHash) ingests as duds', async (t) => {
  if (!fs.existsSync(REAL_STOP_FILE)) {
    t.skip(`the real fixture ${REAL_STOP_FILE} is not on this machine; the generated stop file above has its shape`);
    return;
  }
  const dir = caseDir();
  // A copy inside the test's data root: the worker's DuckDB reads nothing outside its roots.
  const file = path.join(dir, 'in', 'raw_sensor', 'raw_process', 'dayPK=20231013', 'hourPK=00', 'raw_processstop.parquet');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(REAL_STOP_FILE, file);
  const result = await ingest(s.conn, { input: path.join(dir, 'in'), outDir: path.join(dir, 'out') });
  const [expected] = await duck<{ n: string; first: string }>(
    `SELECT count(DISTINCT PidHash) AS n, strftime(make_timestamp(min(EventTime) // 10 - 11644473600000000), '%Y-%m-%d %H:%M:%S.%f') AS first
       FROM read_parquet($f)`,
    { f: file },
  );
  assert.equal(result.rows, Number(expected.n));
  const rows = await readParquet<Rolled>(
    result.output,
    `pid_hash, parent_pid_hash, process_name, strftime(process_term, '%Y-%m-%d %H:%M:%S.%f') AS term`,
  );
  assert.ok(rows.every((r) => r.parent_pid_hash === null && r.process_name === null));
  assert.equal(rows.map((r) => r.term).sort()[0], expected.first);
});
