import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listValue } from '@duckdb/node-api';
import { generate } from '../../generator';
import { one, openDb, parquetFiles, rollUp, rows, symmetricDifference, tempDir } from './helpers';

describe('the three layouts of one seed', () => {
  const tmp = tempDir();
  const db = openDb();
  const results: Record<string, Awaited<ReturnType<typeof generate>>> = {};

  before(async () => {
    // Two days and a few hosts: enough for processes alive over several days and for every quirk.
    for (const layout of ['stdview', 'rolling', 'raw_sensor'] as const) {
      results[layout] = await generate({ profile: 'acme4', scale: 0.02, seed: 3, out: tmp.dir, layout });
    }
  });
  after(async () => {
    (await db).close();
    tmp.cleanup();
  });

  it('are written where the SPEC says', () => {
    assert.ok(fs.existsSync(path.join(tmp.dir, 'process.parquet')));
    const rolling = parquetFiles(path.join(tmp.dir, 'rolling', 'process')).map((f) => path.relative(tmp.dir, f));
    assert.ok(rolling.length >= 2);
    for (const f of rolling) assert.match(f, /^rolling\/process\/dayPK=\d{8}\/part-0\.parquet$/);
    const raw = parquetFiles(path.join(tmp.dir, 'raw_sensor', 'raw_process')).map((f) => path.relative(tmp.dir, f));
    for (const f of raw) assert.match(f, /^raw_sensor\/raw_process\/dayPK=\d{8}\/hourPK=\d{2}\/raw_process(stop)?-\d+\.parquet$/);
    assert.equal(results.rolling.files, rolling.length);
    assert.equal(results.raw_sensor.files, raw.length);
    assert.ok(
      fs.readdirSync(tmp.dir).every((name) => !name.startsWith('.generate-')),
      'staging folder left behind',
    );
  });

  it('roll up to the same processes', async () => {
    const { conn } = await db;
    await rollUp(conn, tmp.dir, 'stdview', 'from_stdview');
    await rollUp(conn, tmp.dir, 'rolling', 'from_rolling');
    await rollUp(conn, tmp.dir, 'raw_sensor', 'from_raw');
    const n = await one<{ n: bigint }>(conn, 'SELECT count(*) AS n FROM from_stdview');
    assert.equal(Number(n.n), results.stdview.processes);
    assert.equal(await symmetricDifference(conn, 'from_stdview', 'from_rolling'), 0);
    assert.equal(await symmetricDifference(conn, 'from_stdview', 'from_raw'), 0);
  });

  it('rolling repeats processes alive over several days, and re-delivers some rows', async () => {
    const { conn } = await db;
    const files = listValue(parquetFiles(path.join(tmp.dir, 'rolling', 'process')));
    const r = await one<{ multi_day: bigint; three_days: bigint; open_days: bigint; duplicates: bigint }>(
      conn,
      `WITH r AS (SELECT *, filename FROM read_parquet($files, filename = true))
       SELECT (SELECT count(*) FROM (SELECT pid_hash FROM r GROUP BY pid_hash HAVING count(DISTINCT filename) >= 2)) AS multi_day,
              (SELECT count(*) FROM (SELECT pid_hash FROM r GROUP BY pid_hash HAVING count(DISTINCT filename) >= 3)) AS three_days,
              -- Days before a process's last have no process_term yet: the rows differ, a real roll-up is needed.
              (SELECT count(*) FROM (SELECT pid_hash FROM (SELECT DISTINCT * EXCLUDE (filename) FROM r)
                                     GROUP BY pid_hash HAVING count(*) >= 2 AND count(process_term) = 1)) AS open_days,
              (SELECT count(*) FROM r) - (SELECT count(*) FROM (SELECT DISTINCT * EXCLUDE (filename) FROM r)) AS duplicates`,
      { files },
    );
    assert.ok(Number(r.multi_day) > 0 && Number(r.three_days) > 0, `multi-day ${r.multi_day}, three days ${r.three_days}`);
    assert.ok(Number(r.open_days) > 0, 'multi-day processes should have rows without process_term');
    assert.ok(Number(r.duplicates) > 0);
  });

  it('raw_sensor has the quirks of real agent output', async () => {
    const { conn } = await db;
    const dir = path.join(tmp.dir, 'raw_sensor', 'raw_process');
    const stops = parquetFiles(dir).filter((f) => path.basename(f).startsWith('raw_processstop-'));
    const starts = parquetFiles(dir).filter((f) => path.basename(f).startsWith('raw_process-'));
    assert.ok(stops.length > 0 && starts.length > 0);

    const stopColumns = (await rows<{ column_name: string }>(conn, 'DESCRIBE SELECT * FROM read_parquet($f)', { f: stops[0] })).map(
      (c) => c.column_name,
    );
    assert.ok(!stopColumns.includes('ProcessName'), 'stop files carry no ProcessName column');
    const stop = await one<{ parents: bigint; other: bigint }>(
      conn,
      `SELECT count(ParentPidHash) AS parents, count(*) FILTER (ActivityType <> 'stop') AS other FROM read_parquet($f)`,
      { f: listValue(stops) },
    );
    assert.deepEqual([Number(stop.parents), Number(stop.other)], [0, 0]);

    const ev = await one<Record<string, bigint>>(
      conn,
      `WITH e AS (SELECT * FROM read_parquet($f))
       SELECT count(*) FILTER (ActivityType = 'start') AS starts, count(*) FILTER (ActivityType = 'refresh') AS refreshes,
              count(*) FILTER (lower(UserName) = 'na') AS na_users, count(*) FILTER (ProcessArgs = '') AS empty_args,
              count(*) FILTER (ParentPidHash = '') AS empty_parents,
              count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM e)) AS duplicates
       FROM e`,
      { f: listValue(starts) },
    );
    for (const [name, n] of Object.entries(ev)) assert.ok(Number(n) > 0, `expected some ${name}`);
  });

  it('raw_sensor EventTime is a Windows FILETIME', async () => {
    const { conn } = await db;
    const r = await one<{ ok: boolean }>(
      conn,
      `SELECT bool_and(make_timestamp(EventTime // 10 - 11644473600000000) BETWEEN TIMESTAMP '2023-11-01' AND TIMESTAMP '2023-12-01') AS ok
       FROM read_parquet($f, union_by_name = true)`,
      { f: listValue(parquetFiles(path.join(tmp.dir, 'raw_sensor', 'raw_process'))) },
    );
    assert.equal(r.ok, true);
  });
});
