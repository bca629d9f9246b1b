/**
 * The processes of a chunk of hosts, boot by boot, as one table per chunk written to a staging file
 * in Wintap's stdview shape (plus `first_event`, which the raw_sensor writer needs).
 *
 * Every kind below is one SELECT over the chunk's boots `b` that yields rows keyed within their boot
 * (`key`, `parent_key`). Parents are resolved afterwards by joining keys, so a kind only says *who*
 * its parent is; the pid_hash of parent and child both come from Wintap's formula. Rows of kind
 * `phantom` are hashed but never written: they are the missing parents ACME4's orphans point at.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CONHOST_ARGS, PHANTOM_CONSOLE_PARENTS, SVCHOST_GROUPS } from './catalog';
import type { Plan } from './plan';
import { RATES } from './rates';

const SECOND = 1_000_000;

/** The fixed boot chain (catalog.ts): ntoskrnl.exe, smss.exe ×3, wininit, services, the agents, logon. */
const BOOT_CHAIN_KIND = `
  SELECT b.host_idx, b.boot, c.key, c.parent AS parent_key, c.name,
         coalesce(c.pid, rand_pid(b.bid, c.key)) AS pid,
         b.bs + (c.offsetMs + floor(rnd(b.bid, c.jitterKey, 0) * c.jitterMs)::BIGINT) * 1000 AS start_us,
         CASE WHEN c.lifeMs IS NULL THEN b.be ELSE start_us + c.lifeMs * 1000 END AS term_us,
         c.args, CASE c."user" WHEN '<session>' THEN b.session_user ELSE c."user" END AS user_name,
         CASE WHEN c.phantom THEN 'phantom' ELSE 'process' END AS kind, 0 AS consoles
  FROM b JOIN boot_chain c ON b.session OR NOT c.sessionOnly`;

/** svchost.exe: one per service group at boot (0 = task scheduler, 1 = DCOM launcher), a few more later. */
const SVCHOST_KIND = `
  SELECT s.host_idx, s.boot, 'svchost/' || s.i AS key, 'services' AS parent_key, 'svchost.exe' AS name,
         rand_pid(s.bid, key) AS pid,
         CASE WHEN s.i < $svchostAtBoot THEN s.bs + 3 * ${SECOND} + s.i * 350000 + floor(rnd(s.bid, key, 1) * 300000)::BIGINT
              ELSE in_boot(s.bid, key, s.bs, s.be) END AS start_us,
         CASE WHEN s.i < $svchostAtBoot THEN s.be ELSE life(s.bid, key, start_us, s.be, 60, 10800) END AS term_us,
         g.args, g.user_name, 'process' AS kind, 0 AS consoles
  FROM (SELECT *, unnest(range($svchostAtBoot + per_boot(bid, 'svchost', hours, $svchostLater))) AS i FROM b) s
  JOIN svchost_groups g
    ON g.idx = CASE WHEN s.i < $svchostAtBoot THEN s.i
                    ELSE $svchostAtBoot + floor(rnd(s.bid, 'svchost-group', s.i) * ${SVCHOST_GROUPS.length - RATES.svchostAtBoot}) END`;

/** wintap.exe merges its buffers every ~5 minutes through mergehelper.exe, a console program. */
const MERGEHELPER_KIND = `
  SELECT host_idx, boot, 'mergehelper/' || i AS key, 'wintap' AS parent_key, 'mergehelper.exe' AS name,
         rand_pid(bid, key) AS pid,
         (bs + ((i + 1) * $mergePeriod + (rnd(bid, key, 1) - 0.5) * 20) * ${SECOND})::BIGINT AS start_us,
         life(bid, key, start_us, be, 3, 25) AS term_us,
         '"C:\\Program Files\\Wintap\\MergeHelper.exe"' AS args, 'SYSTEM' AS user_name, 'process' AS kind, 1 AS consoles
  FROM (SELECT *, unnest(range(greatest(floor((be - bs) / ${SECOND} / $mergePeriod) - 1, 0)::BIGINT)) AS i FROM b)`;

