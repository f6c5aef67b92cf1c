// deploy/ecosystem.config.js under the real PM2 (npm `pm2`, private PM2_HOME): it starts
// wsrelay, restarts it after kill -9, does NOT restart it after a configuration error (exit 2,
// stop_exit_codes), and stops it gracefully. Only the paths and the port of the shipped recipe
// are replaced; every other option is the file's own. The pm2 daemon is always killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPath, cleanEnv, freePort, repoRoot, timeoutScale } from './config_helpers.mjs';

const pm2Bin = path.join(repoRoot, 'tests/integration/node_modules/.bin/pm2');
const recipe = createRequire(import.meta.url)(path.join(repoRoot, 'deploy/ecosystem.config.js'));

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

async function until(what, check, ms = 30000) {
  const deadline = Date.now() + ms * timeoutScale;
  let last;
  for (;;) {
    const value = await check();
    last = value;
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

test('the PM2 recipe starts wsrelay, restarts it after kill -9, leaves a config error stopped, stops it', async (t) => {
  // One after-hook: the daemon is killed BEFORE its PM2_HOME is removed.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-pm2-'));
  const env = cleanEnv({ PM2_HOME: path.join(home, 'pm2') });
  const pm2 = (...args) => {
    const result = spawnSync(process.execPath, [pm2Bin, ...args], { cwd: home, env, encoding: 'utf8', timeout: 60000 * timeoutScale });
    assert.equal(result.status, 0, `pm2 ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  t.after(() => {
    spawnSync(process.execPath, [pm2Bin, 'kill'], { cwd: home, env, timeout: 60000 });
    fs.rmSync(home, { recursive: true, force: true });
  });

  assert.equal(recipe.apps.length, 1);
  const shipped = recipe.apps[0];
  assert.equal(shipped.interpreter, 'none');
  assert.deepEqual(shipped.stop_exit_codes, [2]);

  // The app's .env names the room; the recipe's env (the real environment) names the port.
  const port = await freePort();
  fs.writeFileSync(path.join(home, '.env'), 'APP_NAME=Laravel\nWEBSOCKET_DEFAULT_ROOM=pm2-room\nWEBSOCKET_PORT=1\n');
  const app = {
    ...shipped,
    script: binaryPath(),
    args: shipped.args.map((a) => (a === '/var/www/app/.env' ? path.join(home, '.env') : a)),
    cwd: home,
    env: { ...shipped.env, WEBSOCKET_PORT: String(port) },
  };
  assert.deepEqual(app.args, ['serve', '--env-file', path.join(home, '.env')]);
  const broken = { ...app, name: 'wsrelay-broken', env: { ...app.env, WEBSOCKET_PROT: '9' } };
  fs.writeFileSync(path.join(home, 'ecosystem.config.js'), `module.exports = ${JSON.stringify({ apps: [app, broken] }, null, 2)};\n`);

  const describe = () => {
    const list = JSON.parse(pm2('jlist'));
    return Object.fromEntries(list.map((p) => [p.name, { pid: p.pid, status: p.pm2_env.status, restarts: p.pm2_env.restart_time, exit: p.pm2_env.exit_code }]));
  };

  pm2('start', path.join(home, 'ecosystem.config.js'));
  await until('wsrelay to listen', () => canConnect(port));
  const first = describe().wsrelay;
  assert.equal(first.status, 'online');
  assert.ok(first.pid > 0);
  // The port came from the recipe's env, over the .env's WEBSOCKET_PORT=1: the real environment wins.

  // kill -9: PM2 starts a new process, which listens again.
  process.kill(first.pid, 'SIGKILL');
  const second = await until('a restarted wsrelay', () => {
    const now = describe().wsrelay;
    return now.status === 'online' && now.pid > 0 && now.pid !== first.pid ? now : null;
  });
  assert.ok(second.restarts >= 1);
  await until('the restarted wsrelay to listen', () => canConnect(port));

  // The broken configuration exited 2 and was left stopped, not restarted in a loop.
  // (PM2 7 labels such an app "waiting restart" but, per stop_exit_codes, never restarts it.)
  await until('the broken app to exit', () => describe()['wsrelay-broken'].exit === 2);
  await sleep(3000 * timeoutScale);  // longer than restart_delay: a restart would have happened
  const failed = describe()['wsrelay-broken'];
  assert.equal(failed.restarts, 0, JSON.stringify(failed));
  assert.equal(failed.pid, 0);
  assert.notEqual(failed.status, 'online');
  const brokenLog = fs.readFileSync(path.join(home, 'pm2/logs/wsrelay-broken-error.log'), 'utf8');
  assert.match(brokenLog, /unknown settings: WEBSOCKET_PROT \(env; did you mean WEBSOCKET_PORT\?\)/);

  // pm2 stop: SIGINT, a graceful shutdown, no restart.
  pm2('stop', 'wsrelay');
  const stopped = describe().wsrelay;
  assert.equal(stopped.status, 'stopped');
  assert.equal(await canConnect(port), false);
  assert.throws(() => process.kill(second.pid, 0), /ESRCH/);
  const log = fs.readFileSync(path.join(home, 'pm2/logs/wsrelay-error.log'), 'utf8');
  assert.match(log, /received SIGINT: shutting down gracefully/);  // PM2 stops with SIGINT
});

test('the Supervisor program: its command line and environment are a configuration wsrelay accepts', async (t) => {
  // supervisord itself is not a test dependency; what can go wrong in the file is what it
  // hands to wsrelay, so that is run through check-config (with the .env path replaced).
  const text = fs.readFileSync(path.join(repoRoot, 'deploy/wsrelay.supervisor.conf'), 'utf8');
  const program = {};
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\s*(;|$)/.test(line)) continue;
    const heading = line.match(/^\[(.+)\]$/);
    if (heading) { section = heading[1]; continue; }
    const [, key, value] = line.match(/^(\w+)=(.*)$/) || [];
    assert.ok(key, `unparsed line: ${line}`);
    if (section === 'program:wsrelay') program[key] = value;
  }
  assert.equal(program.exitcodes, '0,2');
  assert.equal(program.autorestart, 'unexpected');
  assert.equal(program.stopsignal, 'TERM');
  const [binary, ...args] = program.command.split(' ');
  assert.equal(binary, '/usr/local/bin/wsrelay');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-supervisor-'));
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  fs.writeFileSync(path.join(home, '.env'), 'WEBSOCKET_DEFAULT_ROOM=supervised\n');
  const environment = Object.fromEntries(program.environment.split(',').map((pair) => {
    const [name, quoted] = pair.split('=');
    return [name, quoted.replace(/^"|"$/g, '')];
  }));
  const result = spawnSync(binaryPath(), ['check-config', ...args.slice(1).map((a) => (a === '/var/www/app/.env' ? path.join(home, '.env') : a))],
    { env: cleanEnv(environment), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^default_room += supervised /m);
  assert.match(result.stdout, /^port += 8080 +# env WEBSOCKET_PORT$/m);
});
