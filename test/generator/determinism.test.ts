import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../generator';
import { one, openDb, parquetFiles, rollUp, symmetricDifference, tempDir } from './helpers';

/** An order-independent fingerprint of a table's rows. */
async function contentHash(conn: import('@duckdb/node-api').DuckDBConnection, table: string): Promise<string> {
  const r = await one<{ h: string }>(
    conn,
    `SELECT md5(string_agg(md5(CAST(t AS VARCHAR)), '' ORDER BY md5(CAST(t AS VARCHAR)))) AS h FROM ${table} t`,
  );
  return r.h;
}

describe('determinism', () => {
  const tmp = tempDir();
  const run = (name: string) => path.join(tmp.dir, name);

  before(async () => {
    await generate({ profile: 'small', seed: 7, out: run('a') });
    await generate({ profile: 'small', seed: 7, out: run('b') });
    await generate({ profile: 'small', seed: 8, out: run('c') });
    await generate({ profile: 'acme4', scale: 0.01, seed: 7, out: run('a'), layout: 'raw_sensor' });
    await generate({ profile: 'acme4', scale: 0.01, seed: 7, out: run('b'), layout: 'raw_sensor' });
  });
  after(() => tmp.cleanup());

  it('the same seed gives the same rows', async () => {
    const db = await openDb();
    try {
      await rollUp(db.conn, run('a'), 'stdview', 'a');
      await rollUp(db.conn, run('b'), 'stdview', 'b');
      const n = await one<{ n: bigint }>(db.conn, 'SELECT count(*) AS n FROM a');
      assert.ok(Number(n.n) > 1000);
      assert.equal(await symmetricDifference(db.conn, 'a', 'b'), 0);
      assert.equal(await contentHash(db.conn, 'a'), await contentHash(db.conn, 'b'));
    } finally {
      db.close();
    }
  });

  it('the same seed gives the same files, byte for byte', () => {
    assert.ok(fs.readFileSync(path.join(run('a'), 'process.parquet')).equals(fs.readFileSync(path.join(run('b'), 'process.parquet'))));
    const rel = (root: string) => parquetFiles(path.join(root, 'raw_sensor')).map((f) => path.relative(root, f));
    assert.deepEqual(rel(run('a')), rel(run('b')));
    for (const f of rel(run('a'))) {
      assert.ok(fs.readFileSync(path.join(run('a'), f)).equals(fs.readFileSync(path.join(run('b'), f))), `${f} differs between runs`);
    }
  });

  it('another seed gives other processes', async () => {
    const db = await openDb();
    try {
      await rollUp(db.conn, run('a'), 'stdview', 'a');
      await rollUp(db.conn, run('c'), 'stdview', 'c');
      assert.notEqual(await contentHash(db.conn, 'a'), await contentHash(db.conn, 'c'));
      const shared = await one<{ n: bigint }>(db.conn, 'SELECT count(*) AS n FROM a JOIN c USING (pid_hash)');
      assert.equal(Number(shared.n), 0, 'no pid_hash should survive a change of seed');
      const hosts = await one<{ same: boolean }>(
        db.conn,
        'SELECT (SELECT list(DISTINCT hostname ORDER BY hostname) FROM a) = (SELECT list(DISTINCT hostname ORDER BY hostname) FROM c) AS same',
      );
      assert.equal(hosts.same, false, 'host names should depend on the seed');
    } finally {
      db.close();
    }
  });
});
