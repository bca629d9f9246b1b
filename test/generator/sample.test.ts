import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { generate } from '../../generator';
import { ensureSample } from '../../generator/sample';
import { one, openDb, tempDir } from './helpers';

describe('ensureSample', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('creates the small seed-1 data set once, even when asked concurrently', async () => {
    const dir = path.join(tmp.dir, 'data', 'sample');
    await Promise.all([ensureSample(dir), ensureSample(dir), ensureSample(dir)]);
    const file = path.join(dir, 'process.parquet');
    assert.deepEqual(fs.readdirSync(dir), ['process.parquet']);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['sample'], 'temporary folders left beside the sample');

    await generate({ profile: 'small', seed: 1, out: path.join(tmp.dir, 'reference') });
    assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(tmp.dir, 'reference', 'process.parquet'))));

    const db = await openDb();
    try {
      const r = await one<{ n: bigint }>(db.conn, 'SELECT count(*) AS n FROM read_parquet($file)', { file });
      assert.ok(Number(r.n) > 2000);
    } finally {
      db.close();
    }
  });

  it('leaves an existing sample alone', async () => {
    const dir = path.join(tmp.dir, 'data', 'sample');
    const file = path.join(dir, 'process.parquet');
    const before = fs.statSync(file).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ensureSample(dir);
    assert.equal(fs.statSync(file).mtimeMs, before);
  });
});