/** The scheduled wintapsvcmgr.exe; when the agent misses its svchost parent it files it under `unknown`. */
const WINTAPSVCMGR_KIND = `
  SELECT host_idx, boot, 'wintapsvcmgr/' || i AS key,
         CASE WHEN rnd(bid, key, 3) < $underUnknown THEN 'unknown' ELSE 'svchost/0' END AS parent_key,
         'wintapsvcmgr.exe' AS name, rand_pid(bid, key) AS pid,
         least((bs + 120 * ${SECOND} + (i * $svcmgrPeriodHours * 3600 + rnd(bid, key, 1) * 600) * ${SECOND})::BIGINT, be - ${SECOND}) AS start_us,
         life(bid, key, start_us, be, 2, 10) AS term_us,
         '"C:\\Program Files\\Wintap\\WintapSvcMgr.exe" -check' AS args, 'SYSTEM' AS user_name, 'process' AS kind, 0 AS consoles
  FROM (SELECT *, unnest(range(1 + floor(hours / $svcmgrPeriodHours)::BIGINT)) AS i FROM b)`;

/** SSM inventory: wmic.exe under the live worker, and as many under a worker the data lost. */
const WMIC_KIND = `
  SELECT host_idx, boot, prefix || i AS key, parent AS parent_key, 'wmic.exe' AS name, rand_pid(bid, key) AS pid,
         in_boot(bid, key, bs, be) AS start_us, life(bid, key, start_us, be, 0.5, 6) AS term_us,
         pick(getvariable('wmic_args'), rnd(bid, key, 4)) AS args, 'SYSTEM' AS user_name, 'process' AS kind, 0 AS consoles
  FROM (SELECT b.*, w.*, unnest(range(per_boot(bid, w.prefix, hours, w.rate))) AS i
        FROM b, (VALUES ('wmic/', 'ssm-worker', $wmicUnderWorker),
                        ('wmic-orphan/', 'ssm-worker-lost', $wmicUnderMissingWorker)) AS w(prefix, parent, rate))`;

/** SSM Run Command documents: ssm-document-worker.exe → powershell.exe (→ conhost.exe). */
const SSM_DOCUMENT_KIND = `
  WITH docs AS (
    SELECT host_idx, boot, bid, bs, be, 'ssm-document/' || i AS key, in_boot(bid, key, bs, be) AS start_us,
           life(bid, key, start_us, be, 30, 300) AS term_us
    FROM (SELECT *, unnest(range(per_boot(bid, 'ssm-document', hours, $ssmDocumentWorker))) AS i FROM b)
  )
  SELECT host_idx, boot, key, 'ssm-worker' AS parent_key, 'ssm-document-worker.exe' AS name, rand_pid(bid, key) AS pid,
         start_us, term_us, '"C:\\Program Files\\Amazon\\SSM\\ssm-document-worker.exe" ' || md5(key) AS args,
         'SYSTEM' AS user_name, 'process' AS kind, 0 AS consoles
  FROM docs
  UNION ALL
  SELECT host_idx, boot, key || '/powershell', key, 'powershell.exe', rand_pid(bid, key || '/powershell'),
         start_us + ${SECOND}, greatest(start_us + ${SECOND}, term_us - ${SECOND}),
         'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -f _script.ps1', 'SYSTEM', 'process', 1
  FROM docs`;

/** taskhostw.exe, started by the task scheduler's svchost.exe. */
const TASKHOSTW_KIND = `
  SELECT host_idx, boot, 'taskhostw/' || i AS key, 'svchost/0' AS parent_key, 'taskhostw.exe' AS name,
         rand_pid(bid, key) AS pid, in_boot(bid, key, bs, be) AS start_us, life(bid, key, start_us, be, 5, 7200) AS term_us,
         'taskhostw.exe' AS args, CASE WHEN session THEN session_user ELSE 'SYSTEM' END AS user_name, 'process' AS kind, 0 AS consoles
  FROM (SELECT *, unnest(range(per_boot(bid, 'taskhostw', hours, $taskhostw))) AS i FROM b)`;

