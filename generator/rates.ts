/**
 * How often each kind of process appears, calibrated so that the acme4 profile reproduces the
 * published ACME4 figures (SPEC "Reference figures"). Rates are per host-hour of capture unless named
 * otherwise; ACME4 is about 30 hosts × 14 days = 10,080 host-hours and ~18 boots per host.
 *
 * The budget behind the numbers (scale 1):
 *  - wintap lineage 247,212 ≈ mergehelper every ~5 min (each with its conhost) + wintapsvcmgr + wintap.exe;
 *  - ssm- lineage 142,082 ≈ wmic under a live ssm-agent-worker + document workers and their shells;
 *    the other ~half of ACME4's 283,125 wmic.exe hang under a worker whose record is missing (length 1);
 *  - 63 % of processes have lineage length 1: mostly conhost.exe whose parent is not in the data, plus
 *    those orphaned wmic.exe, the duds and the ntoskrnl.exe roots.
 */

/** 1,773,405 processes / (30 hosts × 14 days). */
export const ACME4_PROCESSES_PER_HOST_DAY = 4_222;

export const RATES = {
  bootsPerDay: 18 / 14,
  /** Share of boots with an interactive logon (winlogon → userinit → explorer). */
  interactiveBootShare: 0.7,

  /** wintap.exe runs mergehelper.exe every ~5 minutes per sensor. */
  mergehelperPeriodSeconds: 293,
  /** The task scheduler starts wintapsvcmgr.exe at boot and then every ~8 h. */
  wintapsvcmgrPeriodHours: 8.25,
  /** Share of wintapsvcmgr.exe whose parent the agent could not find, so it hangs under `unknown`. */
  wintapsvcmgrUnderUnknown: 0.1,

  wmicUnderWorker: 13.88,
  wmicUnderMissingWorker: 14.2,
  ssmDocumentWorker: 0.0347,

  svchostAtBoot: 24,
  svchostLater: 0.2,
  taskhostw: 0.77,
  /** powershell.exe outside SSM documents (user and scheduled), each with its conhost.exe. */
  powershell: 0.296,
  /** Everything else a lab network runs (see catalog.ts), under explorer, services or svchost. */
  misc: 7.05,
  /** A console program of the catalog gets 1..this many conhost.exe children (uniform). */
  conhostsPerConsoleProgram: 6,
  /** Nested shells in a user session (explorer → cmd → python → …): what gives depth ~15. */
  nestedChainsPerSessionHour: 0.3,
  nestedChainMaxLength: 9,

  orphanConhost: 96.0,
  /** Duds: parent_pid_hash NULL. Named ones have a start event; stop-only ones have no name at all. */
  namedDuds: 0.348,
  stopOnlyDuds: 0.694,

  /** Share of processes whose user the agent could not resolve ('NA' in raw events). */
  unresolvedUser: 0.02,
} as const;
