// The AOF manifest (Redis 7's multi-part AOF, aof.c): which files make the append-only log, in
// appenddirname under dir. One line per file, `file <name> seq <n> type b|h|i`: the base first
// (a snapshot, `.base.rdb` or `.base.aof`), then history files (replaced by the last rewrite,
// deleted soon), then the incr files (the commands since, in order). Names are written quoted
// when they need it (sdscatrepr) and read back with sdssplitargs' rules.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { repr, splitArgs } from '../../util/sds.js';

export const enum AofFileType {
  Base = 'b',
  History = 'h',
  Incr = 'i',
}

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** A manifest that cannot be read: Redis's text and, when a line was at fault, the line. */
export interface ManifestError {
  error: string;
  line?: { number: number; text: string };
}

export class AofManifest {
  base: AofInfo | undefined;
  history: AofInfo[] = [];
  incr: AofInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base && { ...this.base };
    m.history = this.history.map((a) => ({ ...a }));
    m.incr = this.incr.map((a) => ({ ...a }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  get empty(): boolean {
    return this.base === undefined && this.incr.length === 0;
  }

  /** getAofManifestAsString: base, history, incr. */
  format(): string {
    let out = '';
    for (const a of [...(this.base ? [this.base] : []), ...this.history, ...this.incr]) {
      out += `file ${needsRepr(a.name) ? repr(a.name) : a.name} seq ${a.seq} type ${a.type}\n`;
    }
    return out;
  }

  /**
   * getNewBaseFileNameAndMarkPreAsHistory: `<appendfilename>.<seq>.base.rdb` (or `.aof` without
   * the RDB preamble); the previous base becomes the first history file.
   */
  newBase(appendfilename: string, rdb: boolean): string {
    if (this.base) {
      this.base.type = AofFileType.History;
      this.history.unshift(this.base);
    }
    const seq = ++this.baseSeq;
    this.base = { name: `${appendfilename}.${seq}.base.${rdb ? 'rdb' : 'aof'}`, seq, type: AofFileType.Base };
    return this.base.name;
  }

  /** getNewIncrAofName: `<appendfilename>.<seq>.incr.aof`, added last. */
  newIncr(appendfilename: string): string {
    const seq = ++this.incrSeq;
    const name = `${appendfilename}.${seq}.incr.aof`;
    this.incr.push({ name, seq, type: AofFileType.Incr });
    return name;
  }

  /** getLastIncrAofName: the last incr file, or a new one. */
  lastIncr(appendfilename: string): string {
    return this.incr.length ? this.incr[this.incr.length - 1]!.name : this.newIncr(appendfilename);
  }

  /**
   * markRewrittenIncrAofAsHistory: every incr file becomes history, except the one being written
   * when the AOF is on.
   */
  markRewrittenIncrAsHistory(keepLast: boolean): void {
    const moved = keepLast ? this.incr.slice(0, -1) : this.incr;
    this.incr = keepLast ? this.incr.slice(-1) : [];
    // Added at the head one by one from the tail: the history keeps their order.
    for (const a of moved) a.type = AofFileType.History;
    this.history = [...moved, ...this.history];
  }

  /** aofLoadManifestFromFile's parsing, with its checks and texts. */
  static parse(text: string): AofManifest | ManifestError {
    const m = new AofManifest();
    let maxSeq = 0;
    const raw = text.split('\n');
    // A final newline leaves an empty last piece, not a line.
    if (raw.length && raw[raw.length - 1] === '') raw.pop();
    if (raw.length === 0) return { error: 'Found an empty AOF manifest' };
    for (let i = 0; i < raw.length; i++) {
      const buf = raw[i]!;
      if (buf.startsWith('#')) continue;
      const line = buf.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const at = { number: i + 1, text: line };
      if (buf.length > 1023) return { error: 'The AOF manifest file contains too long line', line: at };
      if (i === raw.length - 1 && !text.endsWith('\n')) {
        // fgets on a last line without a newline: Redis says the line is too long.
        return { error: 'The AOF manifest file contains too long line', line: at };
      }
      if (line === '') return { error: 'Invalid AOF manifest file format', line: at };
      const argv = splitArgs(line);
      if (!argv || argv.length < 6 || argv.length % 2) return { error: 'Invalid AOF manifest file format', line: at };
      let name: string | undefined;
      let seq = 0;
      let type = '';
      for (let k = 0; k < argv.length; k += 2) {
        const key = argv[k]!.toLowerCase();
        if (key === 'file') {
          name = argv[k + 1]!;
          if (name.includes('/')) return { error: "File can't be a path, just a filename", line: at };
        } else if (key === 'seq') {
          seq = atoll(argv[k + 1]!);
        } else if (key === 'type') {
          type = argv[k + 1]!.charAt(0);
        }
      }
      if (!name || !seq || !type) return { error: 'Invalid AOF manifest file format', line: at };
      if (type === AofFileType.Base) {
        if (m.base) return { error: 'Found duplicate base file information', line: at };
        m.base = { name, seq, type };
        m.baseSeq = seq;
      } else if (type === AofFileType.History) {
        m.history.push({ name, seq, type });
      } else if (type === AofFileType.Incr) {
        if (seq <= maxSeq) return { error: 'Found a non-monotonic sequence number', line: at };
        m.incr.push({ name, seq, type });
        m.incrSeq = seq;
        maxSeq = seq;
      } else {
        return { error: 'Unknown AOF file type', line: at };
      }
    }
    return m;
  }
}

/** atoll: leading blanks, a sign, digits; anything else ends it. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** sdsneedsrepr: quotes, backslashes, control characters, spaces, anything unprintable. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

export function manifestName(appendfilename: string): string {
  return `${appendfilename}.manifest`;
}

/** getTempIncrAofName: where writes go while the first rewrite of CONFIG SET appendonly yes runs. */
export function tempIncrName(appendfilename: string): string {
  return `temp-${appendfilename}.incr`;
}

/**
 * writeAofManifestFile: a temporary manifest written and fsynced, renamed over the manifest,
 * then the directory fsynced (new files in it must be durable with the manifest that names them).
 * Throws with Redis's log text.
 */
export function writeManifest(dirPath: string, appendfilename: string, m: AofManifest): void {
  const name = manifestName(appendfilename);
  const tempName = `temp-${name}`;
  const temp = join(dirPath, tempName);
  let fd: number;
  try {
    fd = openSync(temp, 'w', 0o644);
  } catch (e) {
    throw new Error(`Can't open the AOF manifest file ${tempName}: ${(e as Error).message}`);
  }
  try {
    const text = Buffer.from(m.format(), 'latin1');
    let off = 0;
    while (off < text.length) off += writeSync(fd, text, off);
    fsyncSync(fd);
  } catch (e) {
    throw new Error(`Error trying to write the temporary AOF manifest file ${tempName}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, join(dirPath, name));
  } catch (e) {
    throw new Error(`Error trying to rename the temporary AOF manifest file ${tempName} into ${name}: ${(e as Error).message}`);
  }
  fsyncDir(dirPath);
}

/** fsyncFileDir: the directory's entries made durable. */
export function fsyncDir(dirPath: string): void {
  const fd = openSync(dirPath, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
