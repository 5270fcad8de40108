// Loading the AOF at start-up (aof.c loadAppendOnlyFiles / loadSingleAppendOnlyFile): the base
// (an RDB, or commands), then each incr file, replayed through a client of their own whose
// replies go nowhere. MULTI queues until EXEC, as the file was written; a file that ends inside
// a command or a transaction is truncated to its last whole command when aof-load-truncated
// says so and it is the last file, and otherwise refuses to start with Redis's messages.
import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../util/log.js';
import type { AofManifest } from './manifest.js';

export const enum AofStatus {
  Ok = 'ok',
  NotExist = 'not-exist',
  Empty = 'empty',
  OpenErr = 'open-err',
  Failed = 'failed',
  Truncated = 'truncated',
}

/** Runs a command of the file (Redis's AOF client: no replies, never blocked). */
export interface AofReplayer {
  /** False when no such command exists. */
  known(argv: readonly Buffer[]): boolean;
  run(argv: readonly Buffer[]): void;
}

export interface AofLoadHost {
  readonly log: Logger;
  /** aof-load-truncated. */
  readonly loadTruncated: boolean;
  /** appendfilename (an old-style file of that name has a preamble then commands). */
  readonly appendfilename: string;
  /** An RDB at the start of `data`: where it ends, or the error. */
  loadRdb(data: Buffer): { end: number } | string;
  /** A file whose RDB part is loaded already (start-up's base, loaded in slices): its bytes and where the RDB ends. */
  readonly preloaded?: { readonly name: string; readonly data: Buffer; readonly end: number };
  replayer(): AofReplayer;
}

/** Thrown when start-up must stop (Redis exits); what went wrong is already in the log. */
export class AofFatal extends Error {}

/** How much of a file was well formed when reading stopped. */
class Eof extends Error {}
class FormatError extends Error {}

/** fgets into a 1024-byte buffer: up to the newline included, or 1023 bytes, or to the end. */
function fgets(data: Buffer, pos: number): { line: string; next: number } | undefined {
  if (pos >= data.length) return undefined;
  const nl = data.indexOf(10, pos);
  const end = Math.min(nl === -1 ? data.length : nl + 1, pos + 1023);
  return { line: data.toString('latin1', pos, end), next: end };
}

/** A file starting with an RDB: the base (or an old-style file's preamble) about to be read. */
export function rdbPartNotice(log: Logger, oldStyle: boolean): void {
  log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
}

