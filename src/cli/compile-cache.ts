// Runs a CommonJS bundle through V8's code cache, as Node 22's module.enableCompileCache does
// (Node 20 lacks it): the first run compiles and, once the server has run a while (or at exit),
// stores the bytecode V8 made, start-up functions included; later runs load it instead of
// parsing the bundle. NODE_DISABLE_COMPILE_CACHE=1 turns it off, NODE_COMPILE_CACHE=dir moves it.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** How long the server runs before its bytecode is stored (start-up and first commands compiled). */
const STORE_AFTER_MS = 1000;

type ModuleFunction = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/**
 * The cache folder, only if it is this user's own and closed to others: V8 runs what the cache
 * holds, so a file another user could have written must not be read.
 */
function cacheDir(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const dir = process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'respd-compile-cache');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The stored bytecode for `stamp`, or undefined when missing or made for another build. */
function readCache(path: string, stamp: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const data = Buffer.allocUnsafe(fstatSync(fd).size);
    const n = readSync(fd, data, 0, data.length, 0);
    const nl = data.indexOf(10);
    if (nl < 0 || n !== data.length || data.toString('latin1', 0, nl) !== stamp) return undefined;
    return data.subarray(nl + 1);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Written beside and renamed over, so a concurrent start reads a whole file or none. */
function writeCache(path: string, stamp: string, data: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(stamp + '\n', 'latin1'), data]), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A read-only or full disk only costs the next start its speed.
  }
}

/**
 * The cache file's name for a bundle: one per installed copy (FNV-1a of its path), rewritten
 * when a rebuild changes the stamp, so rebuilds do not pile files up.
 */
export function cacheFileName(file: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193) >>> 0;
  return `cli-${h.toString(16).padStart(8, '0')}.bin`;
}

/**
 * True when `bundle` exists and is no older than `source`, the module tsc made beside it: a
 * checkout where tsc ran alone since the last bundle must not run yesterday's code. In an
 * installed package (under node_modules) only existence counts: npm gives every file the time
 * it was extracted, in no useful order, and nothing rebuilds there.
 */
export function isFresh(bundle: string, source: string): boolean {
  const b = statSync(bundle, { throwIfNoEntry: false });
  if (!b) return false;
  if (bundle.includes(`${sep}node_modules${sep}`)) return true;
  const s = statSync(source, { throwIfNoEntry: false });
  return !s || b.mtimeMs >= s.mtimeMs;
}

/**
 * Runs `file` (a CommonJS bundle) as Node would require it, compiled from the code cache when
 * one was stored for this very file, Node and V8. False when the file does not exist.
 */
export function runCached(file: string): boolean {
  let source: string;
  let stamp: string;
  let fd = -1;
  try {
    // Stat and read through one descriptor: a rebuild renaming a new bundle in meanwhile
    // cannot pair one file's identity with the other's text.
    fd = openSync(file, 'r');
    const st = fstatSync(fd, { bigint: true });
    source = readFileSync(fd, 'utf8');
    // The bundle's identity: a rebuild changes its size or time. (V8 itself refuses bytecode
    // made by another V8 version or with other flags: cachedDataRejected.)
    stamp = `${process.version} ${process.arch} ${st.ino} ${st.size} ${st.mtimeNs}`;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  const dir = cacheDir();
  const cachePath = dir && join(dir, cacheFileName(file));
  const cachedData = cachePath ? readCache(cachePath, stamp) : undefined;
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, cachedData });
  if (cachePath && (cachedData === undefined || script.cachedDataRejected === true)) {
    let stored = false;
    const store = () => {
      if (stored) return;
      stored = true;
      writeCache(cachePath, stamp, script.createCachedData());
    };
    setTimeout(store, STORE_AFTER_MS).unref();
    process.once('exit', store);
  }
  const run = script.runInThisContext() as ModuleFunction;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return true;
}
