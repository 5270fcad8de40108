// The OBJECT family end to end: ENCODING (strings, lists), REFCOUNT, IDLETIME (and what CLIENT
// NO-TOUCH leaves untouched), FREQ under an LFU policy, HELP and arity, byte for byte.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bulk, err, int, NIL, OK, RawClient, startServer } from './helpers.js';

const handle = await startServer();
const keyspace = handle.server.keyspace;
const c = await RawClient.connect(handle.port);
const others: RawClient[] = [];
afterAll(() => {
  c.close();
  for (const o of others) o.close();
});

async function connection(): Promise<RawClient> {
  const o = await RawClient.connect(handle.port);
  others.push(o);
  return o;
}

/** The access clock of `key` as stored (LRU seconds or LFU word); tests back-date it to avoid waiting. */
function clock(key: string, db = 0): number {
  return keyspace.dbs[db]!.accessClock(key)!;
}
function setClock(key: string, word: number, db = 0): void {
  keyspace.dbs[db]!.setAccessClock(key, word);
}

beforeEach(async () => {
  await c.call('SELECT', '0');
  expect(await c.call('FLUSHALL')).toBe(OK);
});

describe('OBJECT', () => {
  it('ENCODING follows Redis for strings: int, embstr up to 44 bytes, raw beyond', async () => {
    const cases: [string, string][] = [
      ['12345', 'int'], ['-5', 'int'], ['9223372036854775807', 'int'], ['9223372036854775808', 'embstr'],
      ['0123', 'embstr'], ['abc', 'embstr'], ['x'.repeat(44), 'embstr'], ['x'.repeat(45), 'raw'], ['x'.repeat(5000), 'raw'],
    ];
    for (const [v, enc] of cases) {
      await c.call('SET', 'k', v);
      expect(await c.call('OBJECT', 'ENCODING', 'k'), v).toBe(bulk(enc));
    }
    expect(await c.call('OBJECT', 'ENCODING', 'nx')).toBe(NIL);
  });

  it('ENCODING of lists follows list-max-listpack-size', async () => {
    await c.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await c.call('OBJECT', 'ENCODING', 'l')).toBe(bulk('listpack'));
    await c.call('RPUSH', 'big', 'x'.repeat(9000));
    expect(await c.call('OBJECT', 'ENCODING', 'big')).toBe(bulk('quicklist'));
    await c.call('CONFIG', 'SET', 'list-max-listpack-size', '2');
    expect(await c.call('OBJECT', 'ENCODING', 'l')).toBe(bulk('quicklist'));
    await c.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    expect(await c.call('OBJECT', 'ENCODING', 'l')).toBe(bulk('listpack'));
  });

  it('REFCOUNT: shared small integers report INT_MAX, everything else 1', async () => {
    await c.call('MSET', 'small', '5', 'mid', '12345', 's', 'abc');
    expect(await c.call('OBJECT', 'REFCOUNT', 'small')).toBe(int(2147483647));
    expect(await c.call('OBJECT', 'REFCOUNT', 'mid')).toBe(int(1));
    expect(await c.call('OBJECT', 'REFCOUNT', 's')).toBe(int(1));
    expect(await c.call('OBJECT', 'REFCOUNT', 'nx')).toBe(NIL);
  });

  it('IDLETIME counts seconds since the last access; NO-TOUCH lookups and TYPE/EXISTS/TTL leave it', async () => {
    await c.call('SET', 'k', 'v');
    expect(await c.call('OBJECT', 'IDLETIME', 'k')).toBe(int(0));
    setClock('k', clock('k') - 10);
    // 10 s ago; a loaded machine may see the next second start before a later step reads it.
    expect([int(10), int(11)]).toContain(await c.call('OBJECT', 'IDLETIME', 'k'));
    await c.call('TYPE', 'k');
    await c.call('EXISTS', 'k');
    await c.call('TTL', 'k');
    expect([int(10), int(11)]).toContain(await c.call('OBJECT', 'IDLETIME', 'k'));
    const nt = await connection();
    expect(await nt.call('CLIENT', 'NO-TOUCH', 'on')).toBe(OK);
    expect(await nt.call('PERSIST', 'k')).toBe(int(0));
    expect(await nt.call('RENAME', 'k', 'k2')).toBe(OK);
    expect([int(10), int(11)]).toContain(await c.call('OBJECT', 'IDLETIME', 'k2'));
    // TOUCH touches even for a NO-TOUCH client.
    expect(await nt.call('TOUCH', 'k2')).toBe(int(1));
    expect(await c.call('OBJECT', 'IDLETIME', 'k2')).toBe(int(0));
    setClock('k2', clock('k2') - 5);
    expect(await c.call('PERSIST', 'k2')).toBe(int(0));
    expect(await c.call('OBJECT', 'IDLETIME', 'k2')).toBe(int(0));
    expect(await c.call('OBJECT', 'FREQ', 'k2')).toBe(
      err('An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'));
  });

  it('FREQ is the LFU counter under an LFU policy: 5 for a new key, +1 on the first accesses', async () => {
    expect(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu')).toBe(OK);
    // No decay while the increments are checked: a minute boundary between two accesses would
    // otherwise take one off (decay counts boundaries of the minute clock, as Redis's does).
    expect(await c.call('CONFIG', 'SET', 'lfu-decay-time', '0')).toBe(OK);
    try {
      await c.call('SET', 'k', 'v');
      expect(await c.call('OBJECT', 'FREQ', 'k')).toBe(int(5));
      expect(await c.call('TOUCH', 'k')).toBe(int(1));
      expect(await c.call('OBJECT', 'FREQ', 'k')).toBe(int(6));
      const nt = await connection();
      await nt.call('CLIENT', 'NO-TOUCH', 'on');
      await nt.call('PERSIST', 'k');
      expect(await c.call('OBJECT', 'FREQ', 'k')).toBe(int(6));
      // The counter decays by one per lfu-decay-time (1) minutes without access: back-dated to 3
      // minutes before the current minute.
      expect(await c.call('CONFIG', 'SET', 'lfu-decay-time', '1')).toBe(OK);
      const w = clock('k');
      setClock('k', (((Math.floor(Date.now() / 60000) - 3) & 0xffff) << 8) | (w & 255));
      expect(await c.call('OBJECT', 'FREQ', 'k')).toBe(int(3));
      expect(await c.call('OBJECT', 'IDLETIME', 'k')).toBe(
        err('An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'));
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await c.call('CONFIG', 'SET', 'lfu-decay-time', '1');
    }
  });

  it('HELP, unknown subcommands and arity', async () => {
    const help = await c.call('OBJECT', 'HELP');
    expect(help.startsWith('*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n')).toBe(true);
    expect(help.endsWith('+HELP\r\n+    Print this help.\r\n')).toBe(true);
    expect(await c.call('OBJECT', 'FOO')).toBe(err("unknown subcommand 'FOO'. Try OBJECT HELP."));
    expect(await c.call('OBJECT')).toBe(err("wrong number of arguments for 'object' command"));
    expect(await c.call('OBJECT', 'ENCODING')).toBe(err("wrong number of arguments for 'object|encoding' command"));
    expect(await c.call('OBJECT', 'HELP', 'x')).toBe(err("wrong number of arguments for 'object|help' command"));
  });
});
