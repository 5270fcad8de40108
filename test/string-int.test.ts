// Integer-encoded strings (src/data/string-int.ts): a counter INCR wrote is kept as a number, and
// every command that reads string values sees exactly what it sees for the same text written by
// SET: GET, APPEND, ranges, OBJECT, MEMORY USAGE, DUMP/RESTORE, DEBUG DIGEST, SORT BY, scripts,
// RENAME/COPY, a reload from RDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, bulk, int, startServer } from './helpers.js';

// DEBUG RELOAD writes dump.rdb: in a directory of this file's own.
const dir = mkdtempSync(join(tmpdir(), 'respd-string-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const s = await startServer({ dir });

/** Replies of read-only commands on `key` (and a copy of it), to compare between representations. */
async function readings(c: RawClient, key: string): Promise<string[]> {
  const out: string[] = [];
  for (const cmd of [
    ['GET', key], ['STRLEN', key], ['GETRANGE', key, '1', '-2'], ['TYPE', key], ['OBJECT', 'ENCODING', key],
    ['OBJECT', 'REFCOUNT', key], ['MEMORY', 'USAGE', key], ['DEBUG', 'DIGEST-VALUE', key], ['DUMP', key],
    ['EVAL', "return redis.call('get', KEYS[1])", '1', key], ['EVAL', "return {redis.call('incrby', KEYS[1], 0)}", '1', key],
    ['SORT', 'sortme', 'BY', `${key}_*`], ['LCS', key, 'other'], ['BITCOUNT', key], ['MGET', key, key],
  ]) out.push(await c.call(...cmd));
  return out;
}

describe('integer-encoded strings', () => {
  it('read as the same text written by SET, whatever reads them', async () => {
    const c = await RawClient.connect(s.port);
    await c.call('RPUSH', 'sortme', 'a', 'b');
    await c.call('SET', 'other', '12x45');
    for (const n of ['7', '12345', '-42', '9007199254740991']) {
      await c.call('DEL', 'byincr', 'byset');
      await c.call('SET', 'byincr', '0');
      expect(await c.call('INCRBY', 'byincr', n)).toBe(int(n));
      expect(await c.call('SET', 'byset', n)).toBe('+OK\r\n');
      for (const k of ['byincr', 'byset']) {
        await c.call('SET', `${k}_a`, n);
        await c.call('SET', `${k}_b`, '5');
      }
      const viaIncr = await readings(c, 'byincr');
      const viaSet = await readings(c, 'byset');
      expect(viaIncr).toEqual(viaSet);
      expect(viaIncr[0]).toBe(bulk(n));
      expect(viaIncr[4]).toBe(bulk('int'));
    }
    c.close();
  });

  it('count on through every counter command and change back into text when edited', async () => {
    const c = await RawClient.connect(s.port);
    await c.call('DEL', 'n');
    expect(await c.call('INCR', 'n')).toBe(int(1));
    expect(await c.call('INCRBY', 'n', '9999')).toBe(int(10000));
    expect(await c.call('DECR', 'n')).toBe(int(9999));
    expect(await c.call('DECRBY', 'n', '10000')).toBe(int(-1));
    expect(await c.call('GET', 'n')).toBe(bulk('-1'));
    expect(await c.call('INCRBYFLOAT', 'n', '0.5')).toBe(bulk('-0.5'));
    expect(await c.call('INCR', 'n')).toBe('-ERR value is not an integer or out of range\r\n');
    // Past the safe integer range: the exact 64-bit value, kept as text.
    await c.call('SET', 'n', '9007199254740991');
    expect(await c.call('INCRBY', 'n', '2')).toBe(int('9007199254740993'));
    expect(await c.call('GET', 'n')).toBe(bulk('9007199254740993'));
    expect(await c.call('INCRBY', 'n', '9223372036854775807')).toBe('-ERR increment or decrement would overflow\r\n');
    await c.call('SET', 'n', '41');
    expect(await c.call('INCR', 'n')).toBe(int(42));
    expect(await c.call('APPEND', 'n', 'x')).toBe(int(3));
    expect(await c.call('GET', 'n')).toBe(bulk('42x'));
    await c.call('SET', 'n', '100');
    await c.call('INCR', 'n');
    expect(await c.call('SETRANGE', 'n', '0', '9')).toBe(int(3));
    expect(await c.call('GET', 'n')).toBe(bulk('901'));
    // A deadline stays with an INCR, as in Redis.
    await c.call('SET', 'n', '1', 'EX', '1000');
    await c.call('INCR', 'n');
    expect(await c.call('TTL', 'n')).toMatch(/^:(1000|999)\r\n$/);
    // Another type is refused.
    await c.call('RPUSH', 'lst', 'a');
    expect(await c.call('INCR', 'lst')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    c.close();
  });

  it('move, copy, dump and reload as text', async () => {
    const c = await RawClient.connect(s.port);
    await c.call('FLUSHALL');
    await c.call('SET', 'a', '0');
    await c.call('INCRBY', 'a', '123456');
    await c.call('SET', 'b', '123456');
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(await c.call('COPY', 'a', 'a2')).toBe(int(1));
    expect(await c.call('RENAME', 'a2', 'a3')).toBe('+OK\r\n');
    expect(await c.call('GET', 'a3')).toBe(bulk('123456'));
    const dump = await c.call('DUMP', 'a');
    expect(dump).toBe(await c.call('DUMP', 'b'));
    await c.call('DEL', 'a2', 'a3');
    expect(await c.call('DEBUG', 'RELOAD')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await c.call('INCR', 'a')).toBe(int(123457));
    c.close();
  });
});
