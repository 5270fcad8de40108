// The AOF at start-up (aof.c aofLoadManifestFromDisk, loadDataFromDisk's AOF branch,
// aofUpgradePrepare, aofOpenIfNeededOnServerStart): the manifest read, an old single
// appendonly.aof moved into the directory, the files loaded, a base written for an empty start
// and the last incr file opened for appending. Anything Redis would exit on throws AofFatal,
// its reason already logged.
import { existsSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AofState, type Aof } from './aof.js';
import { AofFatal, AofStatus, loadAppendOnlyFiles, needsUpgrade, rdbPartFailed, rdbPartNotice, type AofLoadHost, type LoadResult } from './loader.js';
import { AofFileType, AofManifest, manifestName } from './manifest.js';
import { AofRewrite } from './rewrite.js';
import { LOAD_CANCELLED } from '../loading.js';

/** aofLoadManifestFromDisk: a manifest that can't be read stops the server. */
export function loadManifestFromDisk(aof: Aof): void {
  aof.manifest = new AofManifest();
  const path = join(aof.dirPath, manifestName(aof.filename));
  if (!existsSync(aof.dirPath) || !existsSync(path)) return;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    aof.host.log.warning(`Fatal error: can't open the AOF manifest file ${path} for reading: ${(e as Error).message}`);
    throw new AofFatal();
  }
  const m = AofManifest.parse(text);
  if (m instanceof AofManifest) {
    aof.manifest = m;
    return;
  }
  const log = aof.host.log;
  log.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
  if (m.line) {
    log.warning(`Reading the manifest file, at line ${m.line.number}\n`);
    log.warning(`>>> '${m.line.text}'\n`);
  }
  log.warning(`${m.error}\n`);
  throw new AofFatal();
}

/**
 * loadDataFromDisk with appendonly yes, then aofOpenIfNeededOnServerStart and
 * aofDelHistoryFiles. The base's RDB loads in slices (clients get -LOADING meanwhile), the
 * commands of the files are replayed in one go after it. `done` hears AofFatal when Redis would
 * exit (its reason logged), or another error thrown on the way.
 */
