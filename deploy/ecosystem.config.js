// PM2 recipe for wsrelay (https://pm2.keymetrics.io/docs/usage/application-declaration/).
//
//   sudo make install                      # /usr/local/bin/wsrelay (or adjust `script` below)
//   pm2 start deploy/ecosystem.config.js   # from a copy of this file, e.g. beside your app
//   pm2 save && pm2 startup                # start it again after a reboot
//   pm2 logs wsrelay                       # wsrelay writes its own timestamps (log_path empty)
//   pm2 reload wsrelay                     # restart (clients reconnect); SIGHUP is not sent
//
// wsrelay is a native binary, not a Node script: `interpreter: 'none'`, one process (it is a
// single-threaded reactor: PM2's cluster mode cannot share its port). Settings come from the
// application's own .env (--env-file, docs/configuration.md) and/or `env` below; the real
// environment wins over the .env file per setting.
module.exports = {
  apps: [
    {
      name: 'wsrelay',
      script: '/usr/local/bin/wsrelay',
      args: ['serve', '--env-file', '/var/www/app/.env'],
      interpreter: 'none',
      exec_mode: 'fork',
      instances: 1,
      cwd: '/var/www/app',
      env: {
        WEBSOCKET_HOST: '127.0.0.1', // behind nginx (deploy/nginx.conf); 0.0.0.0 to face clients
        WEBSOCKET_PORT: '8080',
      },
      // Restart after a crash or a kill, 2 s later; a process that dies within 10 s of its start
      // counts as unstable, and after 10 unstable restarts PM2 gives up (status "errored")...
      autorestart: true,
      restart_delay: 2000,
      min_uptime: '10s',
      max_restarts: 10,
      // ...but not after a configuration error: wsrelay exits 2 for those, and restarting would
      // only fail again and fill the log (exit 1, e.g. the port in use, is retried). Not 0:
      // PM2 reports a process killed by a signal as exit code 0.
      stop_exit_codes: [2],
      // Graceful stop: PM2 sends SIGINT, which (like SIGTERM) makes wsrelay send Close 1001 to
      // every client and wait up to shutdown_timeout (10 s by default); give it that plus a
      // margin before PM2's SIGKILL.
      kill_timeout: 15000,
      // wsrelay's log lines already carry a UTC timestamp.
      time: false,
      merge_logs: true,
    },
  ],
};