/** powershell.exe outside SSM: a user's shell, or a scheduled script. */
const POWERSHELL_KIND = `
  SELECT host_idx, boot, 'powershell/' || i AS key,
         CASE WHEN session AND rnd(bid, key, 3) < 0.5 THEN 'explorer' ELSE 'svchost/0' END AS parent_key,
         'powershell.exe' AS name, rand_pid(bid, key) AS pid, in_boot(bid, key, bs, be) AS start_us,
         life(bid, key, start_us, be, 2, 1800) AS term_us,
         CASE WHEN parent_key = 'explorer' THEN '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"'
              ELSE 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\acme\\health.ps1' END AS args,
         CASE WHEN parent_key = 'explorer' THEN session_user ELSE 'SYSTEM' END AS user_name, 'process' AS kind, 1 AS consoles
  FROM (SELECT *, unnest(range(per_boot(bid, 'powershell', hours, $powershell))) AS i FROM b)`;

/** The everyday programs of the catalog, each under the parent its role implies. */
const PROGRAM_KIND = `
  SELECT m.host_idx, m.boot, m.key,
         CASE p.role WHEN 'explorer' THEN CASE WHEN m.session THEN 'explorer' ELSE 'svchost/0' END
                     WHEN 'scheduler' THEN 'svchost/0'
                     WHEN 'dcom' THEN 'svchost/1'
                     WHEN 'services' THEN 'services'
                     ELSE 'svchost/' || (2 + floor(rnd(m.bid, m.key, 3) * 20)::BIGINT) END AS parent_key,
         p.name, rand_pid(m.bid, m.key) AS pid, in_boot(m.bid, m.key, m.bs, m.be) AS start_us,
         life(m.bid, m.key, start_us, m.be, 1, p.maxLifeSeconds) AS term_us, p.args,
         CASE WHEN p.role = 'explorer' AND m.session THEN m.session_user ELSE 'SYSTEM' END AS user_name,
         'process' AS kind,
         CASE WHEN p.console THEN 1 + floor(rnd(m.bid, m.key, 5) * $conhostsPerConsole)::INTEGER ELSE 0 END AS consoles
  FROM (SELECT *, 'program/' || i AS key,
               floor(rnd(bid, 'program/' || i, 6) * getvariable('program_slots'))::INTEGER AS slot
        FROM (SELECT *, unnest(range(per_boot(bid, 'program', hours, $programs))) AS i FROM b)) m
  JOIN program_slots USING (slot)
  JOIN programs p USING (program_idx)`;

/** Shells nested in a user session (explorer → cmd → python → cmd → …), the deepest lineages. */
const NESTED_SHELL_KIND = `
  WITH chains AS (
    SELECT *, 'chain/' || c AS chain, 1 + floor(rnd(bid, chain, 0) * $chainMaxLength)::BIGINT AS len,
           in_boot(bid, chain, bs, be) AS chain_start
    FROM (SELECT *, unnest(range(per_boot(bid, 'chain', hours, $chainsPerHour))) AS c FROM b WHERE session)
  )
  SELECT host_idx, boot, chain || '/' || j AS key,
         CASE WHEN j = 0 THEN 'explorer' ELSE chain || '/' || (j - 1) END AS parent_key,
         pick(getvariable('nested_shells'), rnd(bid, key, 4)) AS name, rand_pid(bid, key) AS pid,
         least(chain_start + j * 2 * ${SECOND}, be - ${SECOND}) AS start_us,
         greatest(start_us, least(chain_start + (3600 - j) * ${SECOND}::BIGINT, be)) AS term_us,
         NULL AS args, session_user AS user_name, 'process' AS kind, CASE WHEN j = len - 1 THEN 1 ELSE 0 END AS consoles
  FROM (SELECT *, unnest(range(len)) AS j FROM chains)`;

/** conhost.exe whose parent is not in the data: the bulk of ACME4, lineage length 1. */
const ORPHAN_CONHOST_KIND = `
  SELECT host_idx, boot, 'orphan-console/' || i AS key,
         'console-parent-' || floor(rnd(bid, key, 3) * ${PHANTOM_CONSOLE_PARENTS})::BIGINT AS parent_key,
         'conhost.exe' AS name, rand_pid(bid, key) AS pid, in_boot(bid, key, bs, be) AS start_us,
         life(bid, key, start_us, be, 0.1, 600) AS term_us, $conhostArgs AS args,
         CASE WHEN session AND rnd(bid, key, 4) < 0.3 THEN session_user ELSE 'SYSTEM' END AS user_name,
         'process' AS kind, 0 AS consoles
  FROM (SELECT *, unnest(range(per_boot(bid, 'orphan-console', hours, $orphanConhost))) AS i FROM b)`;