export function startUp(aof: Aof, done: (error?: unknown) => void): void {
  const { config, log } = aof.host;
  try {
    aof.loadManifestFromDisk();
    if (!config.bool('appendonly')) return done();
    aof.state = AofState.On;
    const dir = config.str('dir');
    if (needsUpgrade(dir, config.str('appenddirname'), aof.filename, aof.manifest)) upgradePrepare(aof);
  } catch (e) {
    return done(e);
  }
  const started = performance.now();
  preloadBase(aof, (preloaded) => {
    if (preloaded === LOAD_CANCELLED) return done(new Error(LOAD_CANCELLED));
    try {
      if (preloaded === false) throw new AofFatal();
      const r = loadFiles(aof, preloaded);
      if (r.status === AofStatus.Failed || r.status === AofStatus.OpenErr) throw new AofFatal();
      if (r.status !== AofStatus.NotExist) log.notice(`DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
      aof.writer.currentSize = r.totalSize;
      aof.baseSize = r.baseSize;
      openOnStart(aof);
      aof.delHistoryFiles();
    } catch (e) {
      return done(e);
    }
    done();
  });
}

/**
 * The manifest's base, when it starts with an RDB, loaded in slices before the files are
 * replayed: what the replay then steps over (undefined when there is none to load this way;
 * the replay reports a missing or unreadable file), false when it failed (logged), or
 * LOAD_CANCELLED when the server closed meanwhile.
 */
function preloadBase(aof: Aof, done: (preloaded: Preloaded | undefined | false | typeof LOAD_CANCELLED) => void): void {
  const { log, persistence } = aof.host;
  const base = aof.manifest.base;
  if (!base) return done(undefined);
  let data: Buffer;
  try {
    data = readFileSync(join(aof.dirPath, base.name));
  } catch {
    return done(undefined);
  }
  if (data.length < 5 || data.toString('latin1', 0, 5) !== 'REDIS') return done(undefined);
  const oldStyle = base.name === aof.filename;
  rdbPartNotice(log, oldStyle);
  persistence.loadInBackground(data, {}, (r) => {
    if (r === LOAD_CANCELLED) return done(r);
    if (typeof r === 'string') {
      rdbPartFailed(log, base.name, oldStyle, r);
      return done(false);
    }
    done({ name: base.name, data, end: r.end });
  });
}

type Preloaded = NonNullable<AofLoadHost['preloaded']>;

/** loadAppendOnlyFiles over the manifest, with INFO's `loading` set meanwhile. */
function loadFiles(aof: Aof, preloaded?: Preloaded): LoadResult {
  const { config, log, persistence } = aof.host;
  // The replay runs in one go: INFO can't see it, Redis's flag is set all the same.
  persistence.loadingState.start(0);
  try {
    return loadAppendOnlyFiles(
      {
        log,
        loadTruncated: config.bool('aof-load-truncated'),
        appendfilename: aof.filename,
        loadRdb: (data) => persistence.loadRdb(data),
        replayer: () => aof.host.replayer(),
        preloaded,
      },
      aof.dirPath,
      aof.manifest,
    );
  } finally {
    persistence.loadingState.stop();
  }
}

/**
 * DEBUG LOADAOF (after the caller emptied the data): the buffer written, the manifest read
 * again, history files deleted, every file loaded. False when loading failed.
 */
export function reloadForDebug(aof: Aof): boolean {
  const { log } = aof.host;
  if (aof.state !== AofState.Off) aof.writer.flush(true);
  aof.loadManifestFromDisk();
  aof.delHistoryFiles();
  const r = loadFiles(aof);
  if (r.status !== AofStatus.Ok && r.status !== AofStatus.Empty && r.status !== AofStatus.Truncated) return false;
  log.notice('Append Only File loaded by DEBUG LOADAOF');
  return true;
}

/** aofUpgradePrepare: the old dir/appendonly.aof becomes the base of a new manifest. */
function upgradePrepare(aof: Aof): void {
  const { log } = aof.host;
  const dirPath = aof.ensureDir();
  if (dirPath === undefined) throw new AofFatal();
  aof.manifest.base = { name: aof.filename, seq: 1, type: AofFileType.Base };
  aof.manifest.baseSeq = 1;
  aof.persistManifest(aof.manifest, true);
  const from = join(aof.host.config.str('dir'), aof.filename);
  try {
    renameSync(from, join(dirPath, aof.filename));
  } catch (e) {
    log.warning(`Error trying to move the old AOF file ${aof.filename} into dir ${aof.host.config.str('appenddirname')}: ${(e as Error).message}`);
    throw new AofFatal();
  }
  log.notice(`Successfully migrated an old-style AOF file (${aof.filename}) into the AOF directory (${aof.host.config.str('appenddirname')}).`);
}

/** aofOpenIfNeededOnServerStart: a base for an empty start, the last incr file opened for appending. */
function openOnStart(aof: Aof): void {
  const { log, persistence } = aof.host;
  if (aof.ensureDir() === undefined) throw new AofFatal();
  const m = aof.manifest;
  const hadIncr = m.incr.length > 0;
  if (!m.base && !hadIncr) {
    const base = m.newBase(aof.filename, aof.host.config.bool('aof-use-rdb-preamble'));
    if (!writeBaseNow(aof, join(aof.dirPath, base))) throw new AofFatal();
    log.notice(`Creating AOF base file ${base} on server start`);
  }
  void persistence;
  const name = m.lastIncr(aof.filename);
  let fd: number;
  try {
    fd = openSync(join(aof.dirPath, name), 'a', 0o644);
  } catch (e) {
    log.warning(`Can't open the append-only file ${name}: ${(e as Error).message}`);
    throw new AofFatal();
  }
  aof.persistManifest(m, true);
  const size = statSync(join(aof.dirPath, name)).size;
  aof.writer.switchTo(fd, size);
  aof.host.addSink(aof.sink);
  log.notice(hadIncr ? `Opening AOF incr file ${name} on server start` : `Creating AOF incr file ${name} on server start`);
}

/** rewriteAppendOnlyFile in the foreground (the base of an empty start). */
function writeBaseNow(aof: Aof, path: string): boolean {
  const temp = join(aof.host.config.str('dir'), `temp-rewriteaof-${process.pid}.aof`);
  try {
    if (aof.host.config.bool('aof-use-rdb-preamble')) aof.host.persistence.writeAofBase(path, temp);
    else AofRewrite.writeCommandsNow(aof.host.persistence, path, temp, aof.host.config.bool('aof-timestamp-enabled'));
    return true;
  } catch (e) {
    aof.host.log.warning(`Write error writing append only file on disk: ${(e as Error).message}`);
    return false;
  }
}
