/**
 * Wintap's process identity. The agent does not trust the OS pid (Windows reuses pids within minutes),
 * so it names each process instance by an MD5 over its start time, host, sensor and pid, and then
 * hashes that again inside a typed envelope ("N`Process`…"). The generator must produce the same
 * hashes so that generated data is indistinguishable from real ACME4 data to the pipeline.
 */
import crypto from 'node:crypto';

export interface ProcessIdentity {
  /** Process start as a Windows FILETIME (100 ns ticks since 1601-01-01 UTC). */
  startFiletime: bigint | number | string;
  hostname: string;
  /** The sensor's agent GUID, as the agent prints it (lower-case, dashed). */
  agentId: string;
  pid: number;
}

const md5Upper = (text: string) => crypto.createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

/** The agent's inner key; note the trailing backtick, which the agent includes. */
export function processKey(id: ProcessIdentity): string {
  return md5Upper(`Process_ID\`llnl\`${String(id.startFiletime)}\`${id.hostname}\`${id.agentId}\`${id.pid}\``);
}

/** pid_hash as found in Wintap's `process` table: 32 upper-case hex characters. */
export function pidHash(id: ProcessIdentity): string {
  return md5Upper(`N\`Process\`${processKey(id)}\``);
}

/**
 * The same function as a DuckDB macro, so whole tables can be hashed in SQL:
 * `pid_hash(start_filetime BIGINT, hostname, agent_id, pid)`.
 */
export const PID_HASH_MACRO = `
  CREATE OR REPLACE TEMP MACRO pid_hash(ft, host, agent, pid) AS
    upper(md5('N\`Process\`' || upper(md5('Process_ID\`llnl\`' || CAST(ft AS VARCHAR) || '\`' || host || '\`' || agent || '\`'
      || CAST(pid AS VARCHAR) || '\`')) || '\`'))`;

/** Windows FILETIME from microseconds since the Unix epoch (the SPEC's conversion, kept exact in integers). */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;
export function filetimeFromEpochMicros(us: bigint): bigint {
  return us * 10n + FILETIME_UNIX_EPOCH;
}
