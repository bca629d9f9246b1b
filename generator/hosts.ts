/**
 * The lab: hosts (name, sensor GUID) and their boots. Boots split each host's capture window into
 * uneven spans (lab VMs are stopped and started at irregular times); a few last several days, so
 * their long-lived processes appear in several daily partitions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Plan } from './plan';
import { RATES } from './rates';

/** 26³ three-letter suffixes; 7919 is coprime with 26³, so `i·7919 mod 26³` never repeats a name. */
const HOSTS_SQL = `
  CREATE OR REPLACE TEMP TABLE hosts AS
  WITH numbered AS (
    SELECT i::INTEGER AS host_idx,
           ((i * 7919 + hash(getvariable('seed')) % 17576) % 17576)::INTEGER AS code,
           rnd(i, 'host-role', 0) AS r,
           md5('agent-' || getvariable('seed') || '-' || i) AS m
    FROM range($hosts) AS t(i)
  )
  SELECT host_idx,
         'ACME-' || CASE WHEN r < 0.55 THEN 'WS' WHEN r < 0.85 THEN 'HH' WHEN r < 0.95 THEN 'SV' ELSE 'DC' END || '-'
           || chr((65 + code // 676)::INTEGER) || chr((65 + (code // 26) % 26)::INTEGER) || chr((65 + code % 26)::INTEGER) AS hostname,
         -- The sensor GUID, formatted like the agent prints it (lower-case, version 4).
         substr(m, 1, 8) || '-' || substr(m, 9, 4) || '-4' || substr(m, 14, 3) || '-a' || substr(m, 18, 3) || '-' || substr(m, 21, 12) AS agent_id
  FROM numbered`;

const BOOTS_SQL = `
  CREATE OR REPLACE TEMP TABLE boots AS
  WITH counts AS (
    SELECT host_idx, greatest(1, round($bootsPerDay * $days * (0.75 + 0.5 * rnd(host_idx, 'boots', 0))))::INTEGER AS n
    FROM hosts
  ), weights AS (
    SELECT host_idx, n, boot, 0.5 - ln(1 - rnd(host_idx, 'boot-length', boot)) AS w
    FROM (SELECT host_idx, n, unnest(range(n)) AS boot FROM counts)
  ), spans AS (
    SELECT *, (sum(w) OVER (PARTITION BY host_idx ORDER BY boot) - w) / sum(w) OVER (PARTITION BY host_idx) AS f0,
              sum(w) OVER (PARTITION BY host_idx ORDER BY boot) / sum(w) OVER (PARTITION BY host_idx) AS f1
    FROM weights
  ), timed AS (
    SELECT host_idx, boot::INTEGER AS boot, host_idx::BIGINT * 100000 + boot AS bid,
           ($start + f0 * $window)::BIGINT
             + CASE WHEN boot = 0 THEN floor(rnd(host_idx, 'first-boot', 0) * 600000000)::BIGINT ELSE 0 END AS bs,
           -- The last boot runs past the end of the capture; earlier ones shut down a minute before the next.
           CASE WHEN boot = n - 1 THEN $end ELSE ($start + f1 * $window)::BIGINT - 60000000 END AS be
    FROM spans
  )
  SELECT *, (be - bs) / 3600e6 AS hours,
         -- The first host's first boot always has a logon, so even the smallest profile has user sessions.
         (host_idx = 0 AND boot = 0) OR rnd(bid, 'session', 0) < $sessionShare AS session,
         pick(getvariable('users'), rnd(bid, 'user', 0)) AS session_user
  FROM timed`;

export async function createHostsAndBoots(conn: DuckDBConnection, plan: Plan): Promise<void> {
  await conn.run(HOSTS_SQL, { hosts: plan.hosts });
  await conn.run(BOOTS_SQL, {
    bootsPerDay: RATES.bootsPerDay,
    days: plan.days,
    start: plan.windowStartUs,
    end: plan.windowEndUs,
    window: plan.windowEndUs - plan.windowStartUs,
    sessionShare: RATES.interactiveBootShare,
  });
}
