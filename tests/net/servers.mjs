// Real servers on this host's loopback for the client tests, each started
// here and stopped by its own PID: PostgreSQL (a private cluster in a temp
// folder: initdb, then the postgres server itself; as the `postgres` user
// when we are root, since PostgreSQL refuses to run as root) and
// redis-server (no persistence).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, stopProcess } from '../support/procs.mjs';

/** The newest Debian PostgreSQL bin folder (/usr/lib/postgresql/N/bin), or null. */
export function pgBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => b - a)
    .find((d) => existsSync(join(base, d, 'bin', 'initdb')));
  return v ? join(base, v, 'bin') : null;
}

/* The user to run PostgreSQL as: ourselves, or `postgres` when root. */
function pgUser() {
  if (process.getuid() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  return { uid, gid };
}

/**
 * Start PostgreSQL on 127.0.0.1:PORT with trust authentication for the
 * superuser `postgres`. With { ssl: { cert, key } } (PEM file paths) it
 * also speaks TLS (ssl = on; clients ask with an SSLRequest). Returns
 * { port, stop() } (stop waits for the exit).
 */
export async function startPostgres({ ssl } = {}) {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (scripts/setup.sh installs postgresql)');
  const user = pgUser();
  const dir = mkdtempSync(join(tmpdir(), 'synack-pg-'));
  const own = (p) => { if (user.uid !== undefined) chownSync(p, user.uid, user.gid); };
  own(dir);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${e.stderr ?? e.message}`);
  }
  const port = await freePort();
  const sslArgs = [];
  if (ssl) {
    /* PostgreSQL wants its key private to the user it runs as. */
    const cert = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    copyFileSync(ssl.cert, cert);
    copyFileSync(ssl.key, key);
    chmodSync(key, 0o600);
    own(cert);
    own(key);
    sslArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`);
  }
  let proc;
  try {
    proc = await startProcess(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, ...sslArgs,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off', '-c', 'logging_collector=off'],
    /ready to accept connections/, 'postgres', user);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped = null;
  return {
    port,
    stop() {
      stopped ??= new Promise((resolve) => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
        stopProcess(proc); /* SIGTERM (PostgreSQL's "smart" shutdown); drops 'exit' listeners */
        proc.child.once('exit', () => resolve());
        setTimeout(() => proc.child.kill('SIGQUIT'), 5000).unref();
      }).then(() => rmSync(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}

/** Start redis-server on 127.0.0.1:PORT without persistence. Returns { port, stop() }. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'synack-redis-'));
  let proc;
  try {
    proc = await startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--protected-mode', 'no'],
    /Ready to accept connections/, 'redis-server');
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    stop() {
      stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
