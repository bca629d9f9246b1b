/** `npx wintap-noise --help` lists every command the README documents. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'wintap-noise.js');

test('--help lists run, status, resume, schedule, report and generate', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--help'], { timeout: 60_000 });
  for (const command of ['run', 'status', 'resume', 'schedule', 'report', 'generate']) {
    assert.match(stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}`);
  }
});
