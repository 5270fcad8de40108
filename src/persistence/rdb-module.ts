// Module data in an RDB file (RDB_OPCODE_MODULE_AUX, RDB_TYPE_MODULE_2). respd loads no modules,
// so it can only step over such data: each module value is a run of typed items (sub-opcodes)
// ended by RDB_MODULE_OPCODE_EOF, which redis-check-rdb skips the same way
// (rdbLoadCheckModuleValue), and a module is named by the 9 characters packed in its 64-bit ID.
import type { RdbReader } from './rdb-encoding.js';

const RDB_MODULE_OPCODE_EOF = 0;
const RDB_MODULE_OPCODE_SINT = 1;
const RDB_MODULE_OPCODE_UINT = 2;
const RDB_MODULE_OPCODE_FLOAT = 3;
const RDB_MODULE_OPCODE_DOUBLE = 4;
const RDB_MODULE_OPCODE_STRING = 5;
const NAME_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** rdbLoadLen kept exact over 64 bits (module IDs use all of them). */
export function readLength64(r: RdbReader): bigint | undefined {
  const b = r.data[r.pos];
  if (b === 0x81) {
    if (r.pos + 9 > r.data.length) return undefined;
    const v = Buffer.from(r.data.buffer, r.data.byteOffset + r.pos + 1, 8).readBigUInt64BE(0);
    r.pos += 9;
    return v;
  }
  const l = r.length();
  return l && !l[1] ? BigInt(l[0]) : undefined;
}

/** moduleTypeNameByID: the module type's 9-character name (the low 10 bits are its encoding version). */
export function moduleTypeName(id: bigint): string {
  let rest = id >> 10n;
  const out: string[] = [];
  for (let j = 0; j < 9; j++) {
    out.unshift(NAME_CHARSET[Number(rest & 63n)]!);
    rest >>= 6n;
  }
  return out.join('');
}

/** Steps over one module value up to its EOF sub-opcode; false when the data is short or unknown. */
export function skipModuleValue(r: RdbReader): boolean {
  for (;;) {
    const op = r.length();
    if (!op || op[1]) return false;
    switch (op[0]) {
      case RDB_MODULE_OPCODE_EOF:
        return true;
      case RDB_MODULE_OPCODE_SINT:
      case RDB_MODULE_OPCODE_UINT:
        if (readLength64(r) === undefined) return false;
        break;
      case RDB_MODULE_OPCODE_STRING:
        if (!r.string()) return false;
        break;
      case RDB_MODULE_OPCODE_FLOAT:
      case RDB_MODULE_OPCODE_DOUBLE: {
        const n = op[0] === RDB_MODULE_OPCODE_FLOAT ? 4 : 8;
        if (r.pos + n > r.data.length) return false;
        r.pos += n;
        break;
      }
      default:
        return false;
    }
  }
}

/**
 * RDB_OPCODE_MODULE_AUX after its opcode: the module ID, the `when` (a UINT item), then the value.
 * Returns the module's name once skipped, or an error text as Redis logs it.
 */
export function skipModuleAux(r: RdbReader): { name: string } | { error: string } {
  const id = readLength64(r);
  const whenOpcode = r.length();
  const when = r.length();
  if (id === undefined || !whenOpcode || !when) return { error: 'Short read or OOM loading DB. Unrecoverable error, aborting now.' };
  if (whenOpcode[0] !== RDB_MODULE_OPCODE_UINT) return { error: 'bad when_opcode' };
  const name = moduleTypeName(id);
  if (!skipModuleValue(r)) return { error: `Error reading module ${name} aux data` };
  return { name };
}
