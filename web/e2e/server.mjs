// Starts the real Moneta server for the journey: a fresh MariaDB database,
// a unique Redis prefix, a free port, a short access-token lifetime when
// the binary knows the setting. Keeps its output for failure reports.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sql(statement) {
  const host = process.env.E2E_MYSQL_HOST ?? '127.0.0.1';
  const port = process.env.E2E_MYSQL_PORT ?? '3306';
  for (const client of ['mariadb', 'mysql']) {
    const r = spawnSync(client, ['--protocol=tcp', `-h${host}`, `-P${port}`, '-uroot', '-e', statement], { encoding: 'utf8' });
    if (r.error?.code === 'ENOENT') continue;
    if (r.status !== 0) throw new Error(`${client} failed: ${r.stderr}`);
    return;
  }
  throw new Error('neither mariadb nor mysql client is installed');
}

/** Ring buffer of the server's output lines. */
class Tail {
  constructor(size = 200) { this.size = size; this.lines = []; }
  push(chunk) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > this.size) this.lines.shift();
    }
  }
  toString() { return this.lines.join('\n'); }
}

export async function startServer({ bin, ttlSecs, trustedDocuments = 'enforce' }) {
  const run = `e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `moneta_${run}`;
  sql(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const dataDir = mkdtempSync(join(tmpdir(), 'moneta-e2e-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MONETA_DATABASE_URL: `mysql://root@${process.env.E2E_MYSQL_HOST ?? '127.0.0.1'}:${process.env.E2E_MYSQL_PORT ?? '3306'}/${database}`,
    MONETA_REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONETA_REDIS_PREFIX: `moneta_${run}`,
    MONETA_LISTEN: `127.0.0.1:${port}`,
    MONETA_DATA_DIR: dataDir,
    MONETA_JWT_SECRET: randomBytes(32).toString('hex'),
    MONETA_CREDENTIALS_KEY: randomBytes(32).toString('hex'),
    MONETA_ENV: 'dev',
    MONETA_TRUSTED_DOCUMENTS: trustedDocuments,
    MONETA_LOG: 'info',
    MONETA_LOG_FORMAT: 'pretty',
  };
  // Short-lived access tokens, so the journey sees one expire and be
  // refreshed unseen (MONETA_ACCESS_TOKEN_TTL_SECS).
  env.MONETA_ACCESS_TOKEN_TTL_SECS = String(ttlSecs);

  const migrate = spawnSync(bin, ['migrate'], { encoding: 'utf8', env });
  if (migrate.status !== 0) throw new Error(`moneta migrate failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const tail = new Tail();
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c) => tail.push(c));
  child.stderr.on('data', (c) => tail.push(c));
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`moneta serve exited (${JSON.stringify(exited)}):\n${tail}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`moneta serve never became ready:\n${tail}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    base,
    port,
    ttlSecs,
    tail,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 10_000);
          child.once('exit', () => { clearTimeout(t); r(); });
        });
      }
      try { sql(`DROP DATABASE IF EXISTS \`${database}\``); } catch { /* best effort */ }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

