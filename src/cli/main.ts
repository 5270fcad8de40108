// `npx respd [/path/to/redis.conf] [--directive value ...]`: redis-server's command line, run by
// src/cli.ts from the bundle (dist/bundle/cli.cjs) or, in a build without it, from this module.
import { isatty } from 'node:tty';
import { aofCommands } from '../commands/aof.js';
import { buildCommandTable } from '../commands/index.js';
import { loadConfig } from '../config/load.js';
import { logBanner, logStarting } from '../server/banner.js';
import { Logger } from '../util/log.js';
import { Server } from '../server/server.js';
import type { CommandTable } from '../table/table.js';

function main(): void {
  // rename-command needs to know which commands exist: a table built only when a file has one.
  let commands: CommandTable | undefined;
  const isCommand = (name: string) => (commands ??= buildCommandTable(aofCommands(() => ({ bgrewriteaof: () => ({ error: 'not running' }) })))).get(name.toLowerCase()) !== undefined;
  const r = loadConfig(process.argv.slice(2), undefined, { isCommand });
  if (!r.ok) {
    if (r.viaLog) new Logger().warning(r.message.trimEnd());
    else process.stderr.write(r.message.endsWith('\n') ? r.message : r.message + '\n');
    process.exit(1);
  }
  if (r.action !== 'run') {
    (r.stream === 'stdout' ? process.stdout : process.stderr).write(r.text);
    process.exit(r.exitCode);
  }
  const { config, configFile } = r;
  const log = new Logger();
  log.setLevel(config.str('loglevel'));
  const fileErr = log.setFile(config.str('logfile'));
  if (fileErr) {
    process.stderr.write(fileErr + '\n');
    process.exit(1);
  }
  logStarting(log, configFile ?? '');
  for (const w of r.warnings) log.warning(w);
  if (config.bool('daemonize')) log.warning('daemonize yes is not supported: running in the foreground.');
  for (const name of config.notActedOn()) log.notice(`Directive '${name}' is accepted but not acted on by respd yet.`);
  log.role = 'M';
  const server = new Server({ config, configFile, logger: log, onShutdown: () => process.exit(0) });
  try {
    server.start();
  } catch (e) {
    log.warning((e as Error).message);
    process.exit(1);
  }
  const showLogo = config.bool('always-show-logo') || (config.str('logfile') === '' && isatty(1));
  logBanner(log, { showLogo, port: server.tcpPortBound || server.tlsPortBound, mode: config.bool('cluster-enabled') ? 'cluster' : 'standalone' });
  log.warning('Server initialized');
  // The listeners are open: clients connecting during the load get -LOADING (Redis answers
  // them between slices of its load too). A signal meanwhile shuts down without saving.
  server.loadDataFromDisk().then(
    () => {
      if (server.tcpPortBound) log.notice('Ready to accept connections tcp');
      if (config.str('unixsocket')) log.notice('Ready to accept connections unix');
      if (server.tlsPortBound) log.notice('Ready to accept connections tls');
    },
    (e: unknown) => {
      if ((e as Error).message) log.warning((e as Error).message);
      process.exit(1);
    },
  );

  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.warning(server.persistence.loading ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${sig} scheduling shutdown...`);
    log.warning('User requested shutdown...');
    // shutdown-on-sigterm / shutdown-on-sigint: default, save, nosave, now, force.
    const flags = config.str(sig === 'SIGTERM' ? 'shutdown-on-sigterm' : 'shutdown-on-sigint').split(' ');
    if (!server.aof.beforeShutdown(flags.includes('force')) || !server.persistence.beforeShutdown({ save: flags.includes('save'), nosave: flags.includes('nosave'), force: flags.includes('force') })) {
      log.warning('SIGTERM received but errors trying to shut down the server, check the logs for more information');
      stopping = false;
      return;
    }
    server.close();
    log.warning('Redis is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

main();
