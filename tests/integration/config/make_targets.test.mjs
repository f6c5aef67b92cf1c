// The Makefile verbs a new user runs: `make run ARGS=...` (the test page URL and the API's state
// in its output), and `make install` / `make uninstall` into a DESTDIR (a stripped binary that
// runs and serves the installed web files, the systemd unit pointing at PREFIX, the example
// config; uninstall removes exactly that and keeps the user's own files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, freePort, repoRoot, tempDir, timeoutScale } from './config_helpers.mjs';

// make without the outer make's job-server flags (make test runs this suite).
function makeEnv() {
  const env = cleanEnv();
  for (const name of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[name];
  env.BUILD = process.env.BUILD || 'build';
  return env;
}

async function makeRun(t, args) {
  const proc = spawn('make', ['--no-print-directory', 'run', `ARGS=${args}`], { cwd: repoRoot, env: makeEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const exit = new Promise((resolve) => proc.once('exit', resolve));
  let done = false;
  t.after(async () => {
    if (!done) { try { process.kill(-proc.pid, 'SIGTERM'); } catch {} await exit; }
  });
  return {
    output: () => output,
    async waitFor(pattern) {
      const deadline = Date.now() + 60000 * timeoutScale;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output}`);
        await sleep(50);
      }
    },
    async stop() { process.kill(-proc.pid, 'SIGTERM'); await exit; done = true; },
  };
}

test('make run ARGS="--port N": serves there and says where the test page is and that the API is off', async (t) => {
  const port = await freePort();
  const run = await makeRun(t, `--port ${port}`);
  await run.waitFor(/backend API: /);
  assert.match(run.output(), new RegExp(`test page: http://127\\.0\\.0\\.1:${port}/\n`));
  assert.match(run.output(), /backend API: off; to turn it on, set api_key with --api-key or the variable WEBSOCKET_API_KEY/);
  const page = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  await run.stop();
});

test('make run with an api_key says the API is on, and where', async (t) => {
  const port = await freePort();
  const run = await makeRun(t, `--port ${port} --api-key make-run-key-0123456789abcdef`);
  await run.waitFor(/backend API: /);
  assert.match(run.output(), new RegExp(`backend API: on at http://127\\.0\\.0\\.1:${port}/api/ \\(Authorization: Bearer <api_key>\\)`));
  // make echoes the command line it runs; what wsrelay itself logs never shows the key.
  const logged = run.output().split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  assert.ok(logged.length >= 3, run.output());
  assert.ok(logged.every((l) => !l.includes('make-run-key')), logged.join('\n'));
  await run.stop();
});

function make(args) {
  const result = spawnSync('make', ['--no-print-directory', ...args], { cwd: repoRoot, env: makeEnv(), encoding: 'utf8', timeout: 600000 });
  assert.equal(result.status, 0, `make ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isDirectory()) out.push(path.relative(dir, path.join(entry.path ?? entry.parentPath, entry.name)));
  }
  return out.sort();
}

test('make install / uninstall with DESTDIR and PREFIX', async (t) => {
  const destdir = tempDir(t, 'wsrelay-install-');
  const vars = [`DESTDIR=${destdir}`, 'PREFIX=/opt/wsrelay', 'SYSCONFDIR=/opt/etc'];
  make(['install', ...vars]);

  const web = fs.readdirSync(path.join(repoRoot, 'web')).map((f) => `opt/wsrelay/share/wsrelay/web/${f}`);
  assert.deepEqual(filesUnder(destdir), [
    'opt/etc/wsrelay/wsrelay.conf.example',
    'opt/wsrelay/bin/wsrelay',
    'opt/wsrelay/lib/systemd/system/wsrelay.service',
    'opt/wsrelay/share/wsrelay/deploy/ecosystem.config.js',
    'opt/wsrelay/share/wsrelay/deploy/nginx.conf',
    'opt/wsrelay/share/wsrelay/deploy/wsrelay.supervisor.conf',
    ...web,
  ].sort());

  // Stripped: no symbol table, no debug sections; and it still runs.
  const binary = path.join(destdir, 'opt/wsrelay/bin/wsrelay');
  const sections = spawnSync('readelf', ['-S', '-W', binary], { encoding: 'utf8' }).stdout;
  assert.match(sections, /\.text/);
  assert.doesNotMatch(sections, /\.symtab|\.debug_info/);
  assert.ok(fs.statSync(binary).mode & 0o111);
  assert.match(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout, /^wsrelay \d/);

  // The unit runs the installed binary and reads the settings from SYSCONFDIR.
  const unit = fs.readFileSync(path.join(destdir, 'opt/wsrelay/lib/systemd/system/wsrelay.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/opt\/wsrelay\/bin\/wsrelay serve$/m);
  assert.match(unit, /^EnvironmentFile=\/opt\/etc\/wsrelay\/wsrelay\.env$/m);
  assert.doesNotMatch(unit, /\/usr\/local\/bin/);
  assert.equal(fs.readFileSync(path.join(destdir, 'opt/etc/wsrelay/wsrelay.conf.example'), 'utf8'),
    fs.readFileSync(path.join(repoRoot, 'deploy/wsrelay.conf.example'), 'utf8'));

  // The installed binary finds its installed web files (PREFIX/share/wsrelay/web).
  const port = await freePort();
  const installed = spawn(binary, ['serve', '--port', String(port)], { cwd: destdir, env: cleanEnv(), stdio: 'ignore' });
  const installedExit = new Promise((resolve) => installed.once('exit', resolve));
  t.after(async () => { if (installed.exitCode === null) { installed.kill('SIGTERM'); await installedExit; } });
  let page = null;
  for (let i = 0; i < 200 && page === null; ++i) {
    page = await fetch(`http://127.0.0.1:${port}/wsrelay.js`).catch(() => null);
    if (page === null) await sleep(50);
  }
  assert.equal(page.status, 200);
  assert.equal(await page.text(), fs.readFileSync(path.join(repoRoot, 'web/wsrelay.js'), 'utf8'));
  installed.kill('SIGTERM');
  await installedExit;

  // A file of the user's own survives uninstall; everything install put is gone.
  fs.writeFileSync(path.join(destdir, 'opt/etc/wsrelay/wsrelay.env'), 'WEBSOCKET_PORT=8080\n');
  make(['uninstall', ...vars]);
  assert.deepEqual(filesUnder(destdir), ['opt/etc/wsrelay/wsrelay.env']);
  assert.ok(!fs.existsSync(path.join(destdir, 'opt/wsrelay/share/wsrelay')), 'share/wsrelay removed');
});
