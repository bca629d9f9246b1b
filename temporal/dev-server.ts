/**
 * The local Temporal dev server (SQLite state, Web UI built in), started through the SDK's
 * TestWorkflowEnvironment.createLocal from the resolved CLI binary (`existing-path`), or, with no
 * binary, through the SDK's own download (needs internet). Used by `npm run server`, by the test run
 * and by the CLI's embedded mode, so all three get the same server set-up: retention long enough to
 * resume failed runs, and the pipeline's search attributes.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DATASET, RUN_STATUS } from '../workflows/search-attributes';
import { resolveTemporalCli, type ResolvedCli } from './cli-binary';
import { setRetention } from './namespace';

/** Closed runs stay this long (the dev server's default is 24 h), so a failed run can be resumed after a weekend. */
export const RETENTION_DAYS = 7;

export interface LocalServerOptions {
  ip?: string;
  /** gRPC port; default: a free one. */
  port?: number;
  /** Web UI port; default: a free one. `null`: no UI. */
  uiPort?: number | null;
  /** SQLite file: runs survive a restart. Omit for in-memory state. */
  dbFilename?: string;
  namespace?: string;
  /** The server's own log level; `never` keeps its start-up chatter off a CLI user's terminal. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
}

export interface LocalServer {
  address: string;
  namespace: string;
  uiUrl: string | null;
  cli: ResolvedCli | null;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections at host:port. */
export function isReachable(address: string, timeoutMs = 1000): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const [host, port] = [address.slice(0, i), Number(address.slice(i + 1))];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort === null ? undefined : (options.uiPort ?? (await freePort()));
  const namespace = options.namespace ?? 'default';
  const cli = resolveTemporalCli();
  if (options.dbFilename) fs.mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli.path } : undefined,
      ip,
      port,
      ui: uiPort !== undefined,
      uiPort,
      dbFilename: options.dbFilename,
      namespace,
      log: { format: 'json', level: options.logLevel ?? 'never' },
      searchAttributes: [DATASET, RUN_STATUS],
      extraArgs: uiPort !== undefined ? ['--ui-disable-news-fetch'] : [],
    },
  });
  await setRetention(env.connection, namespace, RETENTION_DAYS);
  return {
    address: `${ip}:${port}`,
    namespace,
    uiUrl: uiPort !== undefined ? `http://${ip}:${uiPort}` : null,
    cli,
    env,
    stop: () => env.teardown(),
  };
}
