/**
 * How big a generation is: hosts, capture window, and how hosts are grouped into chunks.
 *
 * Volume grows with hosts × days. Scaling both by √scale keeps a large run looking like a bigger lab
 * (more hosts, longer capture) rather than 300 hosts captured for an hour or 3 hosts for a year, and
 * keeps the per-host, per-boot structure (boots per day, mergehelper every 5 minutes) unchanged.
 */
import type { ProfileName } from './options';
import { ACME4_PROCESSES_PER_HOST_DAY } from './rates';

interface Profile {
  hosts: number;
  days: number;
}

/** acme4: the published set (tens of hosts, ~2 weeks); small: five hosts for a few hours. */
const PROFILES: Record<ProfileName, Profile> = {
  acme4: { hosts: 30, days: 14 },
  small: { hosts: 5, days: 0.15 },
};

/** ACME4's capture began in early November 2023 (the real stop file's events are from 2023-11-03). */
const WINDOW_START_US = BigInt(Date.UTC(2023, 10, 1)) * 1000n;

/** A chunk of hosts is generated in one statement and written as one staging file: bounds memory. */
const PROCESSES_PER_CHUNK = 250_000;

export interface Plan {
  hosts: number;
  days: number;
  windowStartUs: bigint;
  windowEndUs: bigint;
  /** UTC dates the capture touches: the day partitions of rolling and raw_sensor. */
  calendarDays: number;
  /** Inclusive host index ranges, in order. */
  chunks: Array<{ first: number; last: number }>;
  estimatedProcesses: number;
}

export function planFor(profile: ProfileName, scale: number): Plan {
  const base = PROFILES[profile];
  const hosts = Math.max(profile === 'small' ? 1 : 2, Math.round(base.hosts * Math.sqrt(scale)));
  const days = (base.days * base.hosts * scale) / hosts;
  const windowUs = BigInt(Math.round(days * 86_400)) * 1_000_000n;
  const perHost = ACME4_PROCESSES_PER_HOST_DAY * days;
  const hostsPerChunk = Math.max(1, Math.floor(PROCESSES_PER_CHUNK / Math.max(perHost, 1)));
  const chunks: Plan['chunks'] = [];
  for (let first = 0; first < hosts; first += hostsPerChunk) {
    chunks.push({ first, last: Math.min(hosts, first + hostsPerChunk) - 1 });
  }
  const dayUs = 86_400_000_000n;
  const calendarDays = Number((WINDOW_START_US + windowUs - 1n) / dayUs - WINDOW_START_US / dayUs) + 1;
  return {
    hosts,
    days,
    windowStartUs: WINDOW_START_US,
    windowEndUs: WINDOW_START_US + windowUs,
    calendarDays,
    chunks,
    estimatedProcesses: Math.round(perHost * hosts),
  };
}
