/**
 * The generator's own in-memory DuckDB: the macros every generating query uses (seeded randomness,
 * Wintap's pid_hash, FILETIME) and the catalog as small tables. Randomness is a hash of the seed and
 * the identity of what is being drawn, never a stateful PRNG, so any query order and any thread count
 * give the same data.
 */
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { BOOT_CHAIN, NAMED_DUD_NAMES, NESTED_SHELLS, PROGRAMS, SVCHOST_GROUPS, USERS, WMIC_ARGS, knownNames, pathOf } from './catalog';
import { PID_HASH_MACRO } from './pid-hash';

export interface GeneratorDb {
  conn: DuckDBConnection;
  close(): void;
}

const MACROS = [
  // Uniform in [0, 1), a pure function of (seed, a, b, c).
  `CREATE OR REPLACE TEMP MACRO rnd(a, b, c) AS hash(getvariable('seed'), a, b, c)::DOUBLE / 18446744073709551616.0`,
  // Windows pids are multiples of 4.
  `CREATE OR REPLACE TEMP MACRO rand_pid(a, b) AS (4 * (2 + floor(rnd(a, b, 7) * 16000)))::INTEGER`,
  `CREATE OR REPLACE TEMP MACRO pick(list, u) AS list[1 + floor(u * len(list))::BIGINT]`,
  // FILETIME: 100 ns ticks since 1601-01-01 UTC, from microseconds since 1970.
  `CREATE OR REPLACE TEMP MACRO filetime(us) AS us * 10 + 116444736000000000`,
  // How many of a kind one boot holds: rate × hours, ±15 % per boot, rounded at random.
  `CREATE OR REPLACE TEMP MACRO per_boot(bid, kind, hours, rate) AS
     floor(hours * rate * (0.85 + 0.3 * rnd(bid, kind, -1)) + rnd(bid, kind, -2))::BIGINT`,
  // A start time in the boot, after the services and any logon are up (11 min) and a minute before
  // shutdown; very short boots (tiny scales) keep the same proportions so starts stay inside the boot.
  `CREATE OR REPLACE TEMP MACRO in_boot(bid, key, bs, be) AS
     (bs + least(660000000, (be - bs) // 3)
         + floor(rnd(bid, key, 1) * greatest(be - bs - least(660000000, (be - bs) // 3) - least(60000000, (be - bs) // 10), 1)))::BIGINT`,
  // An end time min_s..max_s after start, cut by shutdown, never before the start.
  `CREATE OR REPLACE TEMP MACRO life(bid, key, start_us, be, min_s, max_s) AS
     greatest(start_us, least(start_us + ((min_s + rnd(bid, key, 2) * (max_s - min_s)) * 1000000)::BIGINT, be))`,
  PID_HASH_MACRO,
];

async function loadCatalog(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE boot_chain AS
       SELECT unnest(from_json($json, '[{"key":"VARCHAR","parent":"VARCHAR","name":"VARCHAR","pid":"INTEGER","offsetMs":"BIGINT",
         "jitterMs":"BIGINT","jitterKey":"VARCHAR","lifeMs":"BIGINT","user":"VARCHAR","args":"VARCHAR","sessionOnly":"BOOLEAN",
         "phantom":"BOOLEAN"}]'), recursive := true)`,
    { json: JSON.stringify(BOOT_CHAIN) },
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE svchost_groups AS
       SELECT (ordinality - 1)::INTEGER AS idx, g.args, g."user" AS user_name
       FROM unnest(from_json($json, '[{"args":"VARCHAR","user":"VARCHAR"}]')) WITH ORDINALITY AS t(g, ordinality)`,
    { json: JSON.stringify(SVCHOST_GROUPS) },
  );
  // One slot per unit of weight: a uniform draw over slots is a weighted draw over programs.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE programs AS
       SELECT (ordinality - 1)::INTEGER AS program_idx, p.*
       FROM unnest(from_json($json, '[{"name":"VARCHAR","role":"VARCHAR","console":"BOOLEAN","weight":"INTEGER",
         "maxLifeSeconds":"DOUBLE","args":"VARCHAR"}]')) WITH ORDINALITY AS t(p, ordinality)`,
    { json: JSON.stringify(PROGRAMS) },
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE program_slots AS
       SELECT (row_number() OVER (ORDER BY program_idx, copy) - 1)::INTEGER AS slot, program_idx
       FROM (SELECT program_idx, unnest(range(weight)) AS copy FROM programs)`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE image_paths AS
       SELECT unnest(from_json($json, '[{"name":"VARCHAR","path":"VARCHAR"}]'), recursive := true)`,
    { json: JSON.stringify(knownNames().map((name) => ({ name, path: pathOf(name) }))) },
  );
  await conn.run('SET VARIABLE program_slots = (SELECT count(*) FROM program_slots)');
  await conn.run('SET VARIABLE wmic_args = $list', { list: listValue(WMIC_ARGS) });
  await conn.run('SET VARIABLE users = $list', { list: listValue(USERS) });
  await conn.run('SET VARIABLE nested_shells = $list', { list: listValue(NESTED_SHELLS) });
  await conn.run('SET VARIABLE named_dud_names = $list', { list: listValue(NAMED_DUD_NAMES) });
}

export async function openGeneratorDb(seed: number, tempDir: string): Promise<GeneratorDb> {
  const instance = await DuckDBInstance.create(':memory:', {
    // Bounded so that scale 10 spills to disk instead of taking the machine; order kept for determinism.
    memory_limit: '2GB',
    temp_directory: tempDir,
    preserve_insertion_order: 'true',
  });
  const conn = await instance.connect();
  await conn.run('SET VARIABLE seed = $seed::INTEGER', { seed });
  for (const macro of MACROS) await conn.run(macro);
  await loadCatalog(conn);
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