/** Duds: named ones started without a parent hash; stop-only ones are known only from their stop event. */
const DUD_KIND = `
  SELECT host_idx, boot, 'dud/' || i AS key, NULL AS parent_key,
         pick(getvariable('named_dud_names'), rnd(bid, key, 4)) AS name, rand_pid(bid, key) AS pid,
         in_boot(bid, key, bs, be) AS start_us, life(bid, key, start_us, be, 1, 300) AS term_us,
         NULL AS args, 'SYSTEM' AS user_name, 'process' AS kind, 0 AS consoles
  FROM (SELECT *, unnest(range(per_boot(bid, 'dud', hours, $namedDuds))) AS i FROM b)
  UNION ALL
  SELECT host_idx, boot, 'stop-only/' || i AS key, NULL, NULL, rand_pid(bid, key),
         -- The start time only feeds the hash; the agent never saw this process start.
         in_boot(bid, key, bs, be) - floor(rnd(bid, key, 2) * 3600 * ${SECOND})::BIGINT,
         in_boot(bid, key, bs, be), NULL, NULL, 'stop_only', 0
  FROM (SELECT *, unnest(range(per_boot(bid, 'stop-only', hours, $stopOnlyDuds))) AS i FROM b)`;

/** One 2-cycle A ⇄ B on the first host (pid reuse fooled the agent's parent lookup). */
const CYCLE_KIND = `
  SELECT host_idx, boot, c.key, c.parent_key, c.name, rand_pid(bid, c.key) AS pid,
         in_boot(bid, 'cycle', bs, be) + c.offset_us AS start_us, life(bid, 'cycle', start_us, be, 30, 60) AS term_us,
         NULL AS args, 'SYSTEM' AS user_name, 'process' AS kind, 0 AS consoles
  FROM b, (VALUES ('cycle-a', 'cycle-b', 'rundll32.exe', 0), ('cycle-b', 'cycle-a', 'dllhost.exe', 1000)) AS c(key, parent_key, name, offset_us)
  WHERE b.host_idx = 0 AND b.boot = 0`;

const KINDS = [
  BOOT_CHAIN_KIND,
  SVCHOST_KIND,
  MERGEHELPER_KIND,
  WINTAPSVCMGR_KIND,
  WMIC_KIND,
  SSM_DOCUMENT_KIND,
  TASKHOSTW_KIND,
  POWERSHELL_KIND,
  PROGRAM_KIND,
  NESTED_SHELL_KIND,
  ORPHAN_CONHOST_KIND,
  DUD_KIND,
  CYCLE_KIND,
];

const BASE_SQL = `
  CREATE OR REPLACE TEMP TABLE proc_base AS
  WITH b AS (SELECT * FROM boots WHERE host_idx BETWEEN $first AND $last)
  ${KINDS.map(
    (k) => `SELECT host_idx::INTEGER AS host_idx, boot::INTEGER AS boot, key::VARCHAR AS key, parent_key::VARCHAR AS parent_key,
       name::VARCHAR AS name, pid::INTEGER AS pid, start_us::BIGINT AS start_us, term_us::BIGINT AS term_us, args::VARCHAR AS args,
       user_name::VARCHAR AS user_name, kind::VARCHAR AS kind, consoles::INTEGER AS consoles
     FROM (${k})`,
  ).join('\n  UNION ALL\n  ')}`;

