/**
 * The production topology's files, checked without a Docker engine: docker-compose.yml parsed and
 * interpolated with deploy/versions.env the way compose does, the Dockerfile read, and the worker's
 * configuration validated by the worker's own settings schema. Where the compose CLI plugin is
 * installed, `docker compose config` validates the file as well.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseSettings } from '../../config/settings';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/search-attributes';
import { tempDir } from '../support/process-table';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** KEY=value lines of an env file (comments and blanks skipped). */
function envFile(file: string): Record<string, string> {
  const entries = read(file)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, and $$ for a literal $. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (match, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (op === '-') return arg ?? '';
    throw new Error(`compose would stop: ${name} is not set (${arg ?? 'no default'})`);
  });
}

interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
  mem_limit?: string;
}

const versions = envFile('deploy/versions.env');
const compose = parse(interpolate(read('docker-compose.yml'), versions), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

test('every service the topology needs is there, and every dependency names one of them', () => {
  assert.deepEqual(Object.keys(services).sort(), [
    'postgresql',
    'temporal',
    'temporal-namespace',
    'temporal-schema',
    'temporal-ui',
    'worker',
  ]);
  for (const [name, service] of Object.entries(services))
    for (const dep of Object.keys(service.depends_on ?? {})) assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
  // Start order: schema before server, namespace after server, workers after the namespace exists.
  assert.equal(services.temporal.depends_on?.['temporal-schema'].condition, 'service_completed_successfully');
  assert.equal(services['temporal-namespace'].depends_on?.temporal.condition, 'service_healthy');
  assert.equal(services.worker.depends_on?.['temporal-namespace'].condition, 'service_completed_successfully');
});

test('images are pinned to the versions in deploy/versions.env', () => {
  const images = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.image]));
  assert.equal(images.postgresql, `postgres:${versions.POSTGRESQL_VERSION}`);
  assert.equal(images.temporal, `temporalio/server:${versions.TEMPORAL_VERSION}`);
  assert.equal(images['temporal-schema'], `temporalio/admin-tools:${versions.TEMPORAL_ADMINTOOLS_VERSION}`);
  assert.equal(images['temporal-namespace'], `temporalio/admin-tools:${versions.TEMPORAL_ADMINTOOLS_VERSION}`);
  assert.equal(images['temporal-ui'], `temporalio/ui:${versions.TEMPORAL_UI_VERSION}`);
  assert.equal(versions.TEMPORAL_VERSION, versions.TEMPORAL_ADMINTOOLS_VERSION, 'admin-tools carries the schema of its own server release');
  for (const key of ['TEMPORAL_VERSION', 'TEMPORAL_UI_VERSION', 'POSTGRESQL_VERSION'])
    assert.match(versions[key], /^\d+\.\d+(\.\d+)?$/, `${key} is an exact version, not a moving tag`);
  assert.equal(services.temporal.environment?.DB, 'postgres12');
  assert.equal(services.temporal.environment?.POSTGRES_SEEDS, 'postgresql');
});

test('the worker service scales: no fixed name or host port, one shared data volume, its own spill folder', () => {
  const worker = services.worker;
  assert.equal(worker.container_name, undefined);
  assert.equal(worker.ports, undefined);
  assert.equal(worker.build?.context, '.');
  assert.equal(worker.build?.args?.NODE_IMAGE, 'node:20-slim');
  assert.ok(worker.volumes?.includes('wintap-data:/data'), 'the data volume every worker shares');
  assert.ok('wintap-data' in compose.volumes);
  assert.ok(worker.volumes?.includes('/scratch'), 'a per-replica volume for DuckDB spills');
  assert.match(worker.mem_limit ?? '', /^\d+[kmg]$/);
  assert.equal(worker.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
});

test("the worker's environment (compose + Dockerfile) passes the worker's own settings schema", () => {
  const dockerfile = read('Dockerfile');
  const dockerEnv: Record<string, string> = {};
  for (const block of dockerfile.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm))
    for (const [, key, value] of block[1].matchAll(/(\w+)=(\S+)/g)) dockerEnv[key] = value;
  const env = { ...dockerEnv, ...services.worker.environment };
  const settings = parseSettings(env);
  assert.equal(settings.TEMPORAL_NAMESPACE, versions.WINTAP_NAMESPACE);
  assert.equal(settings.WINTAP_NOISE_WORKFLOW_BUNDLE, '/app/dist/workflow-bundle.js');
  assert.deepEqual(settings.WINTAP_NOISE_DATA_ROOTS.split(':'), ['/data', '/scratch']);
  assert.ok(settings.WINTAP_NOISE_DUCKDB_TEMP_DIR?.startsWith('/scratch/'), 'spills stay inside a data root but off the shared volume');
  // The Dockerfile builds the bundle at the path the worker is told to load.
  assert.match(dockerfile, /^FROM \$\{NODE_IMAGE\}$/m);
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-slim$/m);
  assert.match(dockerfile, /^RUN npm ci --omit=dev --ignore-scripts/m);
  assert.match(dockerfile, /^RUN node --import tsx deploy\/bundle-workflows\.ts \/app\/dist\/workflow-bundle\.js$/m);
  assert.match(dockerfile, /^CMD \["node", "--import", "tsx", "workers\/main\.ts"\]$/m);
  const ignored = read('.dockerignore').split('\n');
  for (const entry of ['node_modules', 'data', '.env', '.git'])
    assert.ok(ignored.includes(entry), `.dockerignore keeps ${entry} out of the image`);
});

test('the namespace set-up keeps runs >= 7 days and registers the search attributes the pipeline sets', () => {
  const retention = /^(\d+)d$/.exec(versions.WINTAP_RETENTION);
  assert.ok(retention && Number(retention[1]) >= 7, `retention ${versions.WINTAP_RETENTION} is at least 7d`);
  const script = read('deploy/setup-namespace.sh');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) {
    assert.ok(script.includes(name), `${name} is registered`);
    assert.equal(type, 'Keyword');
  }
  assert.match(script, /search-attribute create .*--type Keyword/);
  assert.match(script, /namespace create .*--retention "\$WINTAP_RETENTION"/);
  // Every file a service mounts exists.
  for (const service of Object.values(services))
    for (const volume of service.volumes ?? [])
      if (volume.startsWith('./')) assert.ok(fs.existsSync(path.join(ROOT, volume.split(':')[0])), `${volume} exists`);
  for (const script of ['deploy/setup-schema.sh', 'deploy/setup-namespace.sh'])
    assert.equal(spawnSync('sh', ['-n', path.join(ROOT, script)]).status, 0, `${script} is valid sh`);
});

test('`npm run bundle` writes a workflow bundle holding every workflow type', { timeout: 120_000 }, () => {
  const dir = tempDir();
  try {
    const target = path.join(dir, 'bundle.js');
    execFileSync(process.execPath, ['--import', 'tsx', 'deploy/bundle-workflows.ts', target], { cwd: ROOT, stdio: 'pipe' });
    const code = fs.readFileSync(target, 'utf8');
    for (const name of ['platformNoisePipeline', 'lineagePartitions', 'labelPartitions']) assert.ok(code.includes(name), name);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docker compose config accepts the file (where the compose plugin is installed)', (t) => {
  if (spawnSync('docker', ['compose', 'version']).status !== 0) {
    t.skip('no docker compose plugin on this machine');
    return;
  }
  const result = spawnSync('docker', ['compose', '--env-file', 'deploy/versions.env', '-f', 'docker-compose.yml', 'config', '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
});
