import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerGenerate } from '../../cli/generate';
import { generate } from '../../generator';
import { tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `generate` through a real commander program in a child process, as the main CLI would. */
function runCli(scriptDir: string, args: string[]) {
  const script = path.join(scriptDir, 'cli-under-test.ts');
  fs.writeFileSync(
    script,
    `import { Command } from ${JSON.stringify(require.resolve('commander'))};
     import { registerGenerate } from ${JSON.stringify(path.join(ROOT, 'cli', 'generate'))};
     const program = new Command('wintap-noise');
     registerGenerate(program);
     program.parseAsync(process.argv).catch((err) => { console.error(err); process.exit(1); });\n`,
  );
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('wintap-noise generate', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('registers a generate command', () => {
    const program = new Command('wintap-noise');
    registerGenerate(program);
    const command = program.commands.find((c) => c.name() === 'generate');
    assert.ok(command);
    assert.deepEqual(
      command.options.map((o) => o.long),
      ['--profile', '--scale', '--seed', '--out', '--layout'],
    );
  });

  it('writes the data set and prints a one-line summary', async () => {
    const out = path.join(tmp.dir, 'cli');
    const r = runCli(tmp.dir, ['generate', '--profile', 'small', '--seed', '4', '--out', out, '--layout', 'rolling']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^generated [\d,]+ processes on 5 hosts \(small, scale 1, seed 4\) in [\d.]+ s: rolling, 1 file at .*rolling\/process\n$/,
    );
    assert.match(r.stderr, /generate: 100%/, 'plain progress lines when stderr is not a terminal');
    assert.ok(fs.existsSync(path.join(out, 'rolling', 'process')));
    const api = await generate({ profile: 'small', seed: 4, out: path.join(tmp.dir, 'api') });
    assert.ok(r.stdout.startsWith(`generated ${api.processes.toLocaleString('en-US')} processes`));
  });

  for (const [args, message] of [
    [['--scale', '0'], /--scale: .*\(got "0"\)/],
    [['--scale', 'lots'], /--scale: /],
    [['--seed', '1.5'], /--seed: /],
    [['--profile', 'acme5'], /--profile: /],
    [['--layout', 'csv'], /--layout: /],
    [[], /--out: required/],
  ] as Array<[string[], RegExp]>) {
    it(`refuses ${args.join(' ') || 'a missing --out'} with exit code 2 and one line`, () => {
      const withOut = args.length === 0 ? [] : ['--out', path.join(tmp.dir, 'never')];
      const r = runCli(tmp.dir, ['generate', ...withOut, ...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!fs.existsSync(path.join(tmp.dir, 'never')));
    });
  }
});
