// The generic key commands end to end, byte for byte as redis-server 7.2 answers them: DEL, UNLINK,
// EXISTS, TYPE, TOUCH, KEYS, SCAN (and its never-miss guarantee under churn), RANDOMKEY, RENAME,
// RENAMENX, COPY, MOVE, SWAPDB, CLIENT NO-TOUCH, and the keyspace notifications they raise
// (OBJECT, with NO-TOUCH's effect on IDLETIME and FREQ, is in object.test.ts).
// The keyspace is wired to the server as the server does it (wireKeyspace), for 'new' and LFU.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { wireKeyspace } from '../src/commands/notify.js';
import { bulk, bulks, err, int, NIL, OK, PONG_SUBSCRIBED, RawClient, replayScenario, resp, startServer, untilBlocked } from './helpers.js';

const handle = await startServer();
wireKeyspace(handle.server);
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


/** The keys of a `*n` reply of bulk strings, sorted (KEYS and SCAN order is not part of the contract). */
function keysOf(reply: string): string[] {
  const out: string[] = [];
  const re = /\$\d+\r\n([^\r]*)\r\n/g;
  for (let m = re.exec(reply); m; m = re.exec(reply)) out.push(m[1]!);
  return out.sort();
}

/** One SCAN call: [next cursor, keys]. */
async function scanStep(client: RawClient, ...args: string[]): Promise<[string, string[]]> {
  const r = await client.call('SCAN', ...args);
  const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n/.exec(r);
  if (!m) throw new Error(`not a SCAN reply: ${JSON.stringify(r)}`);
  return [m[1]!, keysOf(r.slice(m[0].length))];
}

beforeEach(async () => {
  await c.call('SELECT', '0');
  expect(await c.call('FLUSHALL')).toBe(OK);
});

describe('DEL, UNLINK, EXISTS, TYPE, TOUCH', () => {
  it('DEL and UNLINK count the keys removed, once each', async () => {
    await c.call('MSET', 'a', '1', 'b', '2');
    expect(await c.call('DEL', 'a', 'b', 'nx', 'a')).toBe(int(2));
    expect(await c.call('DEL', 'a')).toBe(int(0));
    await c.call('SET', 'a', '1');
    expect(await c.call('UNLINK', 'a', 'a')).toBe(int(1));
    expect(await c.call('DEL')).toBe(err("wrong number of arguments for 'del' command"));
    expect(await c.call('UNLINK')).toBe(err("wrong number of arguments for 'unlink' command"));
  });

  it('EXISTS counts repeats; TYPE names each type, none when missing', async () => {
    await c.call('SET', 's', 'v');
    await c.call('RPUSH', 'l', 'x');
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('SADD', 'st', 'm');
    expect(await c.call('EXISTS', 's', 's', 'nx', 'l')).toBe(int(3));
    expect(await c.call('TYPE', 's')).toBe('+string\r\n');
    expect(await c.call('TYPE', 'l')).toBe('+list\r\n');
    expect(await c.call('TYPE', 'h')).toBe('+hash\r\n');
    expect(await c.call('TYPE', 'st')).toBe('+set\r\n');
    expect(await c.call('TYPE', 'nx')).toBe('+none\r\n');
    expect(await c.call('TYPE', 'a', 'b')).toBe(err("wrong number of arguments for 'type' command"));
  });

  it('TOUCH counts the existing keys', async () => {
    await c.call('MSET', 'a', '1', 'b', '2');
    expect(await c.call('TOUCH', 'a', 'b', 'nx', 'a')).toBe(int(3));
  });
});

