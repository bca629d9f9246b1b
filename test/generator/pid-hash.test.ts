import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../generator';
import { PID_HASH_MACRO, pidHash } from '../../generator/pid-hash';
import { openDb, rows, tempDir } from './helpers';

const VECTOR = {
  startFiletime: 133690000000000000n,
  hostname: 'ACME-WS-PLU',
  agentId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  pid: 1234,
};
const EXPECTED = 'E269192BD428A1B858536B95BA636FEC';

describe('pid_hash', () => {
  it('matches the Wintap test vector', () => {
    assert.equal(pidHash(VECTOR), EXPECTED);
  });

  it('changes with every part of the identity', () => {
    assert.notEqual(pidHash({ ...VECTOR, pid: 1238 }), EXPECTED);
    assert.notEqual(pidHash({ ...VECTOR, startFiletime: 133690000000000001n }), EXPECTED);
    assert.notEqual(pidHash({ ...VECTOR, hostname: 'ACME-WS-PLV' }), EXPECTED);
  });

  it('gives the same vector as the SQL macro the generator uses', async () => {
    const db = await openDb();
    try {
      await db.conn.run(PID_HASH_MACRO);
      const [r] = await rows<{ h: string }>(db.conn, 'SELECT pid_hash($ft::BIGINT, $host, $agent, $pid::INTEGER) AS h', {
        ft: VECTOR.startFiletime,
        host: VECTOR.hostname,
        agent: VECTOR.agentId,
        pid: VECTOR.pid,
      });
      assert.equal(r.h, EXPECTED);
    } finally {
      db.close();
    }
  });

  describe('in generated data', () => {
    const tmp = tempDir();
    before(() => generate({ profile: 'small', seed: 5, out: tmp.dir }));
    after(() => tmp.cleanup());

    it('every process that was seen starting carries the hash of its start, host, agent and pid', async () => {
      const db = await openDb();
      try {
        const sample = await rows<{ pid_hash: string; ft: bigint; hostname: string; agent_id: string; os_pid: number }>(
          db.conn,
          `SELECT pid_hash, epoch_us(process_started) * 10 + 116444736000000000 AS ft, hostname, agent_id, os_pid
           FROM read_parquet($file) WHERE process_started IS NOT NULL ORDER BY pid_hash`,
          { file: `${tmp.dir}/process.parquet` },
        );
        assert.ok(sample.length > 1000, `expected a few thousand processes, got ${sample.length}`);
        for (const r of sample) {
          assert.equal(r.pid_hash, pidHash({ startFiletime: r.ft, hostname: r.hostname, agentId: r.agent_id, pid: r.os_pid }));
        }
      } finally {
        db.close();
      }
    });
  });
});
