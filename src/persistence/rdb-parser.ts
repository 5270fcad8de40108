// Reading an RDB file (rdb.c rdbLoadRio) one key at a time, so that a load can stop between any
// two keys and go on later (loading.ts yields to the event loop between slices). Aux fields,
// function libraries and notes for the log are collected on the way; the CRC-64 is kept up to
// date as far as the caller asks (advanceChecksum) and checked at EOF.
import type { Config } from '../config/config.js';
import { crc64 } from '../util/crc64.js';
import { RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_VERSION, RdbReader } from './rdb-encoding.js';
import { moduleTypeName, readLength64, skipModuleAux } from './rdb-module.js';
import { loadObject } from './rdb-object.js';
import { EMPTY_KEY } from './rdb-out.js';
import {
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ,
  RDB_OPCODE_IDLE,
  RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_OPCODE_SLOT_INFO,
  RDB_TYPE_MODULE_2,
  RDB_TYPE_MODULE_PRE_GA,
  type RdbKey,
} from './rdb.js';

const SHORT_READ = 'Short read or OOM loading DB. Unrecoverable error, aborting now.';

const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export class RdbParser {
  readonly aux = new Map<string, string>();
  /** Function library codes met so far (they come before the keys in files Redis writes). */
  readonly libraries: string[] = [];
  /** Lines for the log, appended as met; the reader takes them (notes.length = 0). */
  readonly notes: string[] = [];
  emptySkipped = 0;
  /** The database of the key next() returned last (SELECTDB). */
  db = 0;
  /** Where the RDB ends, once next() returned null. */
  end = 0;
  private readonly r: RdbReader;
  private readonly checksum: boolean;
  private crc = 0n;
  private crcPos = 0;

  private constructor(private readonly data: Uint8Array, private readonly version: number, config: Config, private readonly now: number) {
    this.r = new RdbReader(data);
    this.r.pos = 9;
    this.checksum = version >= 5 && config.bool('rdbchecksum');
  }

  /** The signature and version checked: a parser at the first opcode, or Redis's error text. */
  static open(data: Uint8Array, config: Config, now: number): RdbParser | string {
    const head = Buffer.from(data.buffer, data.byteOffset, Math.min(9, data.length)).toString('latin1');
    if (!head.startsWith('REDIS')) return 'Wrong signature trying to load DB from file';
    const version = Number(head.slice(5));
    if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) return `Can't handle RDB format version ${head.slice(5)}`;
    return new RdbParser(data, version, config, now);
  }

  /** Bytes read so far (loading_loaded_bytes). */
  get pos(): number {
    return this.r.pos;
  }

  /** The CRC-64 brought up to what was read: a load calls it between slices, so EOF has little left to do. */
  advanceChecksum(to = this.r.pos): void {
    if (!this.checksum || to <= this.crcPos) return;
    this.crc = crc64(this.crc, this.data.subarray(this.crcPos, to));
    this.crcPos = to;
  }

  /**
   * The next key (its database in `db`), null after EOF and the checksum, or an error text as
   * Redis logs it. Keys whose value had no elements are skipped and counted.
   */
  next(): RdbKey | null | string {
    const r = this.r;
    const data = this.data;
    let expire = -1;
    let idle: number | undefined;
    let freq: number | undefined;
    for (;;) {
      const type = r.byte();
      if (type === undefined) return SHORT_READ;
      if (type === RDB_OPCODE_EOF) return this.finish();
      if (type === RDB_OPCODE_EXPIRETIME_MS || type === RDB_OPCODE_EXPIRETIME) {
        const n = type === RDB_OPCODE_EXPIRETIME_MS ? 8 : 4;
        if (r.pos + n > data.length) return SHORT_READ;
        const b = Buffer.from(data.buffer, data.byteOffset + r.pos, n);
        expire = n === 8 ? Number(b.readBigInt64LE(0)) : b.readInt32LE(0) * 1000;
        r.pos += n;
        continue;
      }
      if (type === RDB_OPCODE_IDLE) {
        const l = r.length();
        if (!l) return SHORT_READ;
        idle = l[0];
        continue;
      }
      if (type === RDB_OPCODE_FREQ) {
        const b = r.byte();
        if (b === undefined) return SHORT_READ;
        freq = b;
        continue;
      }
      if (type === RDB_OPCODE_SELECTDB) {
        const l = r.length();
        if (!l) return SHORT_READ;
        this.db = l[0];
        continue;
      }
      if (type === RDB_OPCODE_RESIZEDB) {
        if (!r.length() || !r.length()) return SHORT_READ;
        continue;
      }
      if (type === RDB_OPCODE_SLOT_INFO) {
        // Cluster mode's per-slot sizes (7.4): a resize hint, ignored outside cluster mode.
        if (!r.length() || !r.length() || !r.length()) return SHORT_READ;
        continue;
      }
      if (type === RDB_OPCODE_AUX) {
        const k = r.string();
        const v = r.string();
        if (!k || !v) return SHORT_READ;
        this.aux.set(text(k), text(v));
        continue;
      }
      if (type === RDB_OPCODE_FUNCTION2) {
        const code = r.string();
        if (!code) return 'Failed loading library';
        this.libraries.push(text(code));
        continue;
      }
      if (type === RDB_OPCODE_FUNCTION_PRE_GA) return 'Pre-release function format not supported.';
      if (type === RDB_OPCODE_MODULE_AUX) {
        // Redis stops here without the module; respd has no modules to give the data to, so it
        // steps over it (the format allows it) and says so, rather than refusing the whole file.
        const m = skipModuleAux(r);
        if ('error' in m) return m.error;
        this.notes.push(`The RDB file contains AUX module data for module '${m.name}', skipped: no modules are loaded`);
        continue;
      }
      const key = r.string();
      if (!key) return SHORT_READ;
      if (type === RDB_TYPE_MODULE_PRE_GA) return 'Pre-release module format not supported';
      if (type === RDB_TYPE_MODULE_2) {
        const id = readLength64(r);
        return `The RDB file contains module data I can't load: no matching module type '${id === undefined ? '' : moduleTypeName(id)}'`;
      }
      const value = loadObject(type, r, this.now);
      if (value === undefined) return `Bad data format (key '${text(key)}' of type ${type})`;
      if (value !== EMPTY_KEY) return { key: text(key), value, expire, idle, freq };
      // An empty value (older versions could write one): skipped, and loading goes on.
      if (this.emptySkipped++ < 10) this.notes.push(`rdbLoadObject skipping empty key: ${text(key)}`);
      expire = -1;
      idle = undefined;
      freq = undefined;
    }
  }

  /** After EOF: the checksum (zero when written with rdbchecksum no; not checked under rdbchecksum no here). */
  private finish(): null | string {
    const r = this.r;
    const data = this.data;
    if (this.version >= 5) {
      if (r.pos + 8 > data.length) return SHORT_READ;
      const stored = Buffer.from(data.buffer, data.byteOffset + r.pos, 8).readBigUInt64LE(0);
      if (this.checksum) {
        if (stored === 0n) this.notes.push('RDB file was saved with checksum disabled: no check performed.');
        else {
          this.advanceChecksum();
          if (stored !== this.crc) return 'Wrong RDB checksum. Aborting now.';
        }
      }
      r.pos += 8;
    }
    this.end = Math.min(r.pos, data.length);
    return null;
  }
}
