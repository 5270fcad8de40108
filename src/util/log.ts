// Logging in Redis's format: "pid:role dd Mon yyyy HH:MM:SS.mmm <level char> message", with
// `loglevel` filtering and `logfile` ('' = stdout). Written synchronously, so lines are out
// before the process exits.
import { closeSync, openSync, writeSync } from 'node:fs';

export const enum Level {
  Debug = 0,
  Verbose = 1,
  Notice = 2,
  Warning = 3,
  Nothing = 4,
}

const LEVEL_CHARS = '.-*#';
const LEVEL_NAMES: Record<string, Level> = {
  debug: Level.Debug,
  verbose: Level.Verbose,
  notice: Level.Notice,
  warning: Level.Warning,
  nothing: Level.Nothing,
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function formatTimestamp(d: Date): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level: Level = Level.Notice;
  /** 'M' once the server runs; 'C' for the lines before (as Redis prints its first lines). */
  role = 'C';
  private fd = 1;
  private path = '';

  setLevel(name: string): void {
    this.level = LEVEL_NAMES[name] ?? Level.Notice;
  }

  /** '' logs to stdout. Returns an error text if the file can't be opened. */
  setFile(path: string): string | undefined {
    if (path === this.path) return undefined;
    let fd = 1;
    if (path !== '') {
      try {
        fd = openSync(path, 'a');
      } catch (e) {
        return `Can't open the log file: ${(e as Error).message}`;
      }
    }
    if (this.fd !== 1) closeSync(this.fd);
    this.fd = fd;
    this.path = path;
    return undefined;
  }

  enabled(level: Level): boolean {
    return level >= this.level && this.level !== Level.Nothing;
  }

  log(level: Level, msg: string): void {
    if (!this.enabled(level)) return;
    this.raw(`${process.pid}:${this.role} ${formatTimestamp(new Date())} ${LEVEL_CHARS[level]} ${msg}\n`);
  }

  /** Unformatted text (the logo). */
  raw(text: string): void {
    try {
      writeSync(this.fd, text);
    } catch {
      // A closed stdout must not take the server down.
    }
  }

  close(): void {
    if (this.fd !== 1) closeSync(this.fd);
    this.fd = 1;
    this.path = '';
  }

  debug(m: string): void { this.log(Level.Debug, m); }
  verbose(m: string): void { this.log(Level.Verbose, m); }
  notice(m: string): void { this.log(Level.Notice, m); }
  warning(m: string): void { this.log(Level.Warning, m); }
}