/** Console programs get their conhost.exe a few milliseconds after they start; it lives as long. */
const HASHED_SQL = `
  CREATE OR REPLACE TEMP TABLE proc AS
  WITH all_rows AS (
    SELECT host_idx, boot, key, parent_key, name, pid, start_us, term_us, args, user_name, kind FROM proc_base
    UNION ALL
    SELECT host_idx, boot, key || '/conhost/' || j, key, 'conhost.exe', rand_pid(host_idx * 100000 + boot, key || '/conhost/' || j),
           start_us + 30000 + j * (coalesce(term_us, start_us) - start_us) // consoles,
           term_us, $conhostArgs, user_name, 'process'
    FROM (SELECT *, unnest(range(consoles)) AS j FROM proc_base WHERE consoles > 0)
  )
  SELECT r.*, h.hostname, h.agent_id, pid_hash(filetime(r.start_us), h.hostname, h.agent_id, r.pid) AS pid_hash
  FROM all_rows r JOIN hosts h USING (host_idx)`;

/**
 * The stdview row of every written process. A process still running at the end of the capture has
 * no stop, hence a NULL process_term. Processes that started before wintap.exe are first seen by
 * the agent's initial `refresh` sweep, not by a `start` event.
 */
const STAGING_SQL = `
  COPY (
    SELECT c.pid_hash, c.hostname, c.pid AS os_pid,
           c.name AS process_name,
           p.pid_hash AS parent_pid_hash,
           p.pid AS parent_os_pid,
           CASE WHEN c.kind = 'stop_only' THEN NULL ELSE i.path END AS process_path,
           c.args,
           CASE WHEN c.kind = 'stop_only' OR rnd(0, c.pid_hash, 11) < $unresolvedUser THEN NULL ELSE c.user_name END AS user_name,
           CASE WHEN c.kind = 'stop_only' THEN NULL ELSE c.agent_id END AS agent_id,
           CASE WHEN c.kind = 'stop_only' THEN NULL ELSE make_timestamp(c.start_us) END AS process_started,
           CASE WHEN c.term_us >= $windowEnd THEN NULL ELSE make_timestamp(c.term_us) END AS process_term,
           CASE WHEN c.kind = 'stop_only' THEN NULL
                WHEN c.start_us < bt.bs + 15 * ${SECOND} THEN 'refresh' ELSE 'start' END AS first_event
    FROM proc c
    JOIN boots bt USING (host_idx, boot)
    LEFT JOIN proc p ON p.host_idx = c.host_idx AND p.boot = c.boot AND p.key = c.parent_key
    LEFT JOIN image_paths i ON i.name = c.name
    WHERE c.kind <> 'phantom'
    ORDER BY c.host_idx, coalesce(c.start_us, c.term_us), c.pid_hash
  ) TO $path (FORMAT parquet, COMPRESSION snappy)`;

/** Generate hosts first..last into one staging parquet file; returns the rows written. */
export async function writeChunk(conn: DuckDBConnection, plan: Plan, first: number, last: number, path: string): Promise<number> {
  await conn.run(BASE_SQL, {
    first,
    last,
    svchostAtBoot: RATES.svchostAtBoot,
    svchostLater: RATES.svchostLater,
    mergePeriod: RATES.mergehelperPeriodSeconds,
    underUnknown: RATES.wintapsvcmgrUnderUnknown,
    svcmgrPeriodHours: RATES.wintapsvcmgrPeriodHours,
    wmicUnderWorker: RATES.wmicUnderWorker,
    wmicUnderMissingWorker: RATES.wmicUnderMissingWorker,
    ssmDocumentWorker: RATES.ssmDocumentWorker,
    taskhostw: RATES.taskhostw,
    powershell: RATES.powershell,
    programs: RATES.misc,
    conhostsPerConsole: RATES.conhostsPerConsoleProgram,
    chainsPerHour: RATES.nestedChainsPerSessionHour,
    chainMaxLength: RATES.nestedChainMaxLength,
    orphanConhost: RATES.orphanConhost,
    namedDuds: RATES.namedDuds,
    stopOnlyDuds: RATES.stopOnlyDuds,
    conhostArgs: CONHOST_ARGS,
  });
  await conn.run(HASHED_SQL, { conhostArgs: CONHOST_ARGS });
  const written = await conn.run(STAGING_SQL, { path, windowEnd: plan.windowEndUs, unresolvedUser: RATES.unresolvedUser });
  const rows = Number(written.rowsChanged);
  await conn.run('DROP TABLE proc_base; DROP TABLE proc');
  return rows;
}