describe('KEYS', () => {
  it('matches Redis glob patterns', async () => {
    await c.call('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'a*b', '6');
    expect(keysOf(await c.call('KEYS', '*'))).toEqual(['a*b', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    expect(keysOf(await c.call('KEYS', 'h?llo'))).toEqual(['hallo', 'hello', 'hxllo']);
    expect(keysOf(await c.call('KEYS', 'h*llo'))).toEqual(['hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    expect(keysOf(await c.call('KEYS', 'h[ae]llo'))).toEqual(['hallo', 'hello']);
    expect(keysOf(await c.call('KEYS', 'h[^e]llo'))).toEqual(['hallo', 'hxllo']);
    expect(keysOf(await c.call('KEYS', 'h[a-b]llo'))).toEqual(['hallo']);
    expect(await c.call('KEYS', 'a\\*b')).toBe(bulks('a*b'));
    expect(await c.call('KEYS', 'nomatch*')).toBe('*0\r\n');
  });
});

describe('SCAN', () => {
  it('rejects bad cursors, counts and options with Redis errors', async () => {
    for (const bad of ['x', ' 0', '0x', '+', '-', '18446744073709551616', '1.5']) {
      expect(await c.call('SCAN', bad)).toBe(err('invalid cursor'));
    }
    expect(await c.call('SCAN', '0', 'COUNT', '0')).toBe(err('syntax error'));
    expect(await c.call('SCAN', '0', 'COUNT', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('SCAN', '0', 'COUNT')).toBe(err('syntax error'));
    expect(await c.call('SCAN', '0', 'MATCH')).toBe(err('syntax error'));
    expect(await c.call('SCAN', '0', 'FOO', 'bar')).toBe(err('syntax error'));
    expect(await c.call('SCAN')).toBe(err("wrong number of arguments for 'scan' command"));
  });

  it('"" and +0 start a scan; one step with a large COUNT returns everything and cursor 0', async () => {
    await c.call('MSET', 'a', '1', 'b', '2');
    expect(await c.call('SCAN', '', 'COUNT', '100')).toBe(`*2\r\n${bulk('0')}${bulks('a', 'b')}`);
    expect(await c.call('SCAN', '+0', 'COUNT', '100')).toBe(`*2\r\n${bulk('0')}${bulks('a', 'b')}`);
    expect(await c.call('FLUSHALL')).toBe(OK);
    expect(await c.call('SCAN', '0')).toBe(`*2\r\n${bulk('0')}*0\r\n`);
  });

  it('MATCH and TYPE (any case) filter what a step visited', async () => {
    await c.call('MSET', 'k1', 'v', 'k2', 'v', 'x1', 'v');
    await c.call('RPUSH', 'k3', 'e');
    expect(await scanStep(c, '0', 'MATCH', 'k*', 'COUNT', '100')).toEqual(['0', ['k1', 'k2', 'k3']]);
    expect(await scanStep(c, '0', 'TYPE', 'LIST', 'COUNT', '100')).toEqual(['0', ['k3']]);
    expect(await scanStep(c, '0', 'type', 'string', 'match', '*1', 'count', '100')).toEqual(['0', ['k1', 'x1']]);
    expect(await scanStep(c, '0', 'TYPE', 'nosuchtype')).toEqual(['0', []]);
  });

  it('a full iteration in small steps returns every key exactly once', async () => {
    const all: string[] = [];
    for (let i = 0; i < 250; i++) all.push(`key:${i}`);
    await c.call('MSET', ...all.flatMap((k) => [k, 'v']));
    const seen: string[] = [];
    let cursor = '0';
    let steps = 0;
    do {
      const [next, keys] = await scanStep(c, cursor, 'COUNT', '7');
      seen.push(...keys);
      cursor = next;
      steps++;
    } while (cursor !== '0');
    expect(steps).toBe(Math.ceil(250 / 7));
    expect(seen.sort()).toEqual([...all].sort());
  });

  it('never misses a key present for the whole scan, nor repeats one, while keys come and go (fixed seed)', async () => {
    let seed = 42;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const stable: string[] = [];
    for (let i = 0; i < 400; i++) stable.push(`stable:${i}`);
    await c.call('MSET', ...stable.flatMap((k) => [k, 'v']));
    // Some keys present at the start that go away during the scan.
    const doomed: string[] = [];
    for (let i = 0; i < 200; i++) doomed.push(`doomed:${i}`);
    await c.call('MSET', ...doomed.flatMap((k) => [k, 'v']));
    const other = await connection();
    const seen: string[] = [];
    const live: string[] = [];
    let fresh = 0;
    let cursor = '0';
    do {
      const [next, keys] = await scanStep(c, cursor, 'COUNT', String(5 + Math.floor(rand() * 10)));
      seen.push(...keys);
      cursor = next;
      // Between calls: new keys (some deleted again soon), deletions of doomed ones.
      const adds: string[] = [];
      for (let k = 0; k < 6; k++) adds.push(`new:${fresh++}`);
      await other.call('MSET', ...adds.flatMap((k) => [k, 'v']));
      live.push(...adds);
      const dels: string[] = [];
      for (let k = 0; k < 4 && live.length; k++) dels.push(live.splice(Math.floor(rand() * live.length), 1)[0]!);
      for (let k = 0; k < 3 && doomed.length; k++) dels.push(doomed.splice(Math.floor(rand() * doomed.length), 1)[0]!);
      await other.call('DEL', ...dels);
    } while (cursor !== '0');
    const seenSet = new Set(seen);
    expect(seenSet.size).toBe(seen.length);
    for (const k of stable) expect(seenSet.has(k), k).toBe(true);
  });

  it('expired keys are not returned (and are reclaimed)', async () => {
    await c.call('MSET', 'live', 'v', 'dead', 'v');
    keyspace.dbs[0]!.setExpire('dead', Date.now() - 1);
    expect(await scanStep(c, '0', 'COUNT', '100')).toEqual(['0', ['live']]);
    expect(await c.call('DBSIZE')).toBe(int(1));
  });
});

describe('RANDOMKEY', () => {
  it('null when empty; the one key; never an expired key', async () => {
    expect(await c.call('RANDOMKEY')).toBe(NIL);
    await c.call('SET', 'only', 'v');
    expect(await c.call('RANDOMKEY')).toBe(bulk('only'));
    await c.call('MSET', 'x1', 'v', 'x2', 'v', 'x3', 'v');
    for (const k of ['x1', 'x2', 'x3']) keyspace.dbs[0]!.setExpire(k, Date.now() - 1);
    for (let i = 0; i < 10; i++) expect(await c.call('RANDOMKEY')).toBe(bulk('only'));
    expect(await c.call('RANDOMKEY', 'x')).toBe(err("wrong number of arguments for 'randomkey' command"));
  });
});

describe('RENAME, RENAMENX', () => {
  it('moves the value and its TTL, overwriting (RENAME) or not (RENAMENX) the destination', async () => {
    await c.call('SET', 'a', 'va');
    await c.call('PEXPIREAT', 'a', '99999999999999');
    expect(await c.call('RENAME', 'a', 'b')).toBe(OK);
    expect(await c.call('EXISTS', 'a')).toBe(int(0));
    expect(await c.call('GET', 'b')).toBe(bulk('va'));
    expect(await c.call('PEXPIRETIME', 'b')).toBe(int(99999999999999));
    await c.call('SET', 'c', 'vc');
    expect(await c.call('RENAMENX', 'b', 'c')).toBe(int(0));
    expect(await c.call('RENAMENX', 'b', 'd')).toBe(int(1));
    expect(await c.call('RENAME', 'd', 'c')).toBe(OK);
    expect(await c.call('GET', 'c')).toBe(bulk('va'));
    expect(await c.call('PTTL', 'c')).not.toBe(int(-1));
  });

  it('same name: OK or 0 when the key exists, no such key when it does not', async () => {
    await c.call('SET', 'a', 'v');
    expect(await c.call('RENAME', 'a', 'a')).toBe(OK);
    expect(await c.call('RENAMENX', 'a', 'a')).toBe(int(0));
    expect(await c.call('RENAME', 'nx', 'b')).toBe(err('no such key'));
    expect(await c.call('RENAMENX', 'nx', 'nx')).toBe(err('no such key'));
    expect(await c.call('RENAME', 'a')).toBe(err("wrong number of arguments for 'rename' command"));
  });

  it('a list renamed onto a key a client blocks on serves that client', async () => {
    const waiter = await connection();
    const start = waiter.received.length;
    waiter.write(resp('BLPOP', 'target', '0'));
    await untilBlocked(c, 1);
    await c.call('RPUSH', 'src', 'item');
    expect(await c.call('RENAME', 'src', 'target')).toBe(OK);
    expect(await waiter.replyAt(start)).toBe(bulks('target', 'item'));
  });
});

describe('COPY', () => {
  it('copies strings, lists, hashes and sets into independent values, TTL included', async () => {
    await c.call('SET', 's', 'hello');
    await c.call('PEXPIREAT', 's', '99999999999999');
    expect(await c.call('COPY', 's', 't')).toBe(int(1));
    expect(await c.call('GET', 't')).toBe(bulk('hello'));
    expect(await c.call('PEXPIRETIME', 't')).toBe(int(99999999999999));
    await c.call('RPUSH', 'l', 'a', 'b');
    expect(await c.call('COPY', 'l', 'l2')).toBe(int(1));
    await c.call('RPUSH', 'l2', 'c');
    expect(await c.call('LRANGE', 'l', '0', '-1')).toBe(bulks('a', 'b'));
    expect(await c.call('LRANGE', 'l2', '0', '-1')).toBe(bulks('a', 'b', 'c'));
    await c.call('HSET', 'h', 'f', 'v');
    expect(await c.call('COPY', 'h', 'h2')).toBe(int(1));
    await c.call('HSET', 'h2', 'g', 'w');
    expect(await c.call('HLEN', 'h')).toBe(int(1));
    expect(await c.call('HLEN', 'h2')).toBe(int(2));
    await c.call('SADD', 'st', 'm');
    expect(await c.call('COPY', 'st', 'st2')).toBe(int(1));
    await c.call('SADD', 'st2', 'n');
    expect(await c.call('SCARD', 'st')).toBe(int(1));
    expect(await c.call('SCARD', 'st2')).toBe(int(2));
    const big = 'x'.repeat(10000);
    await c.call('SET', 'big', big);
    expect(await c.call('COPY', 'big', 'big2')).toBe(int(1));
    expect(await c.call('GET', 'big2')).toBe(bulk(big));
  });

  it('REPLACE, DB, and the errors', async () => {
    await c.call('SET', 's', 'one');
    await c.call('SET', 't', 'two');
    expect(await c.call('COPY', 's', 't')).toBe(int(0));
    expect(await c.call('COPY', 's', 't', 'REPLACE')).toBe(int(1));
    expect(await c.call('GET', 't')).toBe(bulk('one'));
    expect(await c.call('COPY', 's', 's')).toBe(err('source and destination objects are the same'));
    expect(await c.call('COPY', 's', 's', 'DB', '0')).toBe(err('source and destination objects are the same'));
    expect(await c.call('COPY', 's', 's', 'db', '1')).toBe(int(1));
    expect(await c.call('COPY', 's', 's', 'DB', '1')).toBe(int(0));
    expect(await c.call('COPY', 'nx', 'u')).toBe(int(0));
    expect(await c.call('COPY', 's', 'u', 'DB')).toBe(err('syntax error'));
    expect(await c.call('COPY', 's', 'u', 'DB', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('COPY', 's', 'u', 'DB', '16')).toBe(err('DB index is out of range'));
    expect(await c.call('COPY', 's', 'u', 'DB', '-1')).toBe(err('DB index is out of range'));
    expect(await c.call('COPY', 's', 'u', 'DB', '2147483648')).toBe(err('value is out of range, value must between -2147483648 and 2147483647'));
    expect(await c.call('COPY', 's', 'u', 'REPLACE', 'FOO')).toBe(err('syntax error'));
    await c.call('SELECT', '1');
    expect(await c.call('GET', 's')).toBe(bulk('one'));
  });
});

describe('MOVE', () => {
  it('moves a key with its TTL; 0 when missing or taken in the target', async () => {
    await c.call('SET', 'm', 'v');
    await c.call('PEXPIREAT', 'm', '99999999999999');
    expect(await c.call('MOVE', 'm', '1')).toBe(int(1));
    expect(await c.call('EXISTS', 'm')).toBe(int(0));
    await c.call('SELECT', '1');
    expect(await c.call('GET', 'm')).toBe(bulk('v'));
    expect(await c.call('PEXPIRETIME', 'm')).toBe(int(99999999999999));
    await c.call('SELECT', '0');
    expect(await c.call('MOVE', 'nx', '1')).toBe(int(0));
    await c.call('SET', 'm', 'w');
    expect(await c.call('MOVE', 'm', '1')).toBe(int(0));
    expect(await c.call('GET', 'm')).toBe(bulk('w'));
  });

  it('errors: same database, range, not an integer', async () => {
    await c.call('SET', 'm', 'v');
    expect(await c.call('MOVE', 'm', '0')).toBe(err('source and destination objects are the same'));
    expect(await c.call('MOVE', 'm', '16')).toBe(err('DB index is out of range'));
    expect(await c.call('MOVE', 'm', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('MOVE', 'm', '99999999999')).toBe(err('value is out of range, value must between -2147483648 and 2147483647'));
  });
});

describe('SWAPDB', () => {
  it('swaps contents; clients stay on their index; errors as Redis', async () => {
    await c.call('SET', 'x', 'db0');
    await c.call('SELECT', '1');
    await c.call('SET', 'y', 'db1');
    expect(await c.call('SWAPDB', '0', '1')).toBe(OK);
    expect(await c.call('GET', 'x')).toBe(bulk('db0'));
    expect(await c.call('EXISTS', 'y')).toBe(int(0));
    await c.call('SELECT', '0');
    expect(await c.call('GET', 'y')).toBe(bulk('db1'));
    expect(await c.call('SWAPDB', '0', '0')).toBe(OK);
    expect(await c.call('SWAPDB', '0', '16')).toBe(err('DB index is out of range'));
    expect(await c.call('SWAPDB', 'x', '0')).toBe(err('invalid first DB index'));
    expect(await c.call('SWAPDB', '0', 'x')).toBe(err('invalid second DB index'));
    expect(await c.call('SWAPDB', '99999999999', '0')).toBe(err('invalid first DB index'));
  });

  it('fails the EXEC of a client watching a key in either database', async () => {
    const w = await connection();
    await c.call('SELECT', '1');
    await c.call('SET', 'wk', 'v');
    await c.call('SELECT', '0');
    expect(await w.call('WATCH', 'wk')).toBe(OK);
    expect(await w.call('MULTI')).toBe(OK);
    expect(await w.call('PING')).toBe('+QUEUED\r\n');
    expect(await c.call('SWAPDB', '0', '1')).toBe(OK);
    expect(await w.call('EXEC')).toBe('*-1\r\n');
  });

  it('serves a client blocked on a key that now exists', async () => {
    const waiter = await connection();
    const start = waiter.received.length;
    waiter.write(resp('BLPOP', 'q', '0'));
    await untilBlocked(c, 1);
    await c.call('SELECT', '3');
    await c.call('RPUSH', 'q', 'job');
    expect(await c.call('SWAPDB', '3', '0')).toBe(OK);
    expect(await waiter.replyAt(start)).toBe(bulks('q', 'job'));
  });
});

describe('keyspace notifications', () => {
  const pmsg = (channel: string, msg: string) => `*4\r\n${bulk('pmessage')}${bulk('__key*__:*')}${bulk(channel)}${bulk(msg)}`;
  const events = (key: string, event: string) => pmsg(`__keyspace@0__:${key}`, event) + pmsg(`__keyevent@0__:${event}`, key);

  async function subscriber(): Promise<RawClient> {
    const s = await connection();
    await s.call('PSUBSCRIBE', '__key*__:*');
    return s;
  }

  it('K and E publish the generic events of DEL, RENAME, EXPIRE, PERSIST, COPY, MOVE', async () => {
    await c.call('MSET', 'k1', 'v', 'k2', 'v');
    const s = await subscriber();
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEg');
    await c.call('DEL', 'k1', 'nx');
    await c.call('RENAME', 'k2', 'k3');
    await c.call('EXPIRE', 'k3', '100');
    await c.call('PERSIST', 'k3');
    await c.call('COPY', 'k3', 'k4');
    await c.call('MOVE', 'k4', '2');
    await c.call('EXPIRE', 'k3', '0');
    const expected = events('k1', 'del') + events('k2', 'rename_from') + events('k3', 'rename_to') + events('k3', 'expire') +
      events('k3', 'persist') + events('k4', 'copy_to') + events('k4', 'move_from') +
      pmsg('__keyspace@2__:k4', 'move_to') + pmsg('__keyevent@2__:move_to', 'k4') + events('k3', 'del');
    expect(await s.replyAt(start, 18)).toBe(expected);
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  it('nothing without K or E; only the channel kind asked for; only the classes listed', async () => {
    const s = await subscriber();
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'g');
    await c.call('SET', 'a', 'v');
    await c.call('DEL', 'a');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Kx');
    await c.call('SET', 'a', 'v');
    await c.call('DEL', 'a');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Kg');
    await c.call('SET', 'b', 'v');
    await c.call('DEL', 'b');
    expect(await s.replyAt(start, 1)).toBe(pmsg('__keyspace@0__:b', 'del'));
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await c.call('SET', 'b', 'v');
    await c.call('DEL', 'b');
    expect(await s.beforePing(PONG_SUBSCRIBED)).toBe(s.received.slice(0, start) + pmsg('__keyspace@0__:b', 'del'));
  });

  it("'new' for keys created by any command, 'keymiss' for read misses", async () => {
    const s = await subscriber();
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Enm');
    await c.call('SET', 'a', 'v');
    await c.call('SET', 'a', 'w');
    await c.call('RPUSH', 'l', 'x');
    await c.call('TYPE', 'nope');
    expect(await s.replyAt(start, 3)).toBe(
      pmsg('__keyevent@0__:new', 'a') + pmsg('__keyevent@0__:new', 'l') + pmsg('__keyevent@0__:keymiss', 'nope'));
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  it('binary keys travel unchanged in channels and messages', async () => {
    const s = await subscriber();
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEg');
    await c.call('SET', 'k\xff\x00', 'v');
    await c.call('DEL', 'k\xff\x00');
    expect(await s.replyAt(start, 2)).toBe(events('k\xff\x00', 'del'));
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });
});

describe('keys and databases over raw sockets', async () => {
  const server = await startServer();
  const client = await RawClient.connect(server.port);

  /** Sends a command and returns the reply (waiting for `len` bytes). */
  const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
  const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

  describe('keys and databases', () => {
    it('MSET arity, MGET, DEL, EXISTS counting duplicates, DBSIZE, FLUSHDB, FLUSHALL', async () => {
      await sendExpect("-ERR wrong number of arguments for 'mset' command\r\n", 'MSET', 'a', '1', 'b');
      await sendExpect('+OK\r\n', 'FLUSHALL');
      await sendExpect('+OK\r\n', 'MSET', 'a', '1', 'b', '2');
      await sendExpect('*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n', 'MGET', 'a', 'zz', 'b');
      await sendExpect(':3\r\n', 'EXISTS', 'a', 'a', 'b');
      await sendExpect(':2\r\n', 'DBSIZE');
      await sendExpect(':1\r\n', 'DEL', 'a', 'zz');
      await sendExpect('-ERR syntax error\r\n', 'FLUSHDB', 'LATER');
      await sendExpect('+OK\r\n', 'FLUSHDB', 'ASYNC');
      await sendExpect(':0\r\n', 'DBSIZE');
    });
    it('databases are separate', async () => {
      await sendExpect('+OK\r\n', 'SET', 'db0key', 'x');
      await sendExpect('+OK\r\n', 'SELECT', '1');
      await sendExpect(':0\r\n', 'EXISTS', 'db0key');
      await sendExpect('+OK\r\n', 'SELECT', '0');
      await sendExpect(':1\r\n', 'EXISTS', 'db0key');
    });
  });
  it('answers test/scenarios/keyspace.txt as redis-server does', () => replayScenario(server.port, 'keyspace', {
    'OBJECT ENCODING cl': '7.2 keeps a small list as a listpack; 7.0 says quicklist',
    'OBJECT HELP': '7.2\'s last help line',
  }), 60000);
});
