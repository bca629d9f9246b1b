/**
 * Partitioned runs on the real dev server: split by host, lineage and labels per partition in child
 * workflows, merged into exactly the outputs of an unpartitioned run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generate } from '../../generator';
import { packHosts } from '../../activities/partition';
import { platformNoisePipeline } from '../../workflows/pipeline';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { tempDir, writeProcessTable } from '../support/process-table';
import { assertSameOutputs } from '../support/same-outputs';

let root: string;
let tw: TestWorker;

before(async () => {
  root = tempDir();
  // Edge cases on several hosts: a parent on another host, a 2-cycle, a self-parented root, duds,
  // a NULL name mid-chain, a missing parent, and a host of one process.
  const host = (h: string, rows: Array<[string, string | null, string | null]>) =>
    rows.map(([id, name, parent]) => ({
      id: `${h}:${id}`,
      name,
      parent: parent === null ? null : parent.includes(':') ? parent : `${h}:${parent}`,
      host: h,
    }));
  await writeProcessTable(path.join(root, 'lab'), [
    ...host('ACME-WS-AAA', [
      ['nt', 'ntoskrnl.exe', 'nt'],
      ['svc', 'services.exe', 'nt'],
      ['ssm', 'amazon-ssm-agent.exe', 'svc'],
      ['ssmw', 'ssm-agent-worker.exe', 'ssm'],
      ['wmic', 'wmic.exe', 'ssmw'],
      ['anon', null, 'ssmw'],
      ['under-anon', 'conhost.exe', 'anon'],
      ['dud', null, null],
    ]),
    ...host('ACME-WS-BBB', [
      ['nt', 'ntoskrnl.exe', 'nt'],
      ['wt', 'wintap.exe', 'nt'],
      ['mh', 'mergehelper.exe', 'wt'],
      ['a', 'a.exe', 'b'],
      ['b', 'b.exe', 'a'],
      ['c', 'wintapsvcmgr.exe', 'a'],
      ['x', 'explorer.exe', 'ACME-WS-AAA:ssm'],
    ]),
    ...host('ACME-HH-CCC', [
      ['ch', 'conhost.exe', 'missing'],
      ['ch2', 'conhost.exe', 'ch'],
    ]),
    ...host('ACME-HH-DDD', [['lone', 'wintap.exe', 'missing']]),
  ]);
  const generated = await generate({ profile: 'small', scale: 4, seed: 7, out: path.join(root, 'gen') });
  assert.ok(generated.hosts >= 7, `the generated set spreads over several hosts (${generated.hosts})`);
  tw = await startTestWorker(root, { name: 'partitions' });
});

after(async () => {
  await tw?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

async function runPipeline(input: string, out: string, partitions: number) {
  const handle = await tw.client.workflow.start(platformNoisePipeline, {
    taskQueue: tw.taskQueue,
    workflowId: `partitions-${path.basename(out)}-${Date.now()}`,
    args: [{ input, out, partitions, report: false }],
  });
  return { handle, result: await handle.result() };
}

test('host bin-packing is balanced, deterministic, and never makes more partitions than hosts', () => {
  const hosts = [
    { hostname: 'e', processes: 10 },
    { hostname: 'a', processes: 50 },
    { hostname: 'd', processes: 20 },
    { hostname: 'b', processes: 40 },
    { hostname: 'c', processes: 30 },
  ];
  const plan = packHosts(hosts, 2);
  // Largest first into the lightest bin: a->0, b->1, c->1, d->0, e->0: loads 80 and 70.
  assert.deepEqual(Object.fromEntries(plan), { a: 0, b: 1, c: 1, d: 0, e: 0 });
  assert.deepEqual(Object.fromEntries(packHosts([...hosts].reverse(), 2)), Object.fromEntries(plan), 'input order does not matter');
  assert.equal(new Set(packHosts(hosts, 10).values()).size, 5, 'at most one partition per host');
  // Ties between equal hosts go by name, so equal loads still split the same way every time.
  const equal = packHosts(
    ['h3', 'h1', 'h2', 'h4'].map((hostname) => ({ hostname, processes: 5 })),
    2,
  );
  assert.deepEqual(Object.fromEntries(equal), { h1: 0, h2: 1, h3: 0, h4: 1 });
});

for (const [input, partitions] of [
  ['lab', 3],
  // Issue 8's check: 7 partitions over a data set with many hosts.
  ['gen', 7],
] as const) {
  test(`${input}: ${partitions} partitions give exactly the unpartitioned outputs`, async () => {
    const whole = await runPipeline(input, path.join(root, 'runs', `${input}-whole`), 1);
    const split = await runPipeline(input, path.join(root, 'runs', `${input}-split`), partitions);
    await assertSameOutputs(whole.result.outDir, split.result.outDir);
    assert.deepEqual(split.result.proportions, whole.result.proportions);

    // The lineage facts in run.json add up to the unpartitioned ones.
    const quality = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).quality;
    const { partitions: used, ...facts } = quality(split.result.outDir);
    assert.equal(used, partitions);
    assert.deepEqual(facts, quality(whole.result.outDir));

    // The fan-out ran in child workflows: one for lineage and one for labels (fewer than 64 partitions).
    const children: string[] = [];
    for (const event of (await split.handle.fetchHistory()).events ?? [])
      if (event.childWorkflowExecutionStartedEventAttributes)
        children.push(event.childWorkflowExecutionStartedEventAttributes.workflowType?.name ?? '');
    assert.deepEqual(children, ['lineagePartitions', 'labelPartitions']);

    // A second partitioned run reuses every partition and merge checkpoint.
    const again = await runPipeline(input, split.result.outDir, partitions);
    const statuses = Object.fromEntries(again.result.steps.map((s) => [s.name, s.status]));
    assert.equal(statuses.lineage, 'reused');
    assert.equal(statuses['label:wintap'], 'reused');
  });
}
