// Starts a fresh `spode serve` for the browser tests: a demo state (spode demo --no-serve)
// with a small population in a temporary directory, served with --dev-outbox on a free port
// (--port 0; the URL is read from the server's log). stop() ends that one process.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repo = resolve(new URL('../..', import.meta.url).pathname);

export async function startServer({ households = 1000 } = {}) {
  const bin = process.env.SPODE_BIN ?? join(repo, 'build', 'spode');
  const webRoot = process.env.SPODE_WEB_ROOT ?? join(repo, 'web', 'dist');
  const dir = mkdtempSync(join(tmpdir(), 'spode-e2e-'));
  const db = join(dir, 'spode.db');
  execFileSync(bin, ['demo', '--households', String(households), '--db', db, '--no-serve',
    '--schemes', join(repo, 'schemes')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const accounts = JSON.parse(readFileSync(`${db}.accounts.json`, 'utf8'));
  const child = spawn(bin, ['serve', '--db', db, '--port', '0', '--dev-outbox', '--web-root', webRoot,
    '--eligibility-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`spode serve did not start:\n${log}`)), 30000);
    const onData = (chunk) => {
      log += chunk;
      const m = /serving .* on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`spode serve exited (${code}):\n${log}`)));
  });
  // It listens before its eligibility snapshot is built: wait until /readyz says it is ready.
  const deadline = Date.now() + 30000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`spode serve did not become ready:\n${log}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const sql = (query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
  return {
    url, db, dir, accounts, sql,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => child.once('exit', ok));
      }
      if (!process.env.KEEP_E2E_STATE) rmSync(dir, { recursive: true, force: true });
    },
  };
}
