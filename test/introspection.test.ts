// COMMAND and its subcommands, byte for byte: COUNT, INFO, DOCS, GETKEYS, and the commands
// whose keys are found through a numkeys argument (test/scenarios/keynum.txt).
import { describe, expect, it } from 'vitest';
import { RawClient, replayScenario, resp, startServer, until } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);

/** Sends a command and returns the reply (waiting for `len` bytes). */
const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

describe('COMMAND', () => {
  it('COUNT matches LIST of top-level commands; INFO of GET', async () => {
    const count = await send(4, 'COMMAND', 'COUNT');
    const n = Number(count.slice(1, -2));
    expect(n).toBeGreaterThanOrEqual(20);
    client.write(resp('COMMAND', 'INFO', 'get'));
    const info = (await client.waitMatch(/limit\r\n:0\r\n\*0\r\n$/)).slice(client.received.indexOf('*1\r\n*10'));
    expect(info).toContain('+RO\r\n+access\r\n');
    expect(info.startsWith('*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n')).toBe(true);
  });
  it('GETKEYS', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.exchange(resp('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'), 14)).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    c.close();
  });
});

describe('keys found through a numkeys argument (find_keys keynum)', () => {
  it('COMMAND GETKEYS and the key spec in COMMAND INFO', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2')).toBe('*3\r\n$3\r\ndst\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    const info = await c.call('COMMAND', 'INFO', 'lmpop');
    expect(info).toContain('$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n');
    c.close();
  });

  it('ACL key patterns apply to those keys', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('ACL', 'SETUSER', 'kn', 'on', '>pw', '~a*', '+@all')).toBe('+OK\r\n');
    const u = await RawClient.connect(server.port);
    expect(await u.call('AUTH', 'kn', 'pw')).toBe('+OK\r\n');
    expect(await u.call('LMPOP', '1', 'a1', 'LEFT')).toBe('*-1\r\n');
    expect(await u.call('LMPOP', '2', 'a1', 'b1', 'LEFT')).toBe('-NOPERM No permissions to access a key\r\n');
    expect(await u.call('ZUNIONSTORE', 'a2', '2', 'a3', 'b3')).toBe('-NOPERM No permissions to access a key\r\n');
    u.close();
    expect(await c.call('ACL', 'DELUSER', 'kn')).toBe(':1\r\n');
    c.close();
  });
});

describe('recorded from redis-server', () => {
  it('answers test/scenarios/keynum.txt as redis-server does', () => replayScenario(server.port, 'keynum'), 60000);
});

describe('COMMAND GETKEYSANDFLAGS', () => {
  it('GETKEYSANDFLAGS: each key with its key-spec flags, variable flags resolved', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v', 'get')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'lmove', 'a', 'b', 'left', 'right')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RW\r\n+insert\r\n');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'get')).toBe("-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n");
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'nosuch', 'x')).toBe('-ERR Invalid command specified\r\n');
    const c3 = await RawClient.connect(server.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k')).toBe('*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+RO\r\n+access\r\n');
    c3.close();
    c.close();
  });
});
