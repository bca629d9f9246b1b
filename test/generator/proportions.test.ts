import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../generator';
import { computeLineage, one, openDb, tempDir } from './helpers';

/** SPEC "Reference figures" (ACME4). */
const ACME4 = {
  ratio: 0.2210257432241002,
  lengthOneShare: 1 - 649_421 / 1_773_405,
  dudShare: 12_126 / 1_773_405,
  conhostShare: 1_244_024 / 1_773_405,
  wmicShare: 283_125 / 1_773_405,
};

describe('acme4 proportions at scale 0.01', () => {
  const tmp = tempDir();
  const db = openDb();
  let figures: Record<string, number>;

  before(async () => {
    await generate({ profile: 'acme4', scale: 0.01, seed: 11, out: tmp.dir });
    const { conn } = await db;
    await conn.run('CREATE TABLE p AS SELECT * FROM read_parquet($file)', { file: `${tmp.dir}/process.parquet` });
    await computeLineage(conn, 'p');
    const r = await one<Record<string, number | bigint>>(
      conn,
      `SELECT count(*) AS processes,
              count(*) FILTER (NOT is_dud) AS num_total,
              count(*) FILTER (NOT is_dud AND ptree LIKE '%wintap%') AS wintap,
              count(*) FILTER (NOT is_dud AND ptree LIKE '%ssm-%') AS aws,
              count(*) FILTER (length = 1) AS length_one,
              count(*) FILTER (is_dud) AS duds,
              max(length) AS max_length,
              (SELECT count(*) FILTER (process_name = 'conhost.exe') FROM p) AS conhost,
              (SELECT count(*) FILTER (process_name = 'wmic.exe') FROM p) AS wmic
       FROM lineage`,
    );
    figures = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
  });
  after(async () => {
    (await db).close();
    tmp.cleanup();
  });

  const near = (actual: number, expected: number, tolerance: number, what: string) =>
    assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(4)}, expected ${expected.toFixed(4)} ± ${tolerance}`);

  it('is about 1 % of ACME4', () => {
    assert.ok(figures.processes > 14_000 && figures.processes < 22_000, `processes: ${figures.processes}`);
  });

  it('has the noise ratio of ACME4 (wintap + ssm- over non-duds)', () => {
    near((figures.wintap + figures.aws) / figures.num_total, ACME4.ratio, 0.03, 'ratio');
    // Wintap's share is larger than SSM's, as in ACME4 (247 k vs 142 k).
    assert.ok(figures.wintap > figures.aws * 1.4 && figures.wintap < figures.aws * 2.1, `wintap ${figures.wintap}, ssm ${figures.aws}`);
  });

  it('has 63 % of processes with a lineage of length 1, and depth ~15', () => {
    near(figures.length_one / figures.processes, ACME4.lengthOneShare, 0.04, 'length-1 share');
    assert.ok(figures.max_length >= 12 && figures.max_length <= 17, `longest lineage: ${figures.max_length}`);
  });

  it('has the duds and the name mix of ACME4', () => {
    near(figures.duds / figures.processes, ACME4.dudShare, 0.004, 'dud share');
    near(figures.conhost / figures.processes, ACME4.conhostShare, 0.04, 'conhost.exe share');
    near(figures.wmic / figures.processes, ACME4.wmicShare, 0.03, 'wmic.exe share');
  });
});