/** The RDB part of `name` could not be loaded: why, and that AOF loading stops. */
export function rdbPartFailed(log: Logger, name: string, oldStyle: boolean, error: string): void {
  log.warning(error);
  log.warning(oldStyle ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted` : `Error reading the RDB base file ${name}, AOF loading aborted`);
}

/** loadSingleAppendOnlyFile: status of replaying `dir/name`. */
export function loadSingleFile(host: AofLoadHost, dirPath: string, name: string): AofStatus {
  const { log } = host;
  const path = join(dirPath, name);
  const pre = host.preloaded?.name === name ? host.preloaded : undefined;
  let data: Buffer;
  try {
    data = pre ? pre.data : readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      log.warning(`The append log file ${name} doesn't exist: ${err.message}`);
      return AofStatus.NotExist;
    }
    log.warning(`Fatal error: can't open the append log file ${name} for reading: ${err.message}`);
    return AofStatus.OpenErr;
  }
  if (data.length === 0) return AofStatus.Empty;
  let pos = 0;
  if (data.length >= 5 && data.toString('latin1', 0, 5) === 'REDIS') {
    const oldStyle = name === host.appendfilename;
    if (!pre) rdbPartNotice(log, oldStyle);
    const r = pre ? { end: pre.end } : host.loadRdb(data);
    if (typeof r === 'string') {
      rdbPartFailed(log, name, oldStyle, r);
      return AofStatus.Failed;
    }
    pos = r.end;
    if (oldStyle) log.notice('Reading the remaining AOF tail...');
  }
  const replayer = host.replayer();
  let validUpTo = 0;
  let validBeforeMulti = 0;
  let multi: Buffer[][] | undefined;
  try {
    for (;;) {
      const l = fgets(data, pos);
      if (!l) break;
      pos = l.next;
      const line = l.line;
      if (line[0] === '#') continue;
      if (line[0] !== '*') throw new FormatError();
      if (line.length === 1) throw new Eof();
      const argc = parseInt(line.slice(1), 10) || 0;
      if (argc < 1) throw new FormatError();
      const argv: Buffer[] = [];
      for (let j = 0; j < argc; j++) {
        const h = fgets(data, pos);
        if (!h) throw new Eof();
        if (h.line[0] !== '$') throw new FormatError();
        pos = h.next;
        const len = parseInt(h.line.slice(1), 10) || 0;
        if (pos + len > data.length) throw new Eof();
        argv.push(data.subarray(pos, pos + len));
        pos += len;
        // The CRLF after the argument, read and not checked (fread of 2 bytes).
        if (pos + 2 > data.length) throw new Eof();
        pos += 2;
      }
      if (!replayer.known(argv)) {
        log.warning(`Unknown command '${argv[0]!.toString('latin1')}' reading the append only file ${name}`);
        return AofStatus.Failed;
      }
      const cmdName = argv[0]!.toString('latin1').toLowerCase();
      if (cmdName === 'multi') validBeforeMulti = validUpTo;
      if (multi !== undefined && cmdName !== 'exec') {
        multi.push(argv);
      } else if (cmdName === 'multi') {
        multi = [];
      } else if (cmdName === 'exec' && multi !== undefined) {
        const queued = multi;
        multi = undefined;
        for (const q of queued) replayer.run(q);
      } else {
        replayer.run(argv);
      }
      if (host.loadTruncated) validUpTo = pos;
    }
    if (multi !== undefined) {
      log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      validUpTo = validBeforeMulti;
      throw new Eof();
    }
    return AofStatus.Ok;
  } catch (e) {
    if (e instanceof FormatError) {
      log.warning(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      return AofStatus.Failed;
    }
    if (!(e instanceof Eof)) throw e;
  }
  if (host.loadTruncated) {
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      truncateSync(path, validUpTo);
      log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return AofStatus.Truncated;
    } catch (err) {
      log.warning(`Error truncating the AOF file ${name}: ${(err as Error).message}`);
    }
  }
  log.warning(
    `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  return AofStatus.Failed;
}

/** The size of a file of the manifest, or why it has none. */
function fileSize(log: Logger, dirPath: string, name: string): number | AofStatus {
  try {
    return statSync(join(dirPath, name)).size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    log.warning(`Unable to obtain the AOF file ${name} length. stat: ${err.message}`);
    return err.code === 'ENOENT' ? AofStatus.NotExist : AofStatus.OpenErr;
  }
}

export interface LoadResult {
  status: AofStatus;
  /** Base + incr bytes (aof_current_size), and the base's (aof_rewrite_base_size). */
  totalSize: number;
  baseSize: number;
}

/** loadAppendOnlyFiles: every file the manifest lists, base first. */
export function loadAppendOnlyFiles(host: AofLoadHost, dirPath: string, m: AofManifest): LoadResult {
  const { log } = host;
  const none = (status: AofStatus): LoadResult => ({ status, totalSize: 0, baseSize: 0 });
  if (m.empty) return none(AofStatus.NotExist);
  const files = [...(m.base ? [m.base] : []), ...m.incr];
  let total = 0;
  for (const f of files) {
    const s = fileSize(log, dirPath, f.name);
    if (typeof s !== 'number') return none(s === AofStatus.NotExist ? AofStatus.Failed : s);
    total += s;
  }
  if (total === 0) return none(AofStatus.Empty);
  let baseSize = 0;
  let status: AofStatus = AofStatus.Ok;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const isBase = f === m.base;
    const last = i === files.length - 1;
    if (isBase) baseSize = fileSize(log, dirPath, f.name) as number;
    const start = performance.now();
    status = loadSingleFile(host, dirPath, f.name);
    if (status === AofStatus.Ok || (status === AofStatus.Truncated && last)) {
      log.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - start) / 1000).toFixed(3)} seconds`);
    }
    if (!isBase && status === AofStatus.Empty) status = AofStatus.Ok;
    if (status === AofStatus.Truncated && !last) {
      status = AofStatus.Failed;
      log.warning('Fatal error: the truncated file is not the last file');
    }
    if (status === AofStatus.OpenErr || status === AofStatus.Failed) return none(status);
  }
  return { status, totalSize: total, baseSize };
}

/** The old single appendonly.aof in dir (before Redis 7): to be moved into the AOF directory. */
export function needsUpgrade(dir: string, appenddirname: string, appendfilename: string, m: AofManifest): boolean {
  if (!existsSync(join(dir, appendfilename))) return false;
  const dirPath = join(dir, appenddirname);
  return !existsSync(dirPath) || m.empty || (m.base !== undefined && m.incr.length === 0 && m.base.name === appendfilename && !existsSync(join(dirPath, appendfilename)));
}
