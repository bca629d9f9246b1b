/**
 * The bad inputs of issue 7, each written for real under a given folder, with the cause its error
 * message must name. Shared by the step-level test and the CLI test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashOf, writeProcessTable } from '../support/process-table';
import { writeParquet } from '../activities/step-db';

export interface BadInput {
  name: string;
  /** Write the input under `dir`; returns the path to give the run. */
  write(dir: string): Promise<string>;
  message: RegExp;
}

const H = (id: string) => `'${hashOf(id)}'`;

/** A stdview table written from a SELECT (the test's own SQL) as `<dir>/process.parquet`. */
const table = (select: string) => async (dir: string) => {
  await writeParquet(path.join(dir, 'process.parquet'), select);
  return dir;
};

export const BAD_INPUTS: BadInput[] = [
  {
    name: 'missing path',
    write: async (dir) => path.join(dir, 'no-such-data-set'),
    message: /does not exist; check the path/,
  },
  {
    name: 'empty folder',
    write: async (dir) => {
      fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
      return path.join(dir, 'empty');
    },
    message: /no Wintap process data found at .*expected a process\.parquet file/,
  },
  {
    name: 'not parquet',
    write: async (dir) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'process.parquet'), 'pid_hash,hostname\nA,B\n');
      return dir;
    },
    message: /is not readable as parquet .*replace or remove the damaged file/,
  },
  {
    name: 'corrupt parquet',
    write: async (dir) => {
      const file = await writeProcessTable(dir, [{ id: 'a', name: 'a.exe', parent: 'b' }]);
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(file, bytes.subarray(0, bytes.length - 20));
      return dir;
    },
    message: /is not readable as parquet/,
  },
  {
    name: 'missing required column',
    write: table(`SELECT ${H('a')} AS pid_hash, 'ACME-WS-PLU' AS hostname, 'a.exe' AS process_name`),
    message: /column parent_pid_hash is missing.*expected a Wintap process table/,
  },
  {
    name: 'wrong column types',
    write: table(`SELECT 12345 AS pid_hash, 'ACME-WS-PLU' AS hostname, 'a.exe' AS process_name, ${H('p')} AS parent_pid_hash`),
    message: /column pid_hash has type INTEGER; expected VARCHAR/,
  },
  {
    name: 'zero rows',
    write: async (dir) => {
      await writeProcessTable(dir, []);
      return dir;
    },
    message: /has no process rows/,
  },
  {
    name: 'hashes not 32 hex characters',
    write: table(`SELECT 'ABC123' AS pid_hash, 'ACME-WS-PLU' AS hostname, 'a.exe' AS process_name, ${H('p')} AS parent_pid_hash`),
    message: /1 pid_hash values that are not 32 upper-case hex characters \(e\.g\. "ABC123"\)/,
  },
  {
    name: 'NULL hostnames',
    write: table(
      `SELECT * FROM (VALUES (${H('a')}, NULL, 'a.exe', ${H('p')}), (${H('b')}, '', 'b.exe', ${H('a')})) t(pid_hash, hostname, process_name, parent_pid_hash)`,
    ),
    message: /has 2 rows with no hostname/,
  },
  {
    name: 'conflicting duplicate rows for one pid_hash',
    write: table(
      `SELECT * FROM (VALUES (${H('a')}, 'ACME-WS-PLU', 'a.exe', ${H('p')}), (${H('a')}, 'ACME-WS-PLU', 'a.exe', ${H('q')})) t(pid_hash, hostname, process_name, parent_pid_hash)`,
    ),
    message: new RegExp(`conflicting rows for 1 pid_hash values, e\\.g\\. ${hashOf('a')} \\(1 hostnames, 2 parents`),
  },
];

export interface BadRules {
  name: string;
  text: string;
  message: RegExp;
}

export const BAD_RULES: BadRules[] = [
  { name: 'not JSON', text: '[{"label": "wintap", "pattern": "wintap"', message: /JSON/ },
  { name: 'empty label', text: '[{"label": "", "pattern": "wintap"}]', message: /label must not be empty/ },
  { name: 'empty pattern', text: '[{"label": "wintap", "pattern": ""}]', message: /pattern must not be empty/ },
  {
    name: 'duplicated label',
    text: '[{"label": "wintap", "pattern": "wintap"}, {"label": "wintap", "pattern": "mergehelper"}]',
    message: /label "wintap" is used by two rules/,
  },
  { name: 'no rules', text: '[]', message: /at least one rule is needed/ },
];
