// The start-up lines scripts and harnesses wait for, in redis-server's order and words.
import { REDIS_VERSION } from '../config/version.js';
import type { Logger } from '../util/log.js';

const RESPD_VERSION = '0.1.0';

export function logStarting(log: Logger, configFile: string): void {
  log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.warning(
    `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (respd ${RESPD_VERSION})`,
  );
  if (configFile) log.warning('Configuration loaded');
  else log.warning('Warning: no config file specified, using the default config. In order to specify a config file use respd /path/to/redis.conf');
}

/** The logo when `always-show-logo yes` or stdout is a terminal; otherwise one line, as Redis. */
export function logBanner(log: Logger, opts: { showLogo: boolean; port: number; mode: 'standalone' | 'cluster' }): void {
  if (!opts.showLogo) {
    log.notice(`Running mode=${opts.mode}, port=${opts.port}.`);
    return;
  }
  const lines = [
    '                 _',
    '  _ __ ___  ___ _ __   __| |',
    ` | '__/ _ \\/ __| '_ \\ / _\` |     respd ${RESPD_VERSION} (Redis ${REDIS_VERSION} compatible) 64 bit`,
    ` | | |  __/\\__ \\ |_) | (_| |     Running in ${opts.mode} mode`,
    ` |_|  \\___||___/ .__/ \\__,_|     Port: ${opts.port}`,
    `               |_|               PID: ${process.pid}`,
    '',
  ];
  log.raw(lines.join('\n') + '\n');
}
